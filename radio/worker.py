"""`radio worker`'s application: playout on its own, for scale. It runs the scheduler and
the on-air loop and serves the live zone streams; `radio serve` (with RADIO_WORKER_URL
set) keeps the API and console and sends receivers' stream requests here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from radio import errors
from radio.logs import redact_access_log
from radio.onair import OnAir
from radio.streams import add_stream_route


def create_worker_app(onair: OnAir) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with onair.running():
            yield

    app = FastAPI(title="Loa Xã playout", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.onair = onair
    errors.install(app)
    redact_access_log()
    add_stream_route(app, onair)

    @app.get("/healthz")
    def health() -> dict[str, object]:
        """For a supervisor or a health check: the zones on air and their listeners."""
        return {
            "zones": {
                zone: {"listeners": len(channel.listeners), "on_air": channel.title}
                for zone, channel in onair.playout.channels.items()
            }
        }

    return app
