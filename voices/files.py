"""Writing files that are visible whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Written beside the target under a hidden name, then renamed over it: a crash or a
    full disk leaves the previous file (or none), never a partial one. `durable` also syncs
    the data to disk before the rename, so that it survives a power cut; files that carry
    their own checksum can skip that (a torn file is detected and made again)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
