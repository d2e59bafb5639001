"""The scheduler's passes over our own tables: slots become airings, approved programs are
ready before their airtime, due airings go to playout, late ones are played or marked
missed.

Everything lives in the database, so a restart loses nothing: the first pass after it
finds upcoming airings intact and marks the ones that passed unplayed as missed.

Faults are isolated: each slot is materialized in its own transaction and airings are
settled in small batches (one at a time when a batch fails), so one bad slot or airing is
an alert naming it and never stops another. A pass reads only the slots that are due
(`Slot.next_at`) and the airings still open, never the history.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, sessionmaker

from radio.airtime.emergencies import air_repeats
from radio.airtime.readiness import NOT_REBUILT, make_ready, refusal
from radio.airtime.timeline import spec_of
from radio.alerts import Alarms, Problem
from radio.audit import audit
from radio.models import Airing, AiringStatus, Priority, Slot, Status
from radio.speech import Speech
from schedules import Clock, airtimes_of, firsts, late_policy, next_occurrence

log = logging.getLogger("radio.scheduler")

# Airings this close to their time are handed to playout already, which starts them on the
# frame: a busy server's pass can then be late without the program being late.
HANDOVER = timedelta(seconds=3)
NEVER = datetime(2999, 12, 31, tzinfo=UTC)  # a slot with nothing left to materialize
BATCH = 50  # airings settled in one transaction


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

    def add(self, other: Tick) -> None:
        self.created += other.created
        for name in ("rendered", "due", "missed", "failed"):
            getattr(self, name).extend(getattr(other, name))


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        speech: Speech,
        timing: Timing = Timing(),
        alarms: Alarms | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.speech = speech
        self.timing = timing
        self.alarms = alarms or Alarms(sessions, clock)
        self._ticking = threading.Lock()
        self._urgent = threading.Lock()

    def tick(self) -> Tick:
        """One full pass at a time in this process: two overlapping passes would both find
        an occurrence without its airing and both make it."""
        with self._ticking:
            now = self.clock.now()
            result = Tick(created=self._materialize(now) + self._repeats(now))
            self._settle_open(now, now + self.timing.prerender, result, urgent=False)
            return result

    def tick_emergencies(self) -> Tick:
        """Only the emergencies that are due: a pass of its own, run often, which does not
        wait for (or fail with) the full pass."""
        with self._urgent:
            now = self.clock.now()
            result = Tick()
            self._settle_open(now, now + HANDOVER, result, urgent=True)
            return result

    def _materialize(self, now: datetime) -> int:
        start, end = now - self.timing.grace, now + self.timing.horizon
        with self.sessions() as db:
            due = list(
                db.scalars(select(Slot.id).where(or_(Slot.next_at.is_(None), Slot.next_at <= end)))
            )
        created = 0
        for slot_id in due:
            try:
                with self.sessions.begin() as db:
                    created += self._materialize_slot(db, slot_id, start, end)
            except Exception as exc:
                self._failed("slot", slot_id, exc)
            else:
                self.alarms.resolve("slot-failed", f"slot:{slot_id}")
        return created

    def _materialize_slot(self, db: Session, slot_id: int, start: datetime, end: datetime) -> int:
        slot = db.get(Slot, slot_id)
        if slot is None:
            return 0
        if slot.announcement.status == Status.ARCHIVED:
            slot.next_at = NEVER
            return 0
        spec = spec_of(slot, self.speech.expected_seconds(slot.announcement))
        known = {
            (zone_id, moment)
            for zone_id, moment in db.execute(
                select(Airing.zone_id, Airing.scheduled_at).where(
                    Airing.slot_id == slot.id, Airing.scheduled_at >= start
                )
            )
        }
        zones = [z for z in slot.zones if z.retired_at is None]
        made = [
            Airing(
                slot_id=slot.id,
                zone_id=zone.id,
                announcement_id=slot.announcement_id,
                priority=slot.announcement.priority,
                scheduled_at=moment,
            )
            for first in firsts(spec, start, end)
            for zone in zones
            if (zone.id, first) not in known
            for moment in airtimes_of(spec, first)  # its repeats made with it, each its own row
        ]
        db.add_all(made)
        slot.next_at = next_occurrence(spec, end) or NEVER
        return len(made)

    def _repeats(self, now: datetime) -> int:
        try:
            with self.sessions.begin() as db:
                made = len(air_repeats(db, now))
        except Exception as exc:
            self._failed("repeats", 0, exc)
            return 0
        self.alarms.resolve("repeats-failed", "repeats:0")
        return made

    def _settle_open(self, now: datetime, before: datetime, result: Tick, urgent: bool) -> None:
        with self.sessions() as db:
            ids: list[int] = list(db.scalars(_open(before, urgent)))
        for first in range(0, len(ids), BATCH):
            batch = ids[first : first + BATCH]
            try:
                result.add(self._settle_batch(batch, now))
            except Exception:  # find the one that fails; the others settle
                for airing_id in batch:
                    try:
                        result.add(self._settle_batch([airing_id], now))
                    except Exception as exc:
                        self._failed("airing", airing_id, exc)
                    else:
                        self.alarms.resolve("airing-failed", f"airing:{airing_id}")

    def _settle_batch(self, ids: list[int], now: datetime) -> Tick:
        part = Tick()
        with self.sessions.begin() as db:
            for airing in db.scalars(_ordered(select(Airing).where(Airing.id.in_(ids)))):
                if airing.status == AiringStatus.SCHEDULED and airing.started_at is None:
                    self._settle(db, airing, now, part)
        return part

    def _settle(self, db: Session, airing: Airing, now: datetime, result: Tick) -> None:
        decision = late_policy(airing.scheduled_at, now, self.timing.grace)
        if decision == "miss":
            self._close(db, airing, AiringStatus.MISSED, "late beyond the grace period", now)
            result.missed.append(airing.id)
            return
        refused = refusal(db, airing)
        if refused is not None:
            if decision == "play":  # it may still be approved before its time
                self._close(db, airing, AiringStatus.FAILED, refused, now)
                result.failed.append(airing.id)
            return
        handing_over = decision == "play" or airing.scheduled_at - now <= HANDOVER
        before = airing.program_hash
        if not make_ready(db, self.speech, airing, verify=handing_over):
            self._close(db, airing, AiringStatus.FAILED, NOT_REBUILT, now)
            result.failed.append(airing.id)
            return
        if airing.program_hash != before:
            result.rendered.append(airing.id)
        if handing_over:
            result.due.append(airing.id)

    def _failed(self, what: str, ident: int, exc: Exception) -> None:
        """An alert naming what failed, raised (and logged with its trace) once until it
        succeeds again; the pass goes on with everything else."""
        problem = Problem(
            f"{what}-failed",
            f"{what}:{ident}",
            f"Lịch phát: không xử lý được {what} {ident}: {exc}",
            f"Scheduler: {what} {ident} could not be processed: {exc}",
        )
        if self.alarms.report(problem):
            log.error("%s %s failed; the pass goes on without it", what, ident, exc_info=exc)

    @staticmethod
    def _close(db: Session, airing: Airing, status: AiringStatus, note: str, now: datetime) -> None:
        airing.status = status
        airing.note = note
        airing.ended_at = now
        audit(db, None, f"airing-{status.value}", f"airing:{airing.id}", note=note)


def _open(before: datetime, urgent: bool) -> Select[Any]:
    query = select(Airing.id).where(
        Airing.status == AiringStatus.SCHEDULED,
        Airing.started_at.is_(None),
        Airing.scheduled_at <= before,
    )
    if urgent:
        query = query.where(Airing.priority == Priority.EMERGENCY)
    return _ordered(query)


def _ordered(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(Slot, Airing.slot_id == Slot.id).order_by(
        Airing.scheduled_at, Slot.position, Airing.id
    )
