"""A zone channel without a server: what a hang-up leaves each listener, and a live input
played to its end time and resumed live after an emergency."""

from __future__ import annotations

from playout import HANG_UP, Channel, Event, Frames, Play
from playout.frames import silence
from playout.listeners import LISTENER_BACKLOG
from playout.live import LiveFrames
from voices.audio.format import FRAME_SECONDS


def test_a_hang_up_reaches_every_listener_after_what_it_has_not_read() -> None:
    channel = Channel("na-heo", b"\xff\xf3")
    reading, stalled = channel.listen(), channel.listen()
    channel.send(b"a")
    assert reading.get_nowait() == b"a"
    for n in range(LISTENER_BACKLOG - 1):
        channel.send(bytes([n]))
    assert stalled.full() and not reading.full()
    channel.hang_up()
    assert channel.listeners == set()
    assert [reading.get_nowait() for _ in range(reading.qsize())][-1] == HANG_UP
    left = [stalled.get_nowait() for _ in range(stalled.qsize())]
    assert left[0] == bytes([0]) and left[-1] == HANG_UP  # its oldest chunk made room
    assert len(left) == LISTENER_BACKLOG


def test_a_live_input_plays_until_its_end_and_resumes_live_after_an_emergency() -> None:
    """A relayed station on a channel: its frames as they come (the standby's when none
    have), ended at its end time; an emergency cuts in and the relay comes back live."""
    silent = silence()
    live = LiveFrames(silent)
    channel = Channel("na-heo", silent)
    start = 1000.0
    channel.play(Play(1, "VOV1", Frames(()), live=live, until=start + 40 * FRAME_SECONDS))
    live.push([b"s" * 144] * 4)
    chunk, events = channel.step(4, start)
    assert chunk == b"s" * 144 * 4 and events == [Event("started", 1)]
    chunk, _ = channel.step(4, start + 4 * FRAME_SECONDS)  # nothing came: the standby
    assert chunk == silent * 4 and live.filled == 4
    live.push([b"x" * 144] * 8)  # what came during the emergency is overtaken by it
    emergency = Frames(tuple([b"e" * 144] * 4))
    assert channel.play(Play(2, "Khẩn cấp", emergency, emergency=True)) == [Event("preempted", 1)]
    chunk, events = channel.step(8, start + 8 * FRAME_SECONDS)
    assert chunk[: 144 * 4] == b"e" * 144 * 4 and Event("ended", 2) in events
    assert chunk[144 * 4 :] == b"x" * 144 * 4  # the relay again, at what is live now
    chunk, events = channel.step(40, start + 16 * FRAME_SECONDS)
    # to its end time (24 frames: the rest of what came, then the standby), then idle
    assert chunk == b"x" * 144 * 4 + silent * 20 + silent * 16
    assert Event("ended", 1) in events and channel.current is None
