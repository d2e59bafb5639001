"""Fetching voice files over HTTP: streamed, resumable, checksummed.

A voice model is tens of megabytes and commune connections drop. Bytes already received
stay in a `.part` file and the next attempt asks only for the rest (HTTP Range); nothing
is trusted until its size and digest match the catalog.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

Progress = Callable[[int, int], None]
_CHUNK = 1 << 16


class DownloadError(Exception):
    """A file could not be fetched intact; the message says what to do next."""


@dataclass(frozen=True)
class RemoteFile:
    """A file in a voice repository, as the catalog knows it."""

    path: str
    size: int
    digest: str
    algorithm: str = "sha256"


def fetch(
    client: httpx.Client, url: str, part: Path, expected: RemoteFile, progress: Progress
) -> None:
    """Complete `part` from `url` until it holds exactly the expected file.

    On any failure the bytes received so far stay in `part` for the next attempt, except
    after a digest mismatch, where they are worthless and removed.
    """
    have = part.stat().st_size if part.exists() else 0
    if have > expected.size:
        part.unlink()
        have = 0
    if have < expected.size:
        _receive(client, url, part, have, expected.size, progress)
    digest = file_digest(part, expected.algorithm)
    if digest != expected.digest:
        part.unlink()
        raise DownloadError(
            f"checksum mismatch for {url}: expected {expected.algorithm} {expected.digest},"
            f" got {digest}; the file was discarded"
        )


def _receive(
    client: httpx.Client, url: str, part: Path, have: int, size: int, progress: Progress
) -> None:
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 200:
                have = 0  # the server ignored the range: start over
            elif response.status_code != 206:
                raise DownloadError(f"HTTP {response.status_code} from {url}")
            elif not response.headers.get("content-range", "").startswith(f"bytes {have}-"):
                raise DownloadError(f"{url} answered a different range than asked for")
            try:
                with part.open("ab" if have else "wb") as out:
                    progress(have, size)
                    for chunk in response.iter_bytes(_CHUNK):
                        out.write(chunk)
                        have += len(chunk)
                        progress(have, size)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as exc:
                raise DownloadError(f"cannot write {part}: {exc.strerror or exc}") from exc
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"network failure while fetching {url} ({exc.__class__.__name__}: {exc});"
            f" {have} of {size} bytes kept, run the same command again to resume"
        ) from exc
    if have != size:
        raise DownloadError(
            f"connection closed after {have} of {size} bytes from {url};"
            " run the same command again to resume"
        )


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    hasher = hashlib.new(algorithm)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()
