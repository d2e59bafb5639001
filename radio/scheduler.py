"""The scheduler over our own tables: slots become airings, approved programs are ready
before their airtime, due airings go to playout, late ones are played or marked missed.

Everything lives in the database, so a restart loses nothing: the first tick after it
finds upcoming airings intact and marks the ones that passed unplayed as missed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.announcements import audit
from radio.emergencies import air_repeats
from radio.errors import ApiError
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Priority,
    Program,
    Revision,
    Slot,
    Status,
    Zone,
)
from schedules import LOCAL_TZ, Clock, Interval, SlotSpec, late_policy, occurrences, overlaps

# Airings this close to their time are handed to playout already, which starts them on the
# frame: a busy server's tick can then be late without the program being late.
HANDOVER = timedelta(seconds=3)
SPEECH_SYLLABLES_PER_S = 3.5  # a radio announcer's pace, for texts not rendered yet


@dataclass(frozen=True)
class Timing:
    horizon: timedelta = timedelta(days=2)
    prerender: timedelta = timedelta(minutes=10)
    grace: timedelta = timedelta(minutes=5)


@dataclass
class Tick:
    created: int = 0
    rendered: list[int] = field(default_factory=list)
    due: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


RenderApproved = Callable[[Session, Revision], Program]


def spec_of(slot: Slot) -> SlotSpec:
    return SlotSpec(
        at=slot.at,
        times=tuple(time.fromisoformat(t) for t in slot.times or ()),
        weekdays=tuple(slot.weekdays or ()) or (0, 1, 2, 3, 4, 5, 6),
        start_date=slot.start_date,
        end_date=slot.end_date,
    )


def expected_duration(db: Session, announcement: Announcement) -> float:
    """The program's length if rendered, else an estimate from the text."""
    revision = announcement.current
    if revision.program_hash:
        program = db.get(Program, revision.program_hash)
        if program is not None:
            return program.duration
    return len(revision.text.split()) / SPEECH_SYLLABLES_PER_S / revision.rate + 1.0


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
        coming = occurrences(spec_of(slot), now, now + timedelta(days=14))
        waiting += [t for t in coming if (slot.id, t) not in made][:1]
    return min(waiting, default=None)


Pairs = list[tuple[Interval, Interval]]


def conflicts(db: Session, slot: Slot, start: datetime, end: datetime) -> Pairs:
    """Overlaps on the slot's zones between its occurrences and every other slot's; each
    pair is (one of ours, one of theirs)."""
    others = [
        o
        for o in db.scalars(select(Slot).where(Slot.id != slot.id))
        if o.announcement.status != Status.ARCHIVED
    ]
    pairs: Pairs = []
    for zone in slot.zones:
        sharing = [o for o in others if zone.id in {z.id for z in o.zones}]
        intervals = [
            *_intervals(db, [slot], start, end, zone.id),
            *_intervals(db, sharing, start, end, zone.id),
        ]
        for a, b in overlaps(intervals):
            ours_a, ours_b = _slot(a) is slot, _slot(b) is slot
            if ours_a != ours_b:
                pairs.append((a, b) if ours_a else (b, a))
    return pairs


def _slot(interval: Interval) -> Slot:
    return cast(tuple[Slot, int], interval.ref)[0]


def _intervals(
    db: Session, slots: Iterable[Slot], start: datetime, end: datetime, zone_id: int
) -> Iterable[Interval]:
    for slot in slots:
        length = timedelta(seconds=expected_duration(db, slot.announcement))
        for moment in occurrences(spec_of(slot), start - length, end):
            yield Interval(moment, moment + length, (slot, zone_id))


def describe(interval: Interval) -> str:
    local = interval.start.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
    return f"«{_slot(interval).announcement.title}» {local}"


def conflict_error(pairs: Pairs) -> ApiError:
    _, theirs = pairs[0]
    return ApiError(
        409,
        f"overlaps {describe(theirs)} on the same zone",
        f"trùng giờ với {describe(theirs)} trên cùng khu vực",
        conflicts=[describe(b) for _, b in pairs[:10]],
    )


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        render_approved: RenderApproved,
        timing: Timing = Timing(),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.render_approved = render_approved
        self.timing = timing
        self._ticking = threading.Lock()

    def tick(self) -> Tick:
        """One pass at a time in this process: two overlapping passes would both find an
        occurrence without its airing and both make it (the playout runs one per process)."""
        with self._ticking:
            now = self.clock.now()
            result = Tick()
            with self.sessions.begin() as db:
                result.created = self._materialize(db, now) + len(air_repeats(db, now))
                for airing in self._open(db, before=now + self.timing.prerender):
                    self._settle(db, airing, now, result)
            return result

    def _materialize(self, db: Session, now: datetime) -> int:
        created = 0
        window_start, window_end = now - self.timing.grace, now + self.timing.horizon
        for slot in db.scalars(select(Slot)).all():
            if slot.announcement.status == Status.ARCHIVED:
                continue
            known = {
                (a.zone_id, a.scheduled_at)
                for a in db.scalars(
                    select(Airing).where(
                        Airing.slot_id == slot.id, Airing.scheduled_at >= window_start
                    )
                )
            }
            for moment in occurrences(spec_of(slot), window_start, window_end):
                for zone in slot.zones:
                    if (zone.id, moment) not in known:
                        db.add(
                            Airing(
                                slot_id=slot.id,
                                zone_id=zone.id,
                                announcement_id=slot.announcement_id,
                                priority=slot.announcement.priority,
                                scheduled_at=moment,
                            )
                        )
                        created += 1
        db.flush()
        return created

    def _open(self, db: Session, before: datetime) -> list[Airing]:
        return list(
            db.scalars(
                select(Airing)
                .outerjoin(Slot)
                .where(
                    Airing.status == AiringStatus.SCHEDULED,
                    Airing.started_at.is_(None),
                    Airing.scheduled_at <= before,
                )
                .order_by(Airing.scheduled_at, Slot.position, Airing.id)
            )
        )

    def _settle(self, db: Session, airing: Airing, now: datetime, result: Tick) -> None:
        announcement = airing.announcement
        decision = late_policy(airing.scheduled_at, now, self.timing.grace)
        if decision == "miss":
            self._close(db, airing, AiringStatus.MISSED, "late beyond the grace period", now)
            result.missed.append(airing.id)
            return
        if airing.priority == Priority.EMERGENCY and self._ready(
            db, airing, verify=decision == "play"
        ):
            if decision == "play":  # authorized and audited when it was made: no review
                result.due.append(airing.id)
            return
        if announcement.status != Status.APPROVED or not announcement.approved_program_hash:
            if decision == "play":  # nothing approved to play: never air unapproved audio
                self._close(db, airing, AiringStatus.FAILED, "not approved at airtime", now)
                result.failed.append(airing.id)
            return
        handing_over = decision == "play" or airing.scheduled_at - now <= HANDOVER
        intact = self._ready(db, airing, verify=handing_over)
        if airing.program_hash != announcement.approved_program_hash or not intact:
            revision = db.get(Revision, announcement.approved_revision_id)
            assert revision is not None
            program = self.render_approved(db, revision)
            if program.hash != announcement.approved_program_hash:
                self._close(
                    db, airing, AiringStatus.FAILED, "approved audio could not be rebuilt", now
                )
                result.failed.append(airing.id)
                return
            airing.program_hash = program.hash
            result.rendered.append(airing.id)
        if handing_over:
            result.due.append(airing.id)

    @staticmethod
    def _ready(db: Session, airing: Airing, verify: bool) -> bool:
        """Its program file is there; at handover, also whole (its content is its name):
        a damaged file is rebuilt from the cache, and never aired as it is."""
        program = db.get(Program, airing.program_hash) if airing.program_hash else None
        if program is None or not Path(program.mp3_path).is_file():
            return False
        if not verify:
            return True
        return hashlib.sha256(Path(program.mp3_path).read_bytes()).hexdigest() == program.hash

    @staticmethod
    def _close(db: Session, airing: Airing, status: AiringStatus, note: str, now: datetime) -> None:
        airing.status = status
        airing.note = note
        airing.ended_at = now
        audit(db, None, f"airing-{status.value}", f"airing:{airing.id}", note=note)


def zone_timeline(db: Session, zone: Zone, begin: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every occurrence on the zone in the window, with its airing's status once it has one
    and a flag on each one that overlaps another. Items due at the same moment play one
    after another (by position): each is shown where it will really start."""
    due: list[Interval] = []
    for slot in db.scalars(select(Slot)):
        if zone.id not in {z.id for z in slot.zones} or slot.announcement.status == Status.ARCHIVED:
            continue
        length = timedelta(seconds=expected_duration(db, slot.announcement))
        due += [Interval(t, t + length, slot) for t in occurrences(spec_of(slot), begin, end)]
    planned = sorted(due, key=lambda i: (i.start, _slot_of(i).position, _slot_of(i).id))
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
    result = []
    for item, first in zip(items, planned, strict=True):
        ref = _slot_of(item)
        result.append(
            {
                "start": item.start.astimezone(LOCAL_TZ).isoformat(),
                "end": item.end.astimezone(LOCAL_TZ).isoformat(),
                "slot_id": ref.id,
                "position": ref.position,
                "announcement_id": ref.announcement_id,
                "title": ref.announcement.title,
                "status": statuses.get((ref.id, first.start), "scheduled"),
                "approved": ref.announcement.status == Status.APPROVED,
                "conflict": id(item) in clashing,
            }
        )
    return result


def _slot_of(interval: Interval) -> Slot:
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
