"""The fan-out benchmark's loudspeakers, in processes of their own.

Each process opens its share of the streams (raw sockets, asyncio protocols: the least
work a receiver can do), says when all are open, and records per stream when bytes came
and when the first audible frame did, until the orchestrator's end time. Being separate
processes, they compete with the server for the cores the way real receivers on other
machines never would only through the kernel's scheduler, not inside its event loop.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection

BYTES_PER_S = 48_000 / 8
LATE_S = 1.0
# Connections being opened at a time, per process. Icecast 2.4 listens with a backlog of
# 5 and admits about 16 listeners a second here: thousands opening at once wait for their
# SYNs to be retried (5,000 took 313 s; fewer at a time was slower still). Measuring
# starts when all are open.
OPENING_AT_ONCE = 100
OPEN_WITHIN_S = 600.0


@dataclass
class Heard:
    """One stream's record; `late` counts reads more than LATE_S behind real time, from
    the moment every stream of the run was open (the baseline is reset there)."""

    zone: str
    connected: bool = False
    base_at: float | None = None
    base_bytes: int = 0
    received: int = 0
    reads: int = 0
    late: int = 0
    first_audible: float | None = None


class _Stream(asyncio.Protocol):
    def __init__(self, heard: Heard, request: bytes, measuring: list[bool]) -> None:
        self.heard = heard
        self.request = request
        self.measuring = measuring
        self.head = b""
        self.tail = b""
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        heard = self.heard
        if not heard.connected:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            heard.connected = True
            data, self.head = self.head[end + 4 :], b""
        now = time.time()
        heard.received += len(data)
        if self.measuring[0]:
            if heard.base_at is None:
                heard.base_at, heard.base_bytes = now, heard.received
            behind = (now - heard.base_at) - (heard.received - heard.base_bytes) / BYTES_PER_S
            heard.reads += 1
            heard.late += behind > LATE_S
        if heard.first_audible is None and self.measuring[0]:
            window = self.tail + data
            if audible(window):
                heard.first_audible = now
            self.tail = window[-64:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


def audible(data: bytes) -> bool:
    """Whether the bytes hold a frame that is not our silent frame (whose body is zeros):
    a 32-byte run of frame body with any non-zero byte after a frame header."""
    index = data.find(b"\xff\xf3")
    while index != -1 and index + 40 <= len(data):
        if any(data[index + 8 : index + 40]):
            return True
        index = data.find(b"\xff\xf3", index + 2)
    return False


def listen(port: int, paths: list[tuple[str, str]], pipe: Connection) -> None:
    """Open a stream per (zone, path) on 127.0.0.1:`port`; send "open" with the count
    connected; on "measure" start measuring; on an end time, read until it and send
    back the records."""
    asyncio.run(_listen(port, paths, pipe))


async def _listen(port: int, paths: list[tuple[str, str]], pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    measuring = [False]
    heard = [Heard(zone) for zone, _ in paths]
    at_once = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one(path: str, record: Heard) -> asyncio.BaseTransport | None:
        request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
        async with at_once:
            try:
                transport, _ = await loop.create_connection(
                    partial(_Stream, record, request, measuring), "127.0.0.1", port
                )
            except OSError:
                return None
            return transport

    opened = await asyncio.gather(
        *(open_one(path, record) for (_, path), record in zip(paths, heard, strict=True))
    )
    streams = [t for t in opened if t is not None]
    deadline = time.time() + OPEN_WITHIN_S
    while time.time() < deadline and not all(
        h.connected or t.is_closing() for h, t in zip(heard, opened, strict=True) if t
    ):  # until each is answered or gone (refused by a full backlog, say)
        await asyncio.sleep(0.1)
    pipe.send(("open", sum(h.connected for h in heard)))
    assert await loop.run_in_executor(None, pipe.recv) == "measure"
    measuring[0] = True
    end: float = await loop.run_in_executor(None, pipe.recv)
    await asyncio.sleep(max(0.0, end - time.time()))
    for transport in streams:
        transport.close()
    pipe.send(heard)
