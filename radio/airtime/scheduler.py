"""The scheduler's pass over our own tables: slots become airings, approved programs are
ready before their airtime, due airings go to playout, late ones are played or marked
missed.

Everything lives in the database, so a restart loses nothing: the first tick after it
finds upcoming airings intact and marks the ones that passed unplayed as missed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.airtime.emergencies import air_repeats
from radio.airtime.timeline import spec_of
from radio.audit import audit
from radio.models import Airing, AiringStatus, Priority, Program, Revision, Slot, Status
from radio.speech import Speech
from schedules import Clock, late_policy, occurrences
from voices.store.integrity import intact

# Airings this close to their time are handed to playout already, which starts them on the
# frame: a busy server's tick can then be late without the program being late.
HANDOVER = timedelta(seconds=3)


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


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        speech: Speech,
        timing: Timing = Timing(),
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.speech = speech
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
            program = self.speech.render_revision(db, revision)
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
        return not verify or intact(Path(program.mp3_path), program.hash)

    @staticmethod
    def _close(db: Session, airing: Airing, status: AiringStatus, note: str, now: datetime) -> None:
        airing.status = status
        airing.note = note
        airing.ended_at = now
        audit(db, None, f"airing-{status.value}", f"airing:{airing.id}", note=note)
