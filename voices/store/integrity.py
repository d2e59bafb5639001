"""The content check every stored program passes before it is used.

A program is named by the sha256 of its MP3 (the hash approval binds to and receivers
verify), so a file that no longer hashes to its name is damaged (a torn write, a failing
disk, a hand edit) and is never aired, served or reused. This is the only place the check
is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


class Damaged(Exception):
    """A stored file whose content is not what its name or record says, or is missing."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def matches(data: bytes, sha256: str) -> bool:
    return digest(data) == sha256


def read_intact(path: Path, sha256: str) -> bytes:
    """The file's bytes, if they are the ones recorded."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Damaged(f"{path} is missing") from None
    if not matches(data, sha256):
        raise Damaged(f"{path} does not match its hash")
    return data


def intact(path: Path, sha256: str) -> bool:
    try:
        read_intact(path, sha256)
    except Damaged:
        return False
    return True
