"""How many relays one playout process holds: N relays on air (each its own channel fed by
its own ffmpeg, levelled and re-encoded in this process), and on another zone a program
every two seconds handed over with its airtime, as the on-air loop does. The airtime
error of a program is how late after its airtime its first frame was sent (up to a chunk
early is on time: the stream is paced and receivers buffer); the goal is within 200 ms."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

from playout import Event, Frames, Play, Playout, silence
from playout.live import LiveFrames
from playout.relay import Relay

PROGRAMS = 8
EVERY_S = 2.0


def held(url: str, count: int) -> dict[str, object]:
    states: list[str] = []
    errors: list[float] = []
    wanted: dict[int, float] = {}

    def on_event(zone: str, event: Event) -> None:
        if event.kind == "started" and event.airing_id in wanted:
            errors.append(time.time() - wanted[event.airing_id])

    playout = Playout(silence(), on_event)
    relays, lives = [], []
    for n in range(count):
        live = LiveFrames(silence())
        lives.append(live)
        relays.append(Relay(url, live, lambda s, _: states.append(s)))
        playout.play(f"relay-{n}", Play(-n - 1, "VOV1", Frames(()), live=live, until=1e12))
    for relay in relays:
        relay.start()
    try:
        warm = asyncio.run(_air(playout, wanted, lambda: _relayed(playout, lives)))
    finally:
        for relay in relays:
            relay.stop()
    late = [max(0.0, e) for e in errors]  # sent ahead of its airtime: on time
    taken, filled = (a - b for a, b in zip(_relayed(playout, lives), warm, strict=True))
    return {
        "relays": count,
        "programs": len(errors),
        "worst_ms": 1000 * max(late),
        "median_sent_ms": 1000 * statistics.median(errors),  # negative: ahead
        "lost": states.count("lost"),
        # of the relays' airtime once flowing, the share the standby filled (not keeping up)
        "filled_percent": 100 * filled / taken if taken else 0.0,
    }


def _relayed(playout: Playout, lives: list[LiveFrames]) -> tuple[int, int]:
    """Frames the relays' channels have played, and of those the standby's."""
    channels = [c for zone, c in playout.channels.items() if zone.startswith("relay-")]
    taken = sum(c.current.position for c in channels if c.current is not None)
    return taken, sum(live.filled for live in lives)


async def _air(
    playout: Playout, wanted: dict[int, float], relayed: Callable[[], tuple[int, int]]
) -> tuple[int, int]:
    """The programs aired; how much the relays had played once they were flowing."""
    stop = asyncio.Event()
    pacer = asyncio.create_task(playout.run(stop))
    program = Frames((silence(),) * 40)
    await asyncio.sleep(3.0)  # the relays flowing
    warm = relayed()
    for n in range(PROGRAMS):
        at = time.time() + 1.0  # handed over a second ahead, as the loop does
        wanted[n + 1] = at
        playout.play("na-heo", Play(n + 1, "Họp thôn", program, not_before=at))
        await asyncio.sleep(EVERY_S)
    stop.set()
    await pacer
    return warm
