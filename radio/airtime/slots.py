"""Slot rules: what may be scheduled, what it clashes with, and whether it fits.

An officer asks for an announcement on some zones, once or on a recurrence. The slot is
refused when it cannot occur, lies in the past or overlaps another item on one of its
zones (a 409 naming it); a check answers the same questions without saving, with the next
airtimes and whether the program ends before the next item on its zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access.roles import Permission, require
from radio.airtime.timeline import Length, spec_of, zone_timeline
from radio.audit import audit
from radio.errors import Conflict, Invalid
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Priority,
    Slot,
    Status,
    User,
    Zone,
)
from schedules import LOCAL_TZ, Interval, SlotSpec, SlotSpecError, occurrences, overlaps
from schedules.recurrence import last_occurrence
from voices.estimate import Estimate

Pairs = list[tuple[Interval, Interval]]


@dataclass(frozen=True)
class Request:
    """When the officer wants it: once (`at`) or at `times` on `weekdays` in a range."""

    at: datetime | None = None
    times: tuple[time, ...] = ()
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start_date: date | None = None
    end_date: date | None = None
    repeats: int = 1  # each time aired this often,
    repeat_gap_s: int = 0  # with this much quiet between one's end and the next's start


MAX_GAP_S = 2 * 3600


@dataclass(frozen=True)
class Fit:
    """Whether the program ends before the next item on its zones starts."""

    seconds: float
    room: float | None
    rate_to_fit: float | None

    @property
    def fits(self) -> bool:
        return self.room is None or self.seconds <= self.room


@dataclass(frozen=True)
class Check:
    """What scheduling would do, said before anything is saved."""

    conflicts: list[str]
    upcoming: list[datetime]
    fit: Fit | None


def plan(announcement: Announcement, zones: list[Zone], asked: Request, now: datetime) -> Slot:
    """The slot asked for, not saved yet; refused if it cannot occur or lies in the past."""
    if announcement.status == Status.ARCHIVED:
        raise Conflict("the announcement is archived", "thông báo đã lưu trữ")
    slot = Slot(
        announcement=announcement,
        zones=zones,
        at=asked.at,
        times=sorted({t.strftime("%H:%M") for t in asked.times}) or None,  # a time twice is once
        weekdays=sorted(set(asked.weekdays)),
        start_date=asked.start_date,
        end_date=asked.end_date,
        repeats=asked.repeats,
        repeat_gap_s=asked.repeat_gap_s if asked.repeats > 1 else 0,
    )
    if asked.repeats > 1 and not 1 <= asked.repeat_gap_s <= MAX_GAP_S:
        raise Invalid(
            "repeats are 1 second to 2 hours apart",
            "các lần phát lặp cách nhau từ 1 giây đến 2 giờ",
            field="repeat_gap_s",
        )
    try:
        spec = spec_of(slot, 0.0)
    except SlotSpecError as exc:
        raise Invalid(str(exc), exc.vi) from None
    if last_occurrence(spec) <= now:
        raise Invalid("the airtime is in the past", "giờ phát đã qua")
    return slot


def schedule(db: Session, user: User, slot: Slot, now: datetime, length: Length) -> Slot:
    """Saved, unless it overlaps another item on one of its zones."""
    if slot.announcement.priority == Priority.EMERGENCY:  # it airs as one: the right's
        require(user, Permission.EMERGENCY)
    slot.created_by_id = user.id
    db.add(slot)
    db.flush()
    pairs = conflicts(db, slot, now, _last(slot, length) + timedelta(hours=1), length)
    if pairs:
        raise conflict_error(pairs)
    audit(db, user, "schedule", f"slot:{slot.id}", announcement=slot.announcement_id)
    if slot.announcement.priority == Priority.EMERGENCY:
        audit(db, user, "emergency-priority", f"slot:{slot.id}")
    return slot


def remove(db: Session, user: User, slot: Slot, now: datetime) -> None:
    """Deleted, its pending airings cancelled first: an airing left without its slot must
    never air (nothing would check its approval's right any more)."""
    pending = db.scalars(
        select(Airing).where(
            Airing.slot_id == slot.id,
            Airing.status == AiringStatus.SCHEDULED,
            Airing.started_at.is_(None),
        )
    )
    for airing in pending:
        airing.status, airing.ended_at = AiringStatus.CANCELLED, now
        airing.note = "not aired: its slot was removed"
    audit(db, user, "unschedule", f"slot:{slot.id}", announcement=slot.announcement_id)
    db.delete(slot)


def check(
    db: Session, slot: Slot, now: datetime, length: Length, estimate: Estimate | None
) -> Check:
    """What `schedule` would say, and the fit, with nothing saved."""
    db.add(slot)
    db.flush()
    try:
        pairs = conflicts(db, slot, now, _last(slot, length) + timedelta(hours=1), length)
        spec = spec_of(slot, length(slot.announcement))
        upcoming = occurrences(spec, now, now + timedelta(days=14))[:5]
        fit = _fit(db, slot, upcoming, length, estimate)
    finally:
        db.delete(slot)
        db.flush()
    return Check([describe(b) for _, b in pairs[:10]], upcoming, fit)


def conflicts(db: Session, slot: Slot, start: datetime, end: datetime, length: Length) -> Pairs:
    """Overlaps on the slot's zones between its occurrences and every other slot's; each
    pair is (one of ours, one of theirs)."""
    pairs: Pairs = []
    for zone in slot.zones:
        sharing = [
            o
            for o in db.scalars(select(Slot).join(Slot.zones).where(Zone.id == zone.id))
            if o.id != slot.id and o.announcement.status != Status.ARCHIVED
        ]
        intervals = [
            *_intervals([slot], start, end, zone.id, length),
            *_intervals(sharing, start, end, zone.id, length),
        ]
        for a, b in overlaps(intervals):
            ours_a, ours_b = _slot(a) is slot, _slot(b) is slot
            if ours_a != ours_b:
                pairs.append((a, b) if ours_a else (b, a))
    return pairs


def describe(interval: Interval) -> str:
    local = interval.start.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
    return f"«{_slot(interval).announcement.title}» {local}"


def conflict_error(pairs: Pairs) -> Conflict:
    _, theirs = pairs[0]
    return Conflict(
        f"overlaps {describe(theirs)} on the same zone",
        f"trùng giờ với {describe(theirs)} trên cùng khu vực",
        conflicts=[describe(b) for _, b in pairs[:10]],
    )


def _last(slot: Slot, length: Length) -> datetime:
    return last_occurrence(spec_of(slot, length(slot.announcement)))


def _slot(interval: Interval) -> Slot:
    return cast(tuple[Slot, int], interval.ref)[0]


def _intervals(
    slots: list[Slot], start: datetime, end: datetime, zone_id: int, length: Length
) -> list[Interval]:
    found = []
    for slot in slots:
        lasting = length(slot.announcement)
        seconds = timedelta(seconds=lasting)
        spec: SlotSpec = spec_of(slot, lasting)
        found += [
            Interval(moment, moment + seconds, (slot, zone_id))
            for moment in occurrences(spec, start - seconds, end)
        ]
    return found


def _fit(
    db: Session,
    slot: Slot,
    upcoming: list[datetime],
    length: Length,
    estimate: Estimate | None,
) -> Fit | None:
    """Will it end before the next thing on its zones starts? The rendered length (or the
    estimate), the room until that next item, and a speaking rate that fits."""
    announcement = slot.announcement
    program = announcement.current.program
    if program is None and estimate is None:
        return None
    seconds = program.duration if program else estimate.seconds if estimate else 0.0
    room = None
    if upcoming:
        first = upcoming[0]
        later = [
            item.start
            for zone in slot.zones
            for item in zone_timeline(db, zone, first, first + timedelta(days=1), length)
            if item.start > first
        ]
        room = (min(later) - first).total_seconds() if later else None
    fits = room is None or seconds <= room
    rate = None
    if not fits and room is not None and estimate is not None:
        rate = estimate.rate_to_fit(room, announcement.current.rate)
    return Fit(seconds, room, rate)
