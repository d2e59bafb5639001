"""What volume a receiver should play at now: full for an emergency on its zone, else the
receiver's own setting or its zone's, turned down during the zone's quiet hours."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.models import Airing, AiringStatus, Priority, Receiver, Zone
from schedules import LOCAL_TZ


def target_volume(db: Session, receiver: Receiver, now: datetime) -> int:
    if _emergency_on_air(db, receiver.zone, now):
        return 100
    volume = receiver.volume_set if receiver.volume_set is not None else receiver.zone.volume
    zone = receiver.zone
    if zone.quiet_volume is not None and _within(zone.quiet_from, zone.quiet_until, now):
        return min(volume, zone.quiet_volume)
    return volume


def _emergency_on_air(db: Session, zone: Zone, now: datetime) -> bool:
    """An emergency on the zone that has not ended (or is about to start)."""
    found = db.scalar(
        select(Airing.id)
        .where(
            Airing.zone_id == zone.id,
            Airing.priority == Priority.EMERGENCY,
            Airing.status == AiringStatus.SCHEDULED,
            Airing.scheduled_at <= now,
        )
        .limit(1)
    )
    return found is not None


def _within(start: str | None, end: str | None, now: datetime) -> bool:
    """Whether local time falls in [start, end), which may run past midnight."""
    if not start or not end:
        return False
    moment = now.astimezone(LOCAL_TZ).time()
    begin, until = time.fromisoformat(start), time.fromisoformat(end)
    return begin <= moment < until if begin <= until else moment >= begin or moment < until
