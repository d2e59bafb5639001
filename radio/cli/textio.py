"""Reading announcement text from files and writing outputs without leaving half files."""

from __future__ import annotations

import os
import sys
import tempfile
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


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: a failed run leaves the old file or none."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
