"""The console's pages for the day's work: the dashboard, composing, the review queue, the
announcements and one announcement. Each gathers what its page shows and renders it;
changes go through the API from the page's script (see the package docstring)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.deps import Db, Svc
from radio.airtime.timeline import next_airtime, on_air_now, zone_timeline
from radio.models import Airing, Announcement, Bulletin, Commune, Receiver, Slot, Status, User
from radio.web.console.frame import Viewer, page
from radio.web.routes.schedule import TimelineItemOut
from schedules import LOCAL_TZ

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _on_this_site(path: str) -> bool:
    """Only a path of this site: browsers read "//host" and "/\\host" as another site."""
    return (
        path.startswith("/")
        and not path.startswith(("//", "/\\"))
        and "\\" not in path
        and all(c.isprintable() for c in path)
    )


@router.get("/login")
def login(request: Request, next: str = "/", expired: bool = False) -> Response:
    safe_next = next if _on_this_site(next) else "/"
    return page(request, "login.html", None, next=safe_next, expired=expired)


@router.get("/")
def dashboard(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    now = services.clock.now()
    begin = datetime.combine(now.astimezone(LOCAL_TZ).date(), time(0), LOCAL_TZ)
    receivers = list(db.scalars(scope.receivers(user).where(Receiver.revoked.is_(False))))
    stats = services.speech.renderer.cache.stats()
    zones = [
        {
            "zone": z,
            "on_air": on_air_now(db, z),
            "today": [
                TimelineItemOut.model_validate(item).model_dump(mode="json")
                for item in zone_timeline(db, z, begin, begin + timedelta(days=1), services.length)
            ],
        }
        for z in db.scalars(scope.zones(user))
    ]
    return page(
        request,
        "dashboard.html",
        user,
        now=now,
        zones=zones,
        online=sum(r.online(now) for r in receivers),
        receivers=len(receivers),
        hit_rate=stats.hit_rate,
        stats=stats,
        alerts=list(db.scalars(scope.alerts(user).limit(10))),
    )


@router.get("/compose")
def compose(
    request: Request, user: Viewer, db: Db, services: Svc, id: int | None = None
) -> Response:
    announcement = scope.announcement(db, user, id) if id else None
    program = announcement.current.program if announcement else None
    return page(
        request,
        "compose.html",
        user,
        announcement=announcement,
        relay_sources=list(db.scalars(scope.relay_sources(user))),
        relayed=program if program and program.relayed else None,
        voices=services.catalog.selectable(),
        zones=list(db.scalars(scope.zones(user))),
        today=services.clock.now().astimezone(LOCAL_TZ).date(),
    )


@router.get("/review")
def review(request: Request, user: Viewer, db: Db) -> Response:
    pending = list(
        db.scalars(
            scope.announcements(user)
            .where(Announcement.status == Status.PENDING)
            .order_by(Announcement.updated_at)
        )
    )
    authors = {
        u.id: u.full_name or u.username
        for u in db.scalars(select(User).where(User.id.in_({a.created_by_id for a in pending})))
    }
    slots = _of_each(db, Slot, pending)
    return page(request, "review.html", user, pending=pending, slots=slots, authors=authors)


@router.get("/announcements")
def announcements(
    request: Request, user: Viewer, db: Db, services: Svc, status: Status | None = None
) -> Response:
    query = scope.announcements(user).order_by(Announcement.updated_at.desc())
    if status is not None:
        query = query.where(Announcement.status == status)
    items = list(db.scalars(query.limit(200)))
    return page(
        request,
        "announcements.html",
        user,
        items=items,
        coming=_coming(db, items, services.clock.now()),
        names={c.id: c.name for c in db.scalars(select(Commune))},
        status=status,
        statuses=list(Status),
    )


@router.get("/announcements/{announcement_id}")
def announcement(request: Request, announcement_id: int, user: Viewer, db: Db) -> Response:
    found = scope.announcement(db, user, announcement_id)
    airings = db.scalars(
        select(Airing)
        .where(Airing.announcement_id == found.id)
        .order_by(Airing.scheduled_at.desc())
        .limit(100)
    )
    slots = db.scalars(select(Slot).where(Slot.announcement_id == found.id))
    return page(
        request,
        "announcement.html",
        user,
        a=found,
        airings=list(airings),
        slots=list(slots),
        zones=list(db.scalars(scope.zones(user))),
        bulletin=db.get(Bulletin, found.bulletin_id) if found.bulletin_id else None,
    )


_Row = TypeVar("_Row", Slot, Airing)


def _of_each(
    db: Session, kind: type[_Row], announcements: list[Announcement]
) -> dict[int, list[_Row]]:
    """The slots (or airings) of each of these announcements, in one query."""
    found: dict[int, list[_Row]] = {a.id: [] for a in announcements}
    query = select(kind).where(kind.announcement_id.in_(list(found))).order_by(kind.id)
    for row in db.scalars(query):
        found[row.announcement_id].append(row)
    return found


def _coming(db: Session, items: list[Announcement], now: datetime) -> dict[int, datetime]:
    """The next airtime of each announcement that may still air."""
    live = [a for a in items if a.status in (Status.DRAFT, Status.PENDING, Status.APPROVED)]
    slots, airings = _of_each(db, Slot, live), _of_each(db, Airing, live)
    found = {a.id: next_airtime(slots[a.id], airings[a.id], now) for a in live}
    return {key: moment for key, moment in found.items() if moment is not None}
