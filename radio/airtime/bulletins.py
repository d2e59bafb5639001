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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio.access import scope
from radio.access.roles import Permission, require
from radio.airtime import emergencies
from radio.airtime.timeline import Length, next_airtime, zone_timeline
from radio.audit import audit
from radio.errors import Invalid
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Bulletin,
    Delivery,
    Level,
    Priority,
    Program,
    Slot,
    Status,
    User,
    Zone,
)
from radio.speech import Speech, Voicing

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
    zones: list[str] | None = None  # only these of the communes' zones (an alert's area)


@dataclass(frozen=True)
class CommuneState:
    """Where a bulletin stands in one commune, for its sender."""

    commune: str
    commune_name: str
    announcement_id: int
    delivered_at: datetime
    state: str  # inbox, scheduled, on-air, aired; or missed, failed, cancelled, archived
    next_at: datetime | None
    first_aired_at: datetime | None
    zones_aired: list[str]
    airings: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """A bulletin and its state in each commune it went to (or in the reader's own)."""

    bulletin: Bulletin
    communes: list[CommuneState]


def may_send(sender: User, level: Level) -> None:
    """Officers and operators of the level above; emergencies need the emergency right."""
    emergency = [Permission.EMERGENCY] if level == Level.EMERGENCY else []
    require(sender, Permission.COMPOSE, Permission.ABOVE, *emergency)


def send_text(
    db: Session, sender: User, outgoing: Outgoing, speech: Speech, now: datetime, length: Length
) -> Bulletin:
    """A text bulletin, read by the chosen voice here: the same audio for every commune."""
    may_send(sender, outgoing.level)
    voice, text = outgoing.voice or "", outgoing.text or ""
    flow.check(flow.Draft(outgoing.title, text, voice, outgoing.rate), speech)
    program = speech.render_row(db, [text], Voicing(voice, outgoing.rate))
    return send(db, sender, outgoing, program, now, length)


def send_recording(
    db: Session,
    sender: User,
    outgoing: Outgoing,
    data: bytes,
    speech: Speech,
    now: datetime,
    length: Length,
) -> Bulletin:
    """A recorded bulletin, brought to the broadcast format and loudness like speech."""
    may_send(sender, outgoing.level)
    if not outgoing.title.strip():
        raise Invalid("the title is empty", "tiêu đề đang để trống", field="title")
    program = speech.import_audio(db, data)
    return send(db, sender, outgoing, program, now, length)


def send(
    db: Session,
    sender: User,
    outgoing: Outgoing,
    program: Program,
    now: datetime,
    length: Length,
) -> Bulletin:
    may_send(sender, outgoing.level)
    chosen = [scope.by_slug(db, slug) for slug in dict.fromkeys(outgoing.communes)]
    if not chosen:
        raise Invalid("choose at least one commune", "hãy chọn ít nhất một xã", field="communes")
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
    for commune in chosen:
        _deliver(db, bulletin, commune.id, outgoing, now, length)
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


def _deliver(
    db: Session,
    bulletin: Bulletin,
    commune_id: int,
    outgoing: Outgoing,
    now: datetime,
    length: Length,
) -> None:
    """The commune's own announcement of the bulletin, placed as its level says."""
    emergency = outgoing.level == Level.EMERGENCY
    announcement = flow.made_elsewhere(
        db,
        bulletin.sender,
        bulletin.title,
        outgoing.text or "",
        Voicing(outgoing.voice or AUDIO_VOICE, outgoing.rate),
        bulletin.program_hash,
        bulletin_id=bulletin.id,
        commune_id=commune_id,
        priority=Priority.EMERGENCY if emergency else Priority.NORMAL,
    )
    db.add(
        Delivery(
            bulletin=bulletin,
            commune_id=commune_id,
            announcement=announcement,
            delivered_at=now,
        )
    )
    zones = list(db.scalars(select(Zone).where(Zone.commune_id == commune_id)))
    if outgoing.zones is not None:
        zones = [z for z in zones if z.slug in outgoing.zones]
    if outgoing.level == Level.PRIORITY:
        place_first(db, announcement, zones, now, length)
    elif emergency:
        emergencies.air_now(db, announcement, bulletin.program_hash, zones, now)


def place_first(
    db: Session, announcement: Announcement, zones: list[Zone], now: datetime, length: Length
) -> None:
    """On each zone, first at the moment of the zone's next approved item; zones with
    nothing coming in the next week keep it in the inbox."""
    by_moment: dict[datetime, list[Zone]] = {}
    for zone in zones:
        coming = [
            item
            for item in zone_timeline(db, zone, now + PLACE_AHEAD, now + PLACE_WITHIN, length)
            if item.approved and item.slot.announcement_id != announcement.id
        ]
        if coming:
            by_moment.setdefault(coming[0].start, []).append(zone)
    for moment, placed in sorted(by_moment.items()):
        db.add(Slot(announcement=announcement, zones=placed, at=moment, position=-1))


def status(db: Session, delivery: Delivery, now: datetime) -> CommuneState:
    """Where the bulletin stands in one commune, for the sender: inbox, scheduled, on air,
    aired (on which zones, first when), or missed, failed, cancelled, archived."""
    announcement = delivery.announcement
    airings = list(db.scalars(select(Airing).where(Airing.announcement_id == announcement.id)))
    counts = Counter(a.status.value for a in airings)
    aired = [a for a in airings if a.status == AiringStatus.AIRED]
    slots = list(db.scalars(select(Slot).where(Slot.announcement_id == announcement.id)))
    coming = next_airtime(slots, airings, now)
    if any(a.on_air for a in airings):
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
    return CommuneState(
        commune=delivery.commune.slug,
        commune_name=delivery.commune.name,
        announcement_id=announcement.id,
        delivered_at=delivery.delivered_at,
        state=state,
        next_at=coming,
        first_aired_at=min((a.started_at for a in aired if a.started_at), default=None),
        zones_aired=sorted({a.zone.slug for a in aired}),
        airings=dict(counts),
    )


def report(db: Session, bulletin: Bulletin, now: datetime, only: int | None = None) -> Report:
    """The bulletin and its state in each commune (in one only, for a commune's user)."""
    deliveries = [d for d in bulletin.deliveries if only is None or d.commune_id == only]
    return Report(bulletin, [status(db, d, now) for d in deliveries])
