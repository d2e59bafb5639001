"""The console's pages. Each handler gathers what its page shows and renders a template;
changes go through the API from the page's script (see the package docstring)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import auth, bulletins, communes, emergencies
from radio.console.i18n import LANGS, translator
from radio.console.public import add_public_pages
from radio.deps import SESSION_COOKIE, Db, Svc, token_of
from radio.errors import ApiError
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Bulletin,
    Commune,
    Level,
    Priority,
    Receipt,
    Receiver,
    Role,
    Slot,
    Status,
    User,
    Zone,
)
from radio.scheduler import next_airtime, zone_timeline
from radio.templates import parse
from radio.volume import target_volume
from schedules import LOCAL_TZ, local_time
from voices import Catalog, VoiceError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
LANG_COOKIE = "loaxa_lang"

# (path, label key, roles that see it; empty means everyone signed in)
NAV: list[tuple[str, str, tuple[Role, ...]]] = [
    ("/", "dashboard", ()),
    ("/compose", "compose", (Role.OFFICER, Role.OPERATOR)),
    ("/review", "review", (Role.REVIEWER, Role.OPERATOR)),
    ("/announcements", "announcements", ()),
    ("/asrun", "asrun", ()),
    ("/receivers", "receivers", ()),
    ("/voices", "voices", ()),
    ("/bulletins", "bulletins", ()),
    ("/emergency", "emergency_page", ()),
    ("/admin", "admin", (Role.OPERATOR,)),
]


class _SignIn(Exception):
    """The page needs a signed-in user; carries where to come back to."""

    def __init__(self, target: str) -> None:
        self.target = target


def add_console(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(_SignIn)
    async def sign_in(_: Request, exc: _SignIn) -> RedirectResponse:
        return RedirectResponse(exc.target, 303)

    add_public_pages(app, page)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login(request: Request, next: str = "/", expired: bool = False) -> Response:
        safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
        return page(request, "login.html", None, next=safe_next, expired=expired)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        now = services.clock.now()
        day = now.astimezone(LOCAL_TZ).date()
        begin = datetime.combine(day, time(0), LOCAL_TZ)
        zones = list(db.scalars(communes.zones(user)))
        receivers = list(db.scalars(communes.receivers(user).where(Receiver.revoked.is_(False))))
        stats = services.renderer.cache.stats()
        return page(
            request,
            "dashboard.html",
            user,
            now=now,
            zones=[
                {
                    "zone": z,
                    "on_air": _on_air(db, z),
                    "today": zone_timeline(db, z, begin, begin + timedelta(days=1)),
                }
                for z in zones
            ],
            online=sum(r.online(now) for r in receivers),
            receivers=len(receivers),
            hit_rate=stats.hit_rate,
            stats=stats,
            alerts=list(db.scalars(communes.alerts(user).limit(10))),
        )

    @app.get("/compose", response_class=HTMLResponse, include_in_schema=False)
    def compose(request: Request, db: Db, services: Svc, id: int | None = None) -> Response:
        user = _signed_in(request, db, services)
        announcement = communes.announcement(db, user, id) if id else None
        return page(
            request,
            "compose.html",
            user,
            announcement=announcement,
            voices=services.catalog.selectable(),
            zones=list(db.scalars(communes.zones(user))),
            today=services.clock.now().astimezone(LOCAL_TZ).date(),
        )

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    def review(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        pending = list(
            db.scalars(
                communes.announcements(user)
                .where(Announcement.status == Status.PENDING)
                .order_by(Announcement.updated_at)
            )
        )
        slots = _of_each(db, Slot, pending)
        authors = {
            u.id: u.full_name or u.username
            for u in db.scalars(select(User).where(User.id.in_({a.created_by_id for a in pending})))
        }
        return page(request, "review.html", user, pending=pending, slots=slots, authors=authors)

    @app.get("/announcements", response_class=HTMLResponse, include_in_schema=False)
    def announcements(
        request: Request, db: Db, services: Svc, status: Status | None = None
    ) -> Response:
        user = _signed_in(request, db, services)
        query = communes.announcements(user).order_by(Announcement.updated_at.desc())
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

    @app.get(
        "/announcements/{announcement_id}", response_class=HTMLResponse, include_in_schema=False
    )
    def announcement(request: Request, announcement_id: int, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        found = communes.announcement(db, user, announcement_id)
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
            zones=list(db.scalars(communes.zones(user))),
            bulletin=db.get(Bulletin, found.bulletin_id) if found.bulletin_id else None,
        )

    @app.get("/receivers", response_class=HTMLResponse, include_in_schema=False)
    def receivers(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        listed = list(
            db.scalars(
                communes.receivers(user).where(Receiver.revoked.is_(False)).order_by(Receiver.name)
            )
        )
        now = services.clock.now()
        return page(
            request,
            "receivers.html",
            user,
            receivers=listed,
            targets={r.id: target_volume(db, r, now) for r in listed},
            zones=list(db.scalars(communes.zones(user))),
            now=now,
        )

    @app.get("/asrun", response_class=HTMLResponse, include_in_schema=False)
    def asrun(
        request: Request,
        db: Db,
        services: Svc,
        start: date | None = None,
        end: date | None = None,
        zone: str = "",
    ) -> Response:
        user = _signed_in(request, db, services)
        today = services.clock.now().astimezone(LOCAL_TZ).date()
        start, end = start or today, end or today
        query = communes.airings(user).where(
            Airing.scheduled_at >= datetime.combine(start, time(0), LOCAL_TZ),
            Airing.scheduled_at < datetime.combine(end, time(0), LOCAL_TZ) + timedelta(days=1),
        )
        if zone:
            query = query.where(Zone.slug == zone)
        airings = list(db.scalars(query.order_by(Airing.scheduled_at.desc())))
        receipts: dict[int, list[Receipt]] = {}
        for r in db.scalars(select(Receipt).where(Receipt.airing_id.in_([a.id for a in airings]))):
            receipts.setdefault(r.airing_id, []).append(r)
        return page(
            request,
            "asrun.html",
            user,
            airings=airings,
            receipts=receipts,
            start=start,
            end=end,
            zone=zone,
            zones=list(db.scalars(communes.zones(user))),
        )

    @app.get("/voices", response_class=HTMLResponse, include_in_schema=False)
    def voices(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        return page(request, "voices.html", user, voices=services.catalog.voices())

    @app.get("/emergency", response_class=HTMLResponse, include_in_schema=False)
    def emergency(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        zones = list(db.scalars(communes.zones(user)))
        return page(
            request,
            "emergency.html",
            user,
            zones=[{"zone": z, "on_air": _on_air(db, z)} for z in zones],
            voices=services.catalog.selectable(),
            templates=[(t, parse(t.text).fields) for t in db.scalars(communes.templates(user))],
            repeats=emergencies.active(db, user),
        )

    @app.get("/bulletins", response_class=HTMLResponse, include_in_schema=False)
    def bulletins_page(request: Request, db: Db, services: Svc) -> Response:
        """The level above sends and follows bulletins; a commune reads its inbox."""
        user = _signed_in(request, db, services)
        now = services.clock.now()
        query = communes.bulletins(user).limit(50)
        return page(
            request,
            "bulletins.html",
            user,
            bulletins=[bulletins.as_json(db, b, now, user.commune_id) for b in db.scalars(query)],
            communes=list(db.scalars(communes.communes(user))),
            voices=services.catalog.selectable(),
            levels=list(Level),
        )

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    def admin(request: Request, db: Db, services: Svc) -> Response:
        user = _signed_in(request, db, services)
        people = select(User)
        if user.commune_id is not None:
            people = people.where(User.commune_id == user.commune_id)
        every = list(db.scalars(communes.communes(user)))
        return page(
            request,
            "admin.html",
            user,
            users=list(db.scalars(people.order_by(User.username))),
            zones=list(db.scalars(communes.zones(user))),
            communes=every,
            names={c.id: c.name for c in every},
            roles=list(Role),
        )


def page(
    request: Request,
    template: str,
    user: User | None,
    media_type: str = "text/html; charset=utf-8",
    **context: Any,
) -> Response:
    """Render a page in the reader's language; `?lang=` switches it and is remembered."""
    asked = request.query_params.get("lang")
    lang = asked if asked in LANGS else request.cookies.get(LANG_COOKIE, "vi")
    lang = lang if lang in LANGS else "vi"
    token = token_of(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": translator(lang),
            "lang": lang,
            "user": user,
            "csrf": auth.csrf_for(token) if token and user else "",
            "nav": [
                (path, key)
                for path, key, roles in NAV
                if user is not None and (not roles or user.role in roles)
            ],
            "path": request.url.path,
            "local": _local,
            "voice_name": _voice_name(request.app.state.services.catalog),
            **context,
        },
        media_type=media_type,
    )
    if asked in LANGS:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return response


def _signed_in(request: Request, db: Session, services: Svc) -> User:
    """The user of the session cookie, or off to the login page (saying so when the
    session has expired) and back here after."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        return auth.user_for(db, token, services.clock.now())
    except ApiError:
        back = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
        expired = "&expired=1" if token else ""
        raise _SignIn(f"/login?next={back}{expired}") from None


def _on_air(db: Session, zone: Zone) -> Airing | None:
    return db.scalar(
        select(Airing)
        .where(
            Airing.zone_id == zone.id,
            Airing.status == AiringStatus.SCHEDULED,
            Airing.started_at.is_not(None),
            Airing.ended_at.is_(None),
        )
        .order_by((Airing.priority == Priority.EMERGENCY).desc(), Airing.started_at.desc())
        .limit(1)
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


def _voice_name(catalog: Catalog) -> Callable[[str], str]:
    """A voice's name as people know it ("Giọng nữ miền Bắc (eSpeak)"); its id when the
    voice is no longer installed. Looked up once per voice and page: the catalog reads
    the voices directory."""

    @functools.cache
    def name(voice_id: str) -> str:
        try:
            return catalog.info(voice_id).name
        except VoiceError:
            return voice_id

    return name


def _local(moment: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    return local_time(moment).strftime(fmt) if moment else ""
