"""Tenancy: what a user sees when one deployment serves several communes.

A user of a commune sees and changes only that commune's zones, receivers, announcements
and as-run log; a user with no commune works at the level above and sees them all. Every
route, page and service asks these functions rather than querying the tables on its own,
so the rule is written once. A thing the user may not see does not exist for them (404,
or 422 when it was named in a request body).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from radio.access.roles import require_own_commune
from radio.errors import Invalid, not_found
from radio.models import (
    Airing,
    Alert,
    Announcement,
    Bulletin,
    Commune,
    Delivery,
    Program,
    Receiver,
    Repeat,
    Revision,
    Slot,
    Template,
    User,
    Zone,
)


def zones(user: User) -> Select[Zone]:
    """By commune, then by name: the level above reads them commune by commune."""
    query = select(Zone).join(Commune).order_by(Commune.name, Zone.name)
    return query if user.commune_id is None else query.where(Zone.commune_id == user.commune_id)


def zone(db: Session, user: User, slug: str) -> Zone:
    """The zone by its slug, if the user may use it; otherwise it does not exist for them."""
    found = db.scalar(zones(user).where(Zone.slug == slug))
    if found is None:
        raise Invalid(f"unknown zone {slug!r}", f"không có khu vực '{slug}'", field="zones")
    return found


def announcements(user: User) -> Select[Announcement]:
    query = select(Announcement)
    if user.commune_id is None:
        return query
    return query.where(Announcement.commune_id == user.commune_id)


def announcement(db: Session, user: User, announcement_id: int) -> Announcement:
    found = db.get(Announcement, announcement_id)
    if found is None or not sees(user, found.commune_id):
        raise not_found("announcement", "thông báo")
    return found


def slot(db: Session, user: User, slot_id: int) -> Slot:
    found = db.get(Slot, slot_id)
    if found is None or not sees(user, found.announcement.commune_id):
        raise not_found("slot", "giờ phát")
    return found


def slots(user: User) -> Select[Slot]:
    query = select(Slot).join(Announcement).order_by(Slot.id)
    if user.commune_id is None:
        return query
    return query.where(Announcement.commune_id == user.commune_id)


def bulletins(user: User) -> Select[Bulletin]:
    """Newest first; a commune sees those delivered to it."""
    query = select(Bulletin).order_by(Bulletin.id.desc())
    if user.commune_id is None:
        return query
    return query.join(Delivery).where(Delivery.commune_id == user.commune_id)


def bulletin(db: Session, user: User, bulletin_id: int) -> Bulletin:
    """A bulletin the user sent or that was delivered to the user's commune."""
    found = db.get(Bulletin, bulletin_id)
    if found is None or not any(sees(user, d.commune_id) for d in found.deliveries):
        raise not_found("bulletin", "bản tin")
    return found


def commune(db: Session, user: User, slug: str) -> Commune:
    found = db.scalar(select(Commune).where(Commune.slug == slug))
    if found is None or not sees(user, found.id):
        raise not_found("commune", "xã")
    return found


def communes(user: User) -> Select[Commune]:
    query = select(Commune).order_by(Commune.name)
    return query if user.commune_id is None else query.where(Commune.id == user.commune_id)


def receivers(user: User) -> Select[Receiver]:
    query = select(Receiver).join(Zone)
    return query if user.commune_id is None else query.where(Zone.commune_id == user.commune_id)


def receiver(db: Session, user: User, receiver_id: int) -> Receiver:
    found = db.get(Receiver, receiver_id)
    if found is None or not sees(user, found.zone.commune_id):
        raise not_found("receiver", "thiết bị thu")
    return found


def airings(user: User) -> Select[Airing]:
    query = select(Airing).join(Zone)
    return query if user.commune_id is None else query.where(Zone.commune_id == user.commune_id)


def templates(user: User) -> Select[Template]:
    """A commune's own emergency templates and those of the level above."""
    query = select(Template).order_by(Template.name)
    if user.commune_id is None:
        return query
    return query.where((Template.commune_id == user.commune_id) | Template.commune_id.is_(None))


def template(db: Session, user: User, template_id: int) -> Template:
    found = db.get(Template, template_id)
    if found is None or not (found.commune_id is None or sees(user, found.commune_id)):
        raise not_found("template", "mẫu thông báo")
    return found


def repeats(user: User) -> Select[Repeat]:
    """Emergencies that come back until cancelled, oldest first."""
    query = select(Repeat).where(Repeat.cancelled_at.is_(None)).order_by(Repeat.id)
    if user.commune_id is None:
        return query
    return query.join(Announcement).where(Announcement.commune_id == user.commune_id)


def repeat(db: Session, user: User, repeat_id: int) -> Repeat:
    found = db.get(Repeat, repeat_id)
    if found is None or not sees(user, found.announcement.commune_id):
        raise not_found("repeating emergency", "thông báo khẩn lặp lại")
    return found


def users(user: User) -> Select[User]:
    query = select(User).order_by(User.username)
    return query if user.commune_id is None else query.where(User.commune_id == user.commune_id)


def alerts(user: User) -> Select[Alert]:
    """A commune's own alerts; the level above sees every one."""
    query = select(Alert).order_by(Alert.id.desc())
    return query if user.commune_id is None else query.where(Alert.commune_id == user.commune_id)


def program(db: Session, user: User, program_hash: str) -> Program:
    """A program's audio, if the user may hear it: the level above, any; a commune, one made
    for its own announcements (bulletins delivered to it included) or aired on its zones."""
    found = db.get(Program, program_hash)
    if found is not None and user.commune_id is not None:
        made_here = (
            select(Revision.id)
            .join(Announcement, Revision.announcement_id == Announcement.id)
            .where(
                Revision.program_hash == program_hash, Announcement.commune_id == user.commune_id
            )
        )
        aired_here = (
            select(Airing.id)
            .join(Zone)
            .where(Airing.program_hash == program_hash, Zone.commune_id == user.commune_id)
        )
        if db.scalar(made_here.union_all(aired_here).limit(1)) is None:
            found = None
    if found is None or not Path(found.mp3_path).is_file():
        raise not_found("program", "bản âm thanh")
    return found


def sees(user: User, commune_id: int | None) -> bool:
    """The level above sees everything; a commune sees its own (not the level above's)."""
    return user.commune_id is None or commune_id == user.commune_id


def by_slug(db: Session, slug: str) -> Commune:
    found = db.scalar(select(Commune).where(Commune.slug == slug))
    if found is None:
        raise Invalid(f"unknown commune {slug!r}", f"không có xã '{slug}'", field="communes")
    return found


def for_new(db: Session, user: User, slug: str | None) -> Commune:
    """The commune a new zone or user goes to: the user's own; at the level above, the one
    named, or the only one there is."""
    if user.commune_id is not None:
        own = db.get(Commune, user.commune_id)
        assert own is not None
        if slug is not None:
            require_own_commune(user, slug, own.slug)
        return own
    if slug is not None:
        return by_slug(db, slug)
    every = list(db.scalars(select(Commune).limit(2)))
    if len(every) != 1:
        raise Invalid("say which commune", "hãy chọn xã", field="commune")
    return every[0]
