"""`radio worker`'s application: playout on its own, for scale. It runs the scheduler and
the on-air loop and serves the live zone streams; `radio serve` (with RADIO_WORKER_URL
set) keeps the API and console and sends receivers' stream requests here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from radio.logs import redact_access_log
from radio.onair import OnAir
from radio.services import Services
from radio.web import errors, streams


class ZoneOut(BaseModel):
    listeners: int
    on_air: str  # the title playing now, or nothing


class WorkerHealthOut(BaseModel):
    zones: dict[str, ZoneOut]


router = APIRouter()


@router.get("/healthz")
def health(request: Request) -> WorkerHealthOut:
    """For a supervisor or a health check: the zones on air and their listeners."""
    onair: OnAir = request.app.state.onair
    return WorkerHealthOut(
        zones={
            zone: ZoneOut(listeners=len(channel.listeners), on_air=channel.title)
            for zone, channel in onair.playout.channels.items()
        }
    )


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
    app.include_router(router)
    return app
