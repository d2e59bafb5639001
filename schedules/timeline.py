"""Overlaps on a zone's timeline, and the policy for an airing found late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    ref: object  # what occupies it (an airing, a slot occurrence)

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def overlaps(intervals: list[Interval]) -> list[tuple[Interval, Interval]]:
    """Every overlapping pair, by a sweep over start times."""
    ordered = sorted(intervals, key=lambda i: i.start)
    pairs = []
    active: list[Interval] = []
    for current in ordered:
        active = [a for a in active if a.end > current.start]
        pairs += [(a, current) for a in active]
        active.append(current)
    return pairs


def late_policy(
    scheduled: datetime, now: datetime, grace: timedelta
) -> Literal["wait", "play", "miss"]:
    """Play a due airing if it is late by less than the grace period; otherwise it is
    missed and reported. Never air a stale announcement hours late without anyone knowing."""
    if now < scheduled:
        return "wait"
    return "play" if now - scheduled <= grace else "miss"
