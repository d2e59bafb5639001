"""The application: the REST API (OpenAPI at /docs), the console and, where this process
plays out, the zone streams. The routes live by concern in the `*_api` modules; here are
only health and cache metrics.

Every refusal is an ApiError: an HTTP status and one message in Vietnamese and English.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from radio import auth, errors
from radio.access_api import add_access_routes
from radio.announcement_api import add_announcement_routes
from radio.asrun_api import add_asrun_routes
from radio.bulletin_api import add_bulletin_routes
from radio.commune_api import add_commune_routes
from radio.console import add_console
from radio.deps import (
    Db,
    Me,
    Services,
    Svc,
)
from radio.emergency_api import add_emergency_routes
from radio.logs import redact_access_log
from radio.onair import OnAir
from radio.receiver_api import add_receiver_routes
from radio.schedule_api import add_schedule_routes
from radio.speech_api import add_speech_routes
from radio.streams import add_stream_redirect, add_stream_route
from radio.template_api import add_template_routes
from voices.cache import CacheStats


def create_app(
    services: Services, onair: OnAir | None = None, worker_url: str | None = None
) -> FastAPI:
    """The API. With `onair` it also plays out: the live zone streams and the on-air loop
    run in this process. With `worker_url` a separate `radio worker` plays out, and
    stream requests are redirected to it, so receivers need to know only this server."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if onair is None:
            yield
            return
        async with onair.running():
            yield

    app = FastAPI(
        title="Loa Xã", description="Đài truyền thanh xã thông minh — API", lifespan=lifespan
    )
    app.state.services = services
    app.state.onair = onair
    app.state.throttle = auth.Throttle()
    if onair is not None:
        add_stream_route(app, onair)
    elif worker_url is not None:
        add_stream_redirect(app, worker_url)
    errors.install(app)
    redact_access_log()
    for add_routes in (
        _add_service_routes,
        add_access_routes,
        add_commune_routes,
        add_receiver_routes,
        add_asrun_routes,
        add_announcement_routes,
        add_schedule_routes,
        add_emergency_routes,
        add_speech_routes,
        add_bulletin_routes,
        add_template_routes,
        add_console,
    ):
        add_routes(app)
    return app


def _add_service_routes(app: FastAPI) -> None:
    @app.get("/api/health")
    def health(db: Db, services: Svc) -> dict[str, Any]:
        db.execute(select(1))
        return {"status": "ok", "time": services.clock.now().isoformat()}

    @app.get("/api/cache/stats")
    def cache_stats(user: Me, services: Svc) -> dict[str, Any]:
        stats: CacheStats = services.renderer.cache.stats()
        return {**asdict(stats), "hit_rate": stats.hit_rate}
