"""Live zone channels: one position per zone, shared by every listener, paced in real time.

Between programs a channel plays silent frames, so receivers stay connected and their
decoders never see the format change. A late listener joins at the live edge. An
emergency cuts in at the next frame; the program it interrupted starts again after it.
Each chunk is made once per zone and handed to every listener in one pass
(`playout.listeners`).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from playout.frames import Frames
from playout.listeners import CHUNK_FRAMES, Listener, QueueListener
from playout.live import LiveFrames
from voices.audio.format import FRAME_SECONDS


@dataclass
class Play:
    airing_id: int
    title: str
    frames: Frames
    emergency: bool = False
    position: int = 0
    not_before: float = 0.0  # wall-clock second of its airtime: handed over early, starts on time
    # A live input (a relayed station) instead of `frames`, played until the wall-clock
    # second `until`; cut into by an emergency, it resumes live, not where it was.
    live: LiveFrames | None = None
    until: float = 0.0
    source: str = ""  # where the live input comes from: a relayed station's address
    # Live speech (a microphone): cuts into a normal program as an emergency does, and
    # yields to an emergency as a normal program does.
    cuts_in: bool = False


@dataclass(frozen=True)
class Event:
    kind: str  # "started", "ended", "preempted"
    airing_id: int
    by: str = ""  # what preempted it: "emergency" or "live"


@dataclass
class Channel:
    zone: str
    silence: bytes
    queue: deque[Play] = field(default_factory=deque)
    current: Play | None = None
    listeners: set[Listener] = field(default_factory=set)
    dropped: int = 0  # listeners let go for falling BEHIND_S behind

    @property
    def title(self) -> str:
        return self.current.title if self.current else ""

    def play(self, item: Play) -> list[Event]:
        """Queue a program; an emergency cuts into whatever plays now, live speech into
        whatever is not an emergency (and waits behind the emergencies)."""
        if item.emergency:
            events = self._preempt(lambda current: not current.emergency, "emergency")
            self.queue.appendleft(item)
            return events
        if item.cuts_in:
            events = self._preempt(
                lambda current: not (current.emergency or current.cuts_in), "live"
            )
            ahead = 0
            while ahead < len(self.queue) and self.queue[ahead].emergency:
                ahead += 1
            self.queue.insert(ahead, item)
            return events
        self.queue.append(item)
        return []

    def _preempt(self, yields: Callable[[Play], bool], by: str) -> list[Event]:
        """Take off the air what plays now, if it yields: it starts again after."""
        current = self.current
        if current is None or not yields(current):
            return []
        current.position = 0
        self.queue.appendleft(current)
        self.current = None
        return [Event("preempted", current.airing_id, by)]

    def listen(self) -> QueueListener:
        """A listener in this process, reading chunks with `await get()`."""
        listener = QueueListener()
        self.listeners.add(listener)
        return listener

    def add(self, listener: Listener) -> None:
        self.listeners.add(listener)

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    def step(self, count: int, at: float = 0.0) -> tuple[bytes, list[Event]]:
        """The next `count` frames of the channel, the first of them airing at wall-clock
        time `at`, and what started or ended in them."""
        out: list[bytes] = []
        events: list[Event] = []
        while len(out) < count:
            frame_at = at + len(out) * FRAME_SECONDS
            if self.current is None and self.queue and self.queue[0].not_before <= frame_at:
                self.current = self.queue.popleft()
                if self.current.position == 0:
                    events.append(Event("started", self.current.airing_id))
            if self.current is None:
                out.append(self.silence)
                continue
            if self.current.live is not None:
                out += self._live(count - len(out), frame_at, events)
                continue
            frames = self.current.frames.frames
            take = min(count - len(out), len(frames) - self.current.position)
            out += frames[self.current.position : self.current.position + take]
            self.current.position += take
            if self.current.position >= len(frames):
                events.append(Event("ended", self.current.airing_id))
                self.current = None
        return b"".join(out), events

    def _live(self, wanted: int, at: float, events: list[Event]) -> list[bytes]:
        """Up to `wanted` frames of the live input, ending it at its end time."""
        current = self.current
        assert current is not None and current.live is not None
        left = max(0, math.ceil((current.until - at) / FRAME_SECONDS - 1e-9))
        frames = current.live.take(min(wanted, left))
        current.position += len(frames)
        if len(frames) == left:
            events.append(Event("ended", current.airing_id))
            self.current = None
        return frames

    def send(self, chunk: bytes) -> None:
        """The chunk to every listener, in one pass; one that cannot take it is too far
        behind (a receiver that stopped reading): it is let go and counted."""
        title = self.title
        for listener in list(self.listeners):
            if listener.closed:
                self.listeners.discard(listener)
            elif not listener.deliver(chunk, title):
                self.dropped += 1
                self.drop(listener)

    def hang_up(self) -> None:
        """End every listener's stream, after what it has already taken."""
        for listener in list(self.listeners):
            self.drop(listener)

    def drop(self, listener: Listener) -> None:
        """End one listener's stream (its receiver was revoked, say)."""
        listener.end()
        self.listeners.discard(listener)

    def clear(self) -> None:
        """Nothing on air and nothing queued, listeners hung up: another process plays."""
        self.current = None
        self.queue.clear()
        self.hang_up()


class Playout:
    """All channels, advanced together by one paced loop."""

    def __init__(self, silence: bytes, on_event: Callable[[str, Event], None]) -> None:
        self.silence = silence
        self.channels: dict[str, Channel] = {}
        self.on_event = on_event

    def channel(self, zone: str) -> Channel:
        if zone not in self.channels:
            self.channels[zone] = Channel(zone, self.silence)
        return self.channels[zone]

    def play(self, zone: str, item: Play) -> None:
        for event in self.channel(zone).play(item):
            self.on_event(zone, event)

    def hang_up(self) -> None:
        """End every listener's stream, on every channel: the server is stopping, and a
        live stream never ends by itself."""
        for channel in self.channels.values():
            channel.hang_up()

    def clear(self) -> None:
        """Stop playing everywhere: this process no longer leads playout."""
        for channel in self.channels.values():
            channel.clear()

    async def run(self, stop: asyncio.Event) -> None:
        start, wall = time.monotonic(), time.time()
        sent = 0
        while not stop.is_set():
            # Frames go out one chunk ahead of their time, never behind it: receivers
            # buffer, so a program is heard on the second rather than a chunk late.
            due = int((time.monotonic() - start) / FRAME_SECONDS) + CHUNK_FRAMES - sent
            if due >= CHUNK_FRAMES:
                at = wall + sent * FRAME_SECONDS
                for zone, channel in list(self.channels.items()):
                    chunk, events = channel.step(due, at)
                    channel.send(chunk)
                    for event in events:
                        self.on_event(zone, event)
                sent += due
            # until the next chunk is due, not a fixed nap: a poll every half chunk made
            # chunks up to 52 ms late
            await asyncio.sleep(max(0.0, start + sent * FRAME_SECONDS - time.monotonic()))
