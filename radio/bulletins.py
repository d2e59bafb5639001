"""Bulletins from the level above (Circular 39/2020/TT-BTTTT): the district or province
sends one to chosen communes at one of three levels.

- normal: it lands in the commune's inbox, approved by the sender, and airs once the
  commune schedules it like its own announcements;
- priority: it is placed first in the commune's next slot on every zone (items due at the
  same moment play one after another), and the officer may move it;
- emergency: it cuts into every zone of the commune at once, with no local approval.

Each commune gets its own announcement of the bulletin (a Delivery), so its airings, as-run
log and receipts are the commune's own, and the sender reads their state from there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio import communes, emergencies
from radio.announcements import audit
from radio.auth import require
from radio.errors import ApiError
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Bulletin,
    Delivery,
    Level,
    Priority,
    Program,
    Role,
    Slot,
    Status,
    User,
    Zone,
)
from radio.scheduler import next_airtime, zone_timeline
from schedules import local_iso

# A priority bulletin joins a slot at least this far ahead (time to reach playout), and
# looks this far for one.
PLACE_AHEAD = timedelta(seconds=30)
PLACE_WITHIN = timedelta(days=7)
AUDIO_VOICE = "audio"  # the revision of an uploaded recording has no voice


@dataclass(frozen=True)
class Outgoing:
    """What the sender sends: text read by `voice`, or a recording (text None)."""

    title: str
    level: Level
    communes: list[str]
    text: str | None = None
    voice: str | None = None
    rate: float = 1.0


def may_send(sender: User, level: Level) -> None:
    """Officers and operators of the level above; emergencies need the emergency right."""
    require(sender, Role.OFFICER, Role.OPERATOR)
    communes.require_above(sender)
    if level == Level.EMERGENCY:
        emergencies.require_right(sender)


def send(
    db: Session, sender: User, outgoing: Outgoing, program: Program, now: datetime
) -> Bulletin:
    may_send(sender, outgoing.level)
    chosen = [communes.by_slug(db, slug) for slug in dict.fromkeys(outgoing.communes)]
    if not chosen:
        raise ApiError(
            422, "choose at least one commune", "hãy chọn ít nhất một xã", field="communes"
        )
    bulletin = Bulletin(
        title=outgoing.title.strip(),
        level=outgoing.level,
        sender_id=sender.id,
        text=outgoing.text,
        voice=outgoing.voice,
        program_hash=program.hash,
        created_at=now,
    )
    db.add(bulletin)
    db.flush()
    emergency = outgoing.level == Level.EMERGENCY
    for commune in chosen:
        announcement = flow.made_elsewhere(
            db,
            sender,
            bulletin.title,
            outgoing.text or "",
            flow.Speech(outgoing.voice or AUDIO_VOICE, outgoing.rate),
            program.hash,
            bulletin_id=bulletin.id,
            commune_id=commune.id,
            priority=Priority.EMERGENCY if emergency else Priority.NORMAL,
        )
        db.add(
            Delivery(
                bulletin=bulletin, commune=commune, announcement=announcement, delivered_at=now
            )
        )
        zones = list(db.scalars(select(Zone).where(Zone.commune_id == commune.id)))
        if outgoing.level == Level.PRIORITY:
            place_first(db, announcement, zones, now)
        elif outgoing.level == Level.EMERGENCY:
            emergencies.air_now(db, announcement, program.hash, zones, now)
    db.flush()
    audit(
        db,
        sender,
        f"bulletin-{outgoing.level.value}",
        f"bulletin:{bulletin.id}",
        communes=[c.slug for c in chosen],
        program=program.hash,
    )
    return bulletin


def place_first(db: Session, announcement: Announcement, zones: list[Zone], now: datetime) -> None:
    """On each zone, first at the moment of the zone's next approved item; zones with
    nothing coming in the next week keep it in the inbox."""
    by_moment: dict[datetime, list[Zone]] = {}
    for zone in zones:
        coming = [
            item
            for item in zone_timeline(db, zone, now + PLACE_AHEAD, now + PLACE_WITHIN)
            if item["approved"] and item["announcement_id"] != announcement.id
        ]
        if coming:
            by_moment.setdefault(datetime.fromisoformat(coming[0]["start"]), []).append(zone)
    for moment, placed in sorted(by_moment.items()):
        db.add(Slot(announcement=announcement, zones=placed, at=moment, position=-1))


def status(db: Session, delivery: Delivery, now: datetime) -> dict[str, Any]:
    """Where the bulletin stands in one commune, for the sender: inbox, scheduled, on air,
    aired (on which zones, first when), or missed, failed, cancelled, archived."""
    announcement = delivery.announcement
    airings = list(db.scalars(select(Airing).where(Airing.announcement_id == announcement.id)))
    counts = Counter(a.status.value for a in airings)
    on_air = [a for a in airings if _on_air(a)]
    aired = [a for a in airings if a.status == AiringStatus.AIRED]
    slots = list(db.scalars(select(Slot).where(Slot.announcement_id == announcement.id)))
    coming = next_airtime(slots, airings, now)
    if on_air:
        state = "on-air"
    elif aired:
        state = "aired"
    elif coming is not None:
        state = "scheduled"
    elif announcement.status == Status.ARCHIVED:
        state = "archived"
    elif airings:
        state = max(counts, key=lambda k: counts[k])
    else:
        state = "inbox"
    first = min((a.started_at for a in aired if a.started_at), default=None)
    return {
        "commune": delivery.commune.slug,
        "commune_name": delivery.commune.name,
        "announcement_id": announcement.id,
        "delivered_at": local_iso(delivery.delivered_at),
        "state": state,
        "next_at": local_iso(coming),
        "first_aired_at": local_iso(first),
        "zones_aired": sorted({a.zone.slug for a in aired}),
        "airings": dict(counts),
    }


def _on_air(airing: Airing) -> bool:
    return (
        airing.status == AiringStatus.SCHEDULED
        and airing.started_at is not None
        and airing.ended_at is None
    )


def as_json(
    db: Session, bulletin: Bulletin, now: datetime, only: int | None = None
) -> dict[str, Any]:
    """The bulletin and its state in each commune (in one only, for a commune's user)."""
    deliveries = [d for d in bulletin.deliveries if only is None or d.commune_id == only]
    return {
        "id": bulletin.id,
        "title": bulletin.title,
        "level": bulletin.level.value,
        "sender": bulletin.sender.username,
        "sent_at": local_iso(bulletin.created_at),
        "text": bulletin.text,
        "voice": bulletin.voice,
        "program": bulletin.program_hash,
        "communes": [status(db, d, now) for d in deliveries],
    }
