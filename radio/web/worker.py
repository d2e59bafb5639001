"""`radio worker`'s application: playout on its own, for scale. It runs the scheduler and
the on-air loop and serves the live zone streams; `radio serve` (with RADIO_WORKER_URL
set) keeps the API and console and sends receivers' stream requests here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from radio.access import scope
from radio.access.deps import Db, Operator
from radio.logs import redact_access_log
from radio.onair import OnAir
from radio.services import Services
from radio.web import errors, streams
from radio.web.errors import problems
from radio.web.routes import live


class ZoneOut(BaseModel):
    listeners: int
    on_air: str  # the title playing now, or nothing


class WorkerHealthOut(BaseModel):
    """What anyone may ask: whether the process plays out, and how much. Titles are not
    here: what is on air (an evacuation order before it is public, a hamlet's business)
    is for the station's operators, at `/zones`."""

    leading: bool  # this process plays out; a standby waits to take over
    zones: int  # zones with a live channel in this process
    listeners: int  # loudspeakers connected, over every zone
    dropped: int  # loudspeakers let go since the start for falling 8 s behind


router = APIRouter()


@router.get("/healthz")
def health(request: Request) -> WorkerHealthOut:
    """For a supervisor or a health check, without credentials."""
    onair: OnAir = request.app.state.onair
    channels = onair.playout.channels.values()
    return WorkerHealthOut(
        leading=onair.leading,
        zones=len(channels),
        listeners=sum(len(channel.listeners) for channel in channels),
        dropped=sum(channel.dropped for channel in channels),
    )


@router.get("/zones", responses=problems(401, 403))
def zones(request: Request, user: Operator, db: Db) -> dict[str, ZoneOut]:
    """The operator's zones on air in this process: title and listeners of each."""
    onair: OnAir = request.app.state.onair
    theirs = {zone.slug for zone in db.scalars(scope.zones(user))}
    return {
        zone: ZoneOut(listeners=len(channel.listeners), on_air=channel.title)
        for zone, channel in onair.playout.channels.items()
        if zone in theirs
    }


def create_worker_app(services: Services, onair: OnAir) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with onair.running():
            yield

    app = FastAPI(title="Loa Xã playout", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.onair = onair
    errors.install(app)
    redact_access_log()
    app.include_router(streams.router)
    app.include_router(live.router)  # the microphone goes where the zones are played
    app.include_router(router)
    return app
