"""What a zone's day looks like: every occurrence of every slot on it, where each will
really start (items due at one moment queue behind each other), how long it lasts, and
which overlap; and an announcement's next airtime.

Lengths come from one place, the speech service (`Length`): the rendered program's
duration once there is one, else the calibrated estimate of its text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.models import Airing, AiringStatus, Announcement, Priority, Slot, Status, Zone
from schedules import Interval, SlotSpec, firsts, occurrences, overlaps

Length = Callable[[Announcement], float]  # seconds an announcement's program lasts


def spec_of(slot: Slot, seconds: float) -> SlotSpec:
    """The slot's airtimes for a program lasting `seconds`: a repeat starts that long
    (in whole seconds, so airtimes read as people write them) plus the slot's pause after
    the one before."""
    return SlotSpec(
        at=slot.at,
        times=tuple(time.fromisoformat(t) for t in slot.times or ()),
        weekdays=tuple(slot.weekdays or ()) or (0, 1, 2, 3, 4, 5, 6),
        start_date=slot.start_date,
        end_date=slot.end_date,
        repeats=slot.repeats or 1,
        repeat_every=timedelta(seconds=math.ceil(seconds) + (slot.repeat_gap_s or 0)),
    )


@dataclass(frozen=True)
class Item:
    """One occurrence on a zone's timeline, where it will really start."""

    start: datetime
    end: datetime
    slot: Slot
    status: str  # its airing's status, "scheduled" until it has one
    conflict: bool

    @property
    def approved(self) -> bool:
        return self.slot.announcement.status == Status.APPROVED


def live_slots(db: Session, zone: Zone) -> list[Slot]:
    """The zone's slots whose announcement may still air."""
    return [
        slot
        for slot in db.scalars(select(Slot).join(Slot.zones).where(Zone.id == zone.id))
        if slot.announcement.status != Status.ARCHIVED
    ]


def zone_timeline(
    db: Session, zone: Zone, begin: datetime, end: datetime, length: Length
) -> list[Item]:
    """Every occurrence on the zone in the window, with its airing's status once it has one
    and a flag on each one that overlaps another."""
    due: list[Interval] = []
    for slot in live_slots(db, zone):
        lasting = length(slot.announcement)
        seconds = timedelta(seconds=lasting)
        spec = spec_of(slot, lasting)
        due += [Interval(t, t + seconds, slot) for t in occurrences(spec, begin, end)]
    planned = sorted(due, key=lambda i: (i.start, _slot(i).position, _slot(i).id))
    items = _in_sequence(planned)
    clashing = {id(i) for pair in overlaps(items) for i in pair}
    statuses = {
        (a.slot_id, a.scheduled_at): a.status.value
        for a in db.scalars(
            select(Airing).where(
                Airing.zone_id == zone.id, Airing.scheduled_at >= begin, Airing.scheduled_at < end
            )
        )
    }
    return [
        Item(
            item.start,
            item.end,
            _slot(item),
            statuses.get((_slot(item).id, first.start), "scheduled"),
            id(item) in clashing,
        )
        for item, first in zip(items, planned, strict=True)
    ]


def next_airtime(slots: list[Slot], airings: list[Airing], now: datetime) -> datetime | None:
    """An announcement's next airtime, from its slots and airings: an airing not started
    yet, or a slot's occurrence to come that has no airing yet (within two weeks)."""
    waiting = [
        a.scheduled_at
        for a in airings
        if a.status == AiringStatus.SCHEDULED and a.started_at is None
    ]
    made = {(a.slot_id, a.scheduled_at) for a in airings}
    for slot in slots:
        # An occurrence's repeats are made with it: one not made yet starts with itself,
        # so its first airtime is all this needs (and no length).
        coming = firsts(spec_of(slot, 0.0), now, now + timedelta(days=14))
        waiting += [t for t in coming if (slot.id, t) not in made][:1]
    return min(waiting, default=None)


def _slot(interval: Interval) -> Slot:
    ref = interval.ref
    assert isinstance(ref, Slot)
    return ref


def _in_sequence(items: list[Interval]) -> list[Interval]:
    """Items due at the same moment queue behind each other on the channel."""
    placed: list[Interval] = []
    for index, item in enumerate(items):
        if index and item.start == items[index - 1].start:
            start = placed[-1].end
            item = Interval(start, start + (item.end - item.start), item.ref)
        placed.append(item)
    return placed


def on_air_now(db: Session, zone: Zone) -> Airing | None:
    """What the zone's channel plays now: an emergency before anything it cut into."""
    return db.scalar(
        select(Airing)
        .where(
            Airing.zone_id == zone.id,
            Airing.status == AiringStatus.SCHEDULED,
            Airing.started_at.is_not(None),
            Airing.ended_at.is_(None),
        )
        .order_by((Airing.priority == Priority.EMERGENCY).desc(), Airing.started_at.desc())
        .limit(1)
    )
