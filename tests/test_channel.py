"""A zone channel without a server: what a hang-up leaves each listener, and a live input
played to its end time and resumed live after an emergency."""

from __future__ import annotations

import pytest

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
    assert channel.play(Play(2, "Khẩn cấp", emergency, emergency=True)) == [
        Event("preempted", 1, "emergency")
    ]
    chunk, events = channel.step(8, start + 8 * FRAME_SECONDS)
    assert chunk[: 144 * 4] == b"e" * 144 * 4 and Event("ended", 2) in events
    assert chunk[144 * 4 :] == b"x" * 144 * 4  # the relay again, at what is live now
    chunk, events = channel.step(40, start + 16 * FRAME_SECONDS)
    # to its end time (24 frames: the rest of what came, then the standby), then idle
    assert chunk == b"x" * 144 * 4 + silent * 20 + silent * 16
    assert Event("ended", 1) in events and channel.current is None


def test_live_speech_cuts_into_a_program_and_an_emergency_cuts_into_it() -> None:
    """The microphone outranks a normal program (which starts again after it) and yields
    to an emergency (after which it is live again, not where it was)."""
    silent = silence()
    channel = Channel("na-heo", silent)
    program = Play(1, "Họp thôn", Frames((b"p" * 144,) * 100))
    channel.play(program)
    channel.step(4, 1000.0)
    mic = LiveFrames(silent)
    live = Play(2, "Trực tiếp", Frames(()), live=mic, until=2000.0, cuts_in=True)
    assert channel.play(live) == [Event("preempted", 1, "live")]
    mic.push([b"m" * 144] * 8)
    chunk, events = channel.step(4, 1000.1)
    assert chunk == b"m" * 144 * 4 and events == [Event("started", 2)]
    alarm = Play(3, "Lũ quét", Frames((b"e" * 144,) * 2), emergency=True)
    assert channel.play(alarm) == [Event("preempted", 2, "emergency")]
    another = Play(4, "Thông báo", Frames((b"q" * 144,) * 2))
    channel.play(another)  # a normal program waits behind the live speech
    chunk, events = channel.step(4, 1000.2)
    assert chunk[: 2 * 144] == b"e" * 288 and Event("ended", 3) in events
    assert chunk[2 * 144 :] == b"m" * 288  # live again, at the live edge
    live.until = 1000.3 + 2 * FRAME_SECONDS  # the officer stops speaking
    chunk, events = channel.step(4, 1000.3)
    assert Event("ended", 2) in events
    assert [p.airing_id for p in channel.queue] + [channel.current.airing_id] == [4, 1]


def test_a_live_speech_waits_behind_an_emergency_on_air() -> None:
    silent = silence()
    channel = Channel("na-heo", silent)
    channel.play(Play(3, "Lũ quét", Frames((b"e" * 144,) * 8), emergency=True))
    channel.step(2, 1000.0)
    live = Play(2, "Trực tiếp", Frames(()), live=LiveFrames(silent), until=2000.0, cuts_in=True)
    assert channel.play(live) == []
    assert channel.current is not None and channel.current.airing_id == 3
    assert [p.airing_id for p in channel.queue] == [2]


def test_a_live_input_skips_what_is_too_far_behind_the_live_edge() -> None:
    """A microphone's input keeps at most `behind_s` waiting: a burst beyond it (frames
    that arrived while the channel filled a gap) is skipped, not played late."""
    silent = silence()
    mic = LiveFrames(silent, behind_s=8 * FRAME_SECONDS)
    mic.push([bytes([n]) * 144 for n in range(40)])
    taken = mic.take(4)
    assert taken == [bytes([n]) * 144 for n in range(28, 32)]  # the 8 after stay
    assert mic.buffered_s == pytest.approx(8 * FRAME_SECONDS)
    relay = LiveFrames(silent)  # a relay keeps up to KEEP_S (jitter of a remote stream)
    relay.push([bytes([n]) * 144 for n in range(40)])
    assert relay.take(4)[0] == bytes([0]) * 144
