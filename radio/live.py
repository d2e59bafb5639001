"""Live speech (phát trực tiếp): an officer with the live right speaks to chosen zones.

The right is given per user and zone by an operator (`User.live_zones`). Going live makes
an announcement of its own (archived at once: it was authorized by the right, not by a
review, and can never be scheduled again as it is) and an airing per zone, on air from
that moment; when the speech ends, what was said becomes the announcement's recording,
bound to each airing by its hash, so the as-run log and the archive say who spoke, when,
where, and what was heard. Every start and end is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.roles import Permission, require
from radio.audit import audit
from radio.errors import Forbidden, Invalid
from radio.models import (
    Airing,
    Announcement,
    Priority,
    Program,
    Revision,
    Source,
    Status,
    User,
    Zone,
)

MAX_LIVE_S = 3600.0  # a speech longer than an hour is ended


@dataclass(frozen=True)
class OnAir:
    """A speech under way: its announcement and each zone's airing."""

    announcement_id: int
    title: str
    airings: dict[str, int]  # zone slug -> airing id


def may_speak(db: Session, user: User, slugs: list[str]) -> list[Zone]:
    """The zones asked for, if the user may speak live on every one of them."""
    require(user, Permission.LIVE)
    if not slugs:
        raise Invalid("choose at least one zone", "hãy chọn ít nhất một cụm loa", field="zones")
    zones = [scope.zone(db, user, slug) for slug in dict.fromkeys(slugs)]
    refused = [z.slug for z in zones if z.slug not in (user.live_zones or [])]
    if refused:
        names = ", ".join(refused)
        raise Forbidden(
            f"you may not speak live on {names}", f"bạn không được phát trực tiếp tới {names}"
        )
    return zones


def begin(db: Session, user: User, slugs: list[str], now: datetime) -> OnAir:
    zones = may_speak(db, user, slugs)
    title = f"Phát trực tiếp: {user.full_name or user.username}"
    announcement = Announcement(
        title=title,
        status=Status.ARCHIVED,
        priority=Priority.NORMAL,
        created_by_id=user.id,
        commune_id=user.commune_id,
    )
    announcement.revisions.append(
        Revision(number=1, source=Source.RECORDING, text="", voice="", created_by_id=user.id)
    )
    db.add(announcement)
    db.flush()
    airings = {}
    for zone in zones:
        airing = Airing(
            zone_id=zone.id,
            announcement_id=announcement.id,
            scheduled_at=now,
            started_at=now,  # on air now: never the scheduler's to settle
            note=f"live: {user.username}",
        )
        db.add(airing)
        db.flush()
        airings[zone.slug] = airing.id
    audit(db, user, "live-start", f"announcement:{announcement.id}", zones=list(airings))
    return OnAir(announcement.id, title, airings)


def finish(db: Session, user: User, speech: OnAir, program: Program | None) -> None:
    """The speech ended: its recording bound to the announcement and every airing."""
    announcement = db.get(Announcement, speech.announcement_id)
    if announcement is None:
        return
    digest = program.hash if program is not None else None
    revision = announcement.current
    revision.program_hash = digest
    announcement.approved_revision_id = revision.id if digest else None
    announcement.approved_program_hash = digest
    for airing_id in speech.airings.values():
        airing = db.get(Airing, airing_id)
        if airing is not None:
            airing.program_hash = digest
    seconds = round(program.duration, 1) if program is not None else 0.0
    audit(db, user, "live-end", f"announcement:{announcement.id}", program=digest, seconds=seconds)
