"""Who hears a channel, and how a chunk reaches them.

A channel hands each chunk to every listener in one pass; a listener takes it at once or
says it cannot. A receiver's connection is a `StreamListener`: the chunk goes straight to
its socket, with no queue, no task and no framework in between (at 5,000 receivers those
were where the interpreter's time went: docs/benchmarks.md). In-process consumers (the
Icecast push, tests) read a `QueueListener`. Either way a listener that falls more than
BEHIND_S behind is dropped, so a receiver that stops reading never holds memory without
bound, and the channel counts it.
"""

from __future__ import annotations

import asyncio
import functools
import socket
from typing import Protocol

from voices.audio import format as broadcast

# Frames a channel sends at a time, at most one chunk ahead of their airtime: about 0.1 s,
# so a program's first frame reaches every receiver between 0.1 s early and on time (0.21 s
# chunks put the median 107 ms early at 5,000 receivers). Ten writes a second a receiver.
CHUNK_FRAMES = 4
BEHIND_S = 8.0  # of audio not yet taken before a listener is dropped
LISTENER_BACKLOG = int(BEHIND_S / (CHUNK_FRAMES * broadcast.FRAME_SECONDS))  # chunks
HANG_UP = b""  # what a QueueListener gets when its stream ends
ICY_METAINT = 8192  # audio bytes between two title blocks, as Icecast sends them
SEND_BUFFER = 32 * 1024  # bytes the kernel holds for a receiver: about 5 s of audio


class Listener(Protocol):
    @property
    def closed(self) -> bool:
        """Gone by itself (its connection closed): leaves without being counted."""
        ...

    def deliver(self, chunk: bytes, title: str) -> bool:
        """Take the chunk now; False if it is too far behind to take more."""
        ...

    def end(self) -> None:
        """The stream ends: after what it has already taken, where that is possible."""
        ...


class QueueListener(asyncio.Queue[bytes]):
    """Chunks waiting in memory for a coroutine to read them (`await get()`)."""

    def __init__(self) -> None:
        super().__init__(LISTENER_BACKLOG)
        self.ended = False

    @property
    def closed(self) -> bool:
        return False

    def deliver(self, chunk: bytes, title: str) -> bool:
        try:
            self.put_nowait(chunk)
        except asyncio.QueueFull:
            return False
        return True

    def end(self) -> None:
        """HANG_UP after what it has not read; its oldest chunk makes room if needed."""
        if self.ended:
            return
        self.ended = True
        if self.full():
            self.get_nowait()
        self.put_nowait(HANG_UP)


class StreamListener:
    """A receiver's connection, written to directly. With `icy`, the title is put between
    every ICY_METAINT bytes of audio, counted from the first byte this receiver got."""

    def __init__(self, transport: asyncio.WriteTransport, icy: bool) -> None:
        self.transport = transport
        self.icy = icy
        self._until_meta = ICY_METAINT
        self._limit = int(BEHIND_S * broadcast.BYTES_PER_SECOND)
        sock = transport.get_extra_info("socket")
        if sock is not None:  # a stalled receiver shows in our buffer within seconds
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)

    @property
    def closed(self) -> bool:
        return self.transport.is_closing()

    def deliver(self, chunk: bytes, title: str) -> bool:
        if self.transport.get_write_buffer_size() > self._limit:
            return False
        self.transport.write(self._with_titles(chunk, title) if self.icy else chunk)
        return True

    def end(self) -> None:
        self.transport.close()  # what is buffered is sent first

    def _with_titles(self, chunk: bytes, title: str) -> bytes:
        if len(chunk) < self._until_meta:
            self._until_meta -= len(chunk)
            return chunk
        parts = []
        while len(chunk) >= self._until_meta:
            parts += [chunk[: self._until_meta], metadata(title)]
            chunk = chunk[self._until_meta :]
            self._until_meta = ICY_METAINT
        self._until_meta -= len(chunk)
        return b"".join([*parts, chunk])


@functools.lru_cache(maxsize=256)
def metadata(title: str) -> bytes:
    """The ICY block announcing `title`: made once per title, not once per listener."""
    text = f"StreamTitle='{title.replace(chr(39), ' ')}';".encode()[: 255 * 16]
    blocks = (len(text) + 15) // 16
    return bytes([blocks]) + text.ljust(blocks * 16, b"\0")
