"""Tenancy: what a user sees when one deployment serves several communes.

A user of a commune sees and changes only that commune's zones, receivers, announcements
and as-run log; a user with no commune works at the level above and sees them all. Every
route, page and service asks these functions rather than querying the tables on its own,
so the rule is written once. A thing the user may not see does not exist for them (404,
or 422 when it was named in a request body).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
    RelaySource,
    Repeat,
    Revision,
    Slot,
    Template,
    User,
    Zone,
)

T = TypeVar("T")
Row = TypeVar("Row")


def _scoped(user: User, query: Select[T], commune: Any, via: Any = None) -> Select[T]:
    """The query as the user may read it: all of it at the level above, else the rows whose
    `commune` column (in the table joined `via`, if one is named) is the user's."""
    if user.commune_id is None:
        return query
    return (query if via is None else query.join(via)).where(commune == user.commune_id)


def _own(
    user: User, found: Row | None, commune_of: Callable[[Row], int | None], what: tuple[str, str]
) -> Row:
    """The row, if the user may see it; otherwise it does not exist for them."""
    if found is None or not sees(user, commune_of(found)):
        raise not_found(*what)
    return found


def zones(user: User) -> Select[Zone]:
    """By commune, then by name: the level above reads them commune by commune."""
    live = select(Zone).join(Commune).where(Zone.retired_at.is_(None))
    return _scoped(user, live.order_by(Commune.name, Zone.name), Zone.commune_id)


def zone(db: Session, user: User, slug: str) -> Zone:
    """The zone by its slug, if the user may use it (named in a request: 422 otherwise)."""
    found = db.scalar(zones(user).where(Zone.slug == slug))
    if found is None:
        raise Invalid(f"unknown zone {slug!r}", f"không có khu vực '{slug}'", field="zones")
    return found


def announcements(user: User) -> Select[Announcement]:
    return _scoped(user, select(Announcement), Announcement.commune_id)


def announcement(db: Session, user: User, announcement_id: int) -> Announcement:
    found = db.get(Announcement, announcement_id)
    return _own(user, found, lambda a: a.commune_id, ("announcement", "thông báo"))


def slots(user: User) -> Select[Slot]:
    query = select(Slot).join(Announcement).order_by(Slot.id)
    return _scoped(user, query, Announcement.commune_id)


def slot(db: Session, user: User, slot_id: int) -> Slot:
    found = db.get(Slot, slot_id)
    return _own(user, found, lambda s: s.announcement.commune_id, ("slot", "giờ phát"))


def bulletins(user: User) -> Select[Bulletin]:
    """Newest first; a commune sees those delivered to it."""
    query = select(Bulletin).order_by(Bulletin.id.desc())
    return _scoped(user, query, Delivery.commune_id, via=Delivery)


def bulletin(db: Session, user: User, bulletin_id: int) -> Bulletin:
    """A bulletin the user sent or that was delivered to the user's commune."""
    found = db.get(Bulletin, bulletin_id)
    if found is None or not any(sees(user, d.commune_id) for d in found.deliveries):
        raise not_found("bulletin", "bản tin")
    return found


def communes(user: User) -> Select[Commune]:
    return _scoped(user, select(Commune).order_by(Commune.name), Commune.id)


def commune(db: Session, user: User, slug: str) -> Commune:
    found = db.scalar(select(Commune).where(Commune.slug == slug))
    return _own(user, found, lambda c: c.id, ("commune", "xã"))


def receivers(user: User) -> Select[Receiver]:
    return _scoped(user, select(Receiver).join(Zone), Zone.commune_id)


def receiver(db: Session, user: User, receiver_id: int) -> Receiver:
    found = db.get(Receiver, receiver_id)
    return _own(user, found, lambda r: r.zone.commune_id, ("receiver", "thiết bị thu"))


def airings(user: User) -> Select[Airing]:
    return _scoped(user, select(Airing).join(Zone), Zone.commune_id)


def templates(user: User) -> Select[Template]:
    """A commune's own emergency templates and those of the level above."""
    query = select(Template).order_by(Template.name)
    if user.commune_id is None:
        return query
    return query.where((Template.commune_id == user.commune_id) | Template.commune_id.is_(None))


def template(db: Session, user: User, template_id: int) -> Template:
    """A template of the user's commune, or of the level above (which every commune uses)."""
    found = db.get(Template, template_id)
    return _own(
        user, found, lambda t: t.commune_id or user.commune_id, ("template", "mẫu thông báo")
    )


def relay_sources(user: User) -> Select[RelaySource]:
    """A commune's own relay sources and those of the level above."""
    query = select(RelaySource).order_by(RelaySource.name)
    if user.commune_id is None:
        return query
    return query.where(
        (RelaySource.commune_id == user.commune_id) | RelaySource.commune_id.is_(None)
    )


def relay_source(db: Session, user: User, source_id: int) -> RelaySource:
    """A relay source of the user's commune, or of the level above."""
    found = db.get(RelaySource, source_id)
    return _own(
        user, found, lambda s: s.commune_id or user.commune_id, ("relay source", "nguồn tiếp sóng")
    )


def repeats(user: User) -> Select[Repeat]:
    """Emergencies that come back until cancelled, oldest first."""
    query = select(Repeat).where(Repeat.cancelled_at.is_(None)).order_by(Repeat.id)
    return _scoped(user, query, Announcement.commune_id, via=Announcement)


def repeat(db: Session, user: User, repeat_id: int) -> Repeat:
    found = db.get(Repeat, repeat_id)
    what = ("repeating emergency", "thông báo khẩn lặp lại")
    return _own(user, found, lambda r: r.announcement.commune_id, what)


def users(user: User) -> Select[User]:
    return _scoped(user, select(User).order_by(User.username), User.commune_id)


def alerts(user: User) -> Select[Alert]:
    """A commune's own alerts; the level above sees every one."""
    return _scoped(user, select(Alert).order_by(Alert.id.desc()), Alert.commune_id)


def program(db: Session, user: User, program_hash: str) -> Program:
    """A program's audio, if the user may hear it: the level above, any; a commune, one made
    for its own announcements (bulletins delivered to it included), aired on its zones, or
    the last test of a relay source it may use. A relay has no audio of its own: what is
    heard of it is its source's last test, what the reviewer approves it by."""
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
        sampled_here = relay_sources(user).with_only_columns(RelaySource.id)
        sampled_here = sampled_here.where(RelaySource.sample_hash == program_hash).order_by(None)
        heard = made_here.union_all(aired_here, sampled_here)
        if db.scalar(heard.limit(1)) is None:
            found = None
    if found is not None and found.relayed:
        source = db.get(RelaySource, found.relay_source_id) if found.relay_source_id else None
        found = db.get(Program, source.sample_hash) if source and source.sample_hash else None
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
