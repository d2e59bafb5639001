"""The console's pages for running the station: loudspeakers, the as-run log, voices,
relay sources, emergencies, bulletins from above and administration."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from radio.access import scope
from radio.access.deps import Db, Svc
from radio.access.roles import Permission, require
from radio.airtime import bulletins
from radio.airtime.templates import parse
from radio.airtime.timeline import on_air_now
from radio.federation.links import COMMUNE, SOURCE
from radio.models import (
    Airing,
    Announcement,
    CapAlert,
    FederationLink,
    Level,
    Receipt,
    Receiver,
    Role,
    Source,
    Zone,
)
from radio.onair.lease import leader_url
from radio.settings import OSM_TILES
from radio.volume import target_volume
from radio.web.console.frame import Viewer, page
from radio.web.routes.bulletins import BulletinOut
from radio.web.routes.federation import link_out
from radio.web.routes.reports import Asked, ReportOut, figures
from schedules import LOCAL_TZ

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/receivers")
def receivers(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    listed = list(
        db.scalars(scope.receivers(user).where(Receiver.revoked.is_(False)).order_by(Receiver.name))
    )
    now = services.clock.now()
    return page(
        request,
        "receivers.html",
        user,
        receivers=listed,
        targets={r.id: target_volume(db, r, now) for r in listed},
        zones=list(db.scalars(scope.zones(user))),
        now=now,
    )


@router.get("/asrun")
def asrun(
    request: Request,
    user: Viewer,
    db: Db,
    services: Svc,
    start: date | None = None,
    end: date | None = None,
    zone: str = "",
) -> Response:
    today = services.clock.now().astimezone(LOCAL_TZ).date()
    start, end = start or today, end or today
    query = scope.airings(user).where(
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
        zones=list(db.scalars(scope.zones(user))),
    )


@router.get("/voices")
def voices(request: Request, user: Viewer, services: Svc) -> Response:
    return page(request, "voices.html", user, voices=services.catalog.voices())


@router.get("/live")
def live_page(request: Request, user: Viewer, db: Db) -> Response:
    """Speak live to the zones the user was given (the live right)."""
    given = set(user.live_zones or [])
    zones = [z for z in db.scalars(scope.zones(user)) if z.slug in given]
    return page(request, "live.html", user, zones=zones, live_url=_live_url(request, db))


def _live_url(request: Request, db: Db) -> str:
    """Where the microphone goes: this process when it plays out (""), else the worker
    leading playout (the same session cookie reaches it on the same host name)."""
    if request.app.state.onair is not None:
        return ""
    worker = leader_url(db) or request.app.state.worker_url or ""
    return worker.rstrip("/").replace("http", "ws", 1) + "/api/live" if worker else ""


@router.get("/relay")
def relay_sources(request: Request, user: Viewer, db: Db) -> Response:
    sources = list(db.scalars(scope.relay_sources(user)))
    approved = scope.announcements(user).where(Announcement.approved_program_hash.is_not(None))
    standbys = [a for a in db.scalars(approved) if a.current.source != Source.RELAY]
    return page(request, "relay.html", user, sources=sources, standbys=standbys)


@router.get("/emergency")
def emergency(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    zones = list(db.scalars(scope.zones(user)))
    return page(
        request,
        "emergency.html",
        user,
        zones=[{"zone": z, "on_air": on_air_now(db, z)} for z in zones],
        voices=services.catalog.selectable(),
        templates=[(t, parse(t.text).fields) for t in db.scalars(scope.templates(user))],
        repeats=list(db.scalars(scope.repeats(user))),
    )


@router.get("/bulletins")
def bulletins_page(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    """The level above sends and follows bulletins; a commune reads its inbox."""
    now = services.clock.now()
    sent = [
        BulletinOut.of(bulletins.report(db, b, now, user.commune_id)).model_dump(mode="json")
        for b in db.scalars(scope.bulletins(user).limit(50))
    ]
    return page(
        request,
        "bulletins.html",
        user,
        bulletins=sent,
        communes=list(db.scalars(scope.communes(user))),
        voices=services.catalog.selectable(),
        levels=list(Level),
    )


@router.get("/reports")
def reports_page(
    request: Request, user: Viewer, db: Db, services: Svc, month: str = "", commune: str = ""
) -> Response:
    """A month's figures with two charts (minutes per week, receivers' availability per
    zone) and the exports for the province."""
    today = services.clock.now().astimezone(LOCAL_TZ).date()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        month = f"{today:%Y-%m}"
    found = ReportOut.of(figures(db, user, services, Asked(month=month, commune=commune or None)))
    return page(
        request,
        "reports.html",
        user,
        report=found,
        month=month,
        commune=commune,
        communes=list(db.scalars(scope.communes(user))),
        weeks=[(f"{w.week_of:%d/%m}", w.minutes) for w in found.weeks],
        availability=[(z.name, z.availability or 0.0) for z in found.zones],
    )


@router.get("/map")
def map_page(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    """The loudspeakers on a map with their state, live; operators place them by clicking."""
    tiles = services.settings.map_tiles
    osm = tiles == OSM_TILES
    return page(
        request,
        "map.html",
        user,
        tiles=tiles,
        attribution="© OpenStreetMap contributors" if osm else "",
        can_place=user.role == Role.OPERATOR,
        zones=list(db.scalars(scope.zones(user))),
        receivers=list(
            db.scalars(
                scope.receivers(user).where(Receiver.revoked.is_(False)).order_by(Receiver.name)
            )
        ),
    )


@router.get("/cap")
def cap_page(request: Request, user: Viewer, db: Db) -> Response:
    """CAP alerts received and what became of each; an operator of the level above airs
    one that waited (an emergency needs the emergency right, as always)."""
    require(user, Permission.ABOVE)
    names = {z.id: z.name for z in db.scalars(select(Zone))}
    alerts = list(db.scalars(select(CapAlert).order_by(CapAlert.id.desc()).limit(100)))
    return page(
        request,
        "cap.html",
        user,
        alerts=alerts,
        zone_names=lambda ids: [names.get(i, "?") for i in ids],
    )


@router.get("/federation")
def federation_page(request: Request, user: Viewer, db: Db, services: Svc) -> Response:
    """Links to other installations: the province at a glance on a source (communes
    online, bulletins delivered and aired), the sources a commune subscribed to."""
    now = services.clock.now()
    linked = select(FederationLink).order_by(FederationLink.id)
    every = list(db.scalars(linked))
    return page(
        request,
        "federation.html",
        user,
        above=user.commune_id is None,
        communes=[link_out(db, k, now) for k in every if k.role == COMMUNE],
        sources=[k for k in every if k.role == SOURCE],
        levels=list(Level),
        voices=services.catalog.selectable(),
        own_url=str(request.base_url).rstrip("/"),
    )


@router.get("/admin")
def admin(request: Request, user: Viewer, db: Db) -> Response:
    """Users, roles, emergency rights and zones: the operator's page (403 for others,
    who have no business reading who holds which right)."""
    require(user, Permission.OPERATE)
    every = list(db.scalars(scope.communes(user)))
    return page(
        request,
        "admin.html",
        user,
        users=list(db.scalars(scope.users(user))),
        zones=list(db.scalars(scope.zones(user))),
        communes=every,
        names={c.id: c.name for c in every},
        roles=list(Role),
    )
