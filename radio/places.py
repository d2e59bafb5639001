"""Retiring a zone: its history stays.

A zone that has aired anything keeps its as-run rows and its receivers' receipts (the
record of what the loudspeakers played is evidence, and is kept); it is retired instead
of deleted: it takes no new airings, its pending ones are cancelled, its receivers are
revoked (their open streams end within a second) and it leaves every slot. A zone with
no history is simply deleted. Either way the operator's act is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.audit import audit
from radio.models import Airing, AiringStatus, Receiver, Slot, User, Zone


def retire_zone(db: Session, user: User, zone: Zone, now: datetime) -> str:
    """ "retired" or "deleted", as was done."""
    pending = (Airing.status == AiringStatus.SCHEDULED) & Airing.started_at.is_(None)
    history = db.scalar(select(Airing.id).where(Airing.zone_id == zone.id, ~pending).limit(1))
    if history is None:
        db.delete(zone)
        audit(db, user, "delete-zone", f"zone:{zone.slug}")
        return "deleted"
    for airing in db.scalars(select(Airing).where(Airing.zone_id == zone.id, pending)):
        airing.status, airing.ended_at = AiringStatus.CANCELLED, now
        airing.note = "not aired: its zone was retired"
    revoked = 0
    for receiver in db.scalars(select(Receiver).where(Receiver.zone_id == zone.id)):
        revoked += not receiver.revoked
        receiver.revoked = True
    for slot in db.scalars(select(Slot).join(Slot.zones).where(Zone.id == zone.id)):
        slot.zones.remove(zone)
    zone.retired_at = now
    audit(db, user, "retire-zone", f"zone:{zone.slug}", receivers_revoked=revoked)
    return "retired"
