"""Emergencies: airings made at once on chosen zones. They skip review (whoever makes one
holds the right, and it is audited when made) and cut into whatever is playing; one may
come back every N minutes until someone cancels it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.roles import Permission, require
from radio.audit import audit
from radio.models import Airing, AiringStatus, Announcement, Priority, Repeat, User, Zone


def air_now(
    db: Session, announcement: Announcement, program_hash: str, zones: list[Zone], now: datetime
) -> list[Airing]:
    airings = [
        Airing(
            zone=zone,
            announcement=announcement,
            program_hash=program_hash,
            priority=Priority.EMERGENCY,
            scheduled_at=now,
            note="emergency",
        )
        for zone in zones
    ]
    db.add_all(airings)
    db.flush()
    return airings


def start(
    db: Session,
    user: User,
    announcement: Announcement,
    program_hash: str,
    zones: list[Zone],
    now: datetime,
    repeat_minutes: int | None = None,
) -> tuple[list[Airing], Repeat | None]:
    """On the zones now, on record (audited) before it can air; and again every
    `repeat_minutes` if asked."""
    require(user, Permission.EMERGENCY)
    airings = air_now(db, announcement, program_hash, zones, now)
    repeat = None
    if repeat_minutes is not None:
        repeat = Repeat(
            announcement=announcement,
            program_hash=program_hash,
            zone_ids=[z.id for z in zones],
            every_minutes=repeat_minutes,
            next_at=now + timedelta(minutes=repeat_minutes),
            created_by_id=user.id,
        )
        db.add(repeat)
        db.flush()
    audit(
        db,
        user,
        "emergency",
        f"announcement:{announcement.id}",
        zones=[z.slug for z in zones],
        program=program_hash,
        airings=[a.id for a in airings],
        repeat_minutes=repeat_minutes,
    )
    return airings, repeat


def air_repeats(db: Session, now: datetime) -> list[Airing]:
    """The repeats that are due, on air again. After an outage a repeat airs once, not
    once for every interval it slept through; past its `until` it airs no more."""
    made: list[Airing] = []
    for repeat in db.scalars(
        select(Repeat).where(
            Repeat.cancelled_at.is_(None),
            Repeat.next_at <= now,
            or_(Repeat.until.is_(None), Repeat.until > now),
        )
    ):
        zones = [z for z in (db.get(Zone, i) for i in repeat.zone_ids) if z is not None]
        made += air_now(db, repeat.announcement, repeat.program_hash, zones, now)
        while repeat.next_at <= now:
            repeat.next_at += timedelta(minutes=repeat.every_minutes)
    return made


def cancel(db: Session, user: User, repeat_id: int, now: datetime) -> Repeat:
    """No more repeats, and its airings not yet started are called off; one already on air
    plays to its end."""
    require(user, Permission.EMERGENCY)
    repeat = scope.repeat(db, user, repeat_id)
    if repeat.cancelled_at is None:
        repeat.cancelled_at = now
        waiting = db.scalars(
            select(Airing).where(
                Airing.announcement_id == repeat.announcement_id,
                Airing.priority == Priority.EMERGENCY,
                Airing.status == AiringStatus.SCHEDULED,
                Airing.started_at.is_(None),
            )
        )
        for airing in waiting:
            airing.status, airing.ended_at, airing.note = AiringStatus.CANCELLED, now, "cancelled"
        audit(db, user, "cancel-emergency", f"repeat:{repeat.id}")
    return repeat
