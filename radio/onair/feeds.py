"""The relays on air: one `Relay` per source address, shared by every zone relaying it.

A relay airing's live input is attached to its source's feed when it is handed over (a
few seconds before its airtime, so the source is already flowing when it starts) and
detached once its end time has passed; a feed with nothing attached stops. What each
airing went through (how often the source was lost, and how many seconds the standby
filled) becomes its as-run note; a source lost raises an alert, resolved when it is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from playout import Play
from playout.live import Fanout, LiveFrames
from playout.relay import Relay
from radio.alerts import Alarms, Problem
from voices.audio.format import FRAME_SECONDS

log = logging.getLogger("radio.onair.relays")
Remark = Callable[[int, str], None]  # an airing's as-run note


@dataclass
class Attached:
    airing_id: int
    live: LiveFrames
    starts: float
    until: float


@dataclass
class Feed:
    url: str
    fanout: Fanout
    relay: Relay | None = None
    attached: list[Attached] = field(default_factory=list)
    losses: list[tuple[float, str]] = field(default_factory=list)  # when, why
    backs: list[float] = field(default_factory=list)  # when it was on air again


class Feeds:
    def __init__(self, alarms: Alarms, remark: Remark, dead_air_s: float = 10.0) -> None:
        self.alarms, self.remark, self.dead_air_s = alarms, remark, dead_air_s
        self._feeds: dict[str, Feed] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._feeds)

    def attach(self, play: Play) -> None:
        """Feed a relay airing's live input from its source, starting the source's relay
        if no other zone has."""
        assert play.live is not None and play.source
        with self._lock:
            feed = self._feeds.get(play.source)
            if feed is None:
                feed = self._feeds[play.source] = Feed(play.source, Fanout())
                feed.relay = Relay(feed.url, feed.fanout, self._on_state(feed), self.dead_air_s)
                feed.relay.start()
            feed.fanout.add(play.live)
            starts = play.not_before or time.time()
            feed.attached.append(Attached(play.airing_id, play.live, starts, play.until))

    def prune(self, now: float) -> None:
        """Detach the airings whose end time has passed (with their as-run note); stop
        the feeds nothing is attached to."""
        with self._lock:
            for feed in list(self._feeds.values()):
                for done in [a for a in feed.attached if a.until <= now]:
                    feed.attached.remove(done)
                    feed.fanout.remove(done.live)
                    self.remark(done.airing_id, _note(feed, done))
                if not feed.attached:
                    self._stop(feed)

    def stop(self) -> None:
        """Every feed stopped (shutting down, or no longer leading playout)."""
        with self._lock:
            for feed in list(self._feeds.values()):
                self._stop(feed)

    def _stop(self, feed: Feed) -> None:
        del self._feeds[feed.url]
        if feed.relay is not None:
            feed.relay.stop()
        self.alarms.resolve("relay-lost", f"relay:{feed.url}")

    def _on_state(self, feed: Feed) -> Callable[[str, str], None]:
        def on_state(state: str, why: str) -> None:
            if state == "on-air":
                feed.backs.append(time.time())
                self.alarms.resolve("relay-lost", f"relay:{feed.url}")
                return
            feed.losses.append((time.time(), why))
            log.warning("relay source %s lost (%s); standby fills, retrying", feed.url, why)
            self.alarms.report(
                Problem(
                    "relay-lost",
                    f"relay:{feed.url}",
                    f"Mất nguồn tiếp sóng {feed.url} ({_WHY_VI.get(why, why)}):"
                    " đang phát chương trình dự phòng và thử kết nối lại",
                    f"Relay source {feed.url} lost ({why}): the standby fills while it"
                    " is tried again",
                )
            )

        return on_state


_WHY_VI = {"ended": "luồng bị ngắt", "silent": "im lặng quá lâu"}


def _note(feed: Feed, done: Attached) -> str:
    """What the airing went through, for its as-run row: each outage from when the source
    was lost until it played again, in seconds from the airing's start."""
    lost = [(at, why) for at, why in feed.losses if done.starts <= at <= done.until]
    filled = done.live.filled * FRAME_SECONDS
    if not lost and filled < 1.0:
        return f"relayed {feed.url} without a break"
    reasons = ", ".join(sorted({why for _, why in lost})) or "late start"
    spans = "; ".join(_outages(feed, done, [at for at, _ in lost]))
    return (
        f"relayed {feed.url}; source lost {len(lost)} time(s) ({reasons});"
        f" {filled:.1f} s filled by the standby" + (f"; off air {spans}" if spans else "")
    )


def _outages(feed: Feed, done: Attached, lost: list[float]) -> list[str]:
    """Outages as "+6.2–14.5 s": retries while it stays down are one outage."""
    spans: list[str] = []
    ends_at = -1.0
    for at in lost:
        if at < ends_at:
            continue  # a retry failing within an outage already counted
        back = min((b for b in feed.backs if b > at), default=done.until)
        ends_at = min(back, done.until)
        spans.append(f"+{at - done.starts:.1f}–{ends_at - done.starts:.1f} s")
    return spans
