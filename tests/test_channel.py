"""A zone channel's listeners, without a server: what a hang-up leaves each of them."""

from __future__ import annotations

from playout import HANG_UP, Channel
from playout.listeners import LISTENER_BACKLOG


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
