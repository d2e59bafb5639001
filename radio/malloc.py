"""Large working arrays go back to the system when they are freed.

Decoding a recording or measuring a program's loudness makes arrays of tens of megabytes
for a moment. glibc's allocator raises its mmap threshold after the first such array is
freed (up to 32 MB), so later ones come from per-thread heaps that keep the memory: with
a request thread pool, ten uploads in parallel left the server 540 MB larger instead of
150 (measured in docs/benchmarks.md, tests/test_load.py bounds it). A fixed threshold
keeps every buffer of LARGE bytes or more in its own mapping, returned on free.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

LARGE = 1 << 20  # bytes
_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h

log = logging.getLogger(__name__)


def return_large_buffers() -> bool:
    """Fix the mmap threshold at LARGE; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl, macOS: no mallopt, and no such heaps
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, LARGE))
    if not done:
        log.warning("could not fix the allocator's mmap threshold")
    return done
