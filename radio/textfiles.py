"""Reading announcement text from files, whatever encoding an office tool saved it in."""

from __future__ import annotations

import sys
from pathlib import Path


class TextFileError(ValueError):
    """A file that is not readable text."""


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM: what office tools save."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(f"{source} is not UTF-8 text (byte {exc.start})") from exc


def read_text(path: str) -> str:
    if path == "-":
        return decode_text(sys.stdin.buffer.read(), "standard input")
    return decode_text(Path(path).read_bytes(), path)
