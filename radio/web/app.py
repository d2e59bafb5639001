"""The application: the REST API (OpenAPI at /docs), the console and, where this process
plays out, the zone streams. Routes live by concern in `radio.web.routes`; this module
only puts them together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from radio.cap import feeds as cap_feeds
from radio.federation.runner import Federation
from radio.logs import redact_access_log
from radio.onair import OnAir
from radio.services import Services
from radio.web import console, errors, streams
from radio.web.limits import BodyLimit
from radio.web.routes import ROUTERS

TITLE = "Loa Xã"
DESCRIPTION = (
    "Đài truyền thanh xã thông minh — API. Smart commune radio: announcements, review, "
    "airtime, loudspeakers, bulletins from the level above. Errors come as "
    '`{"error": {"vi": …, "en": …}}` with a 4xx status.'
)


def operation_id(route: APIRoute) -> str:
    """Operations are named after their functions, so a generated client reads well."""
    return route.name


def create_app(
    services: Services, onair: OnAir | None = None, worker_url: str | None = None
) -> FastAPI:
    """The API. With `onair` it also plays out: the live zone streams and the on-air loop
    run in this process. With `worker_url` a separate `radio worker` plays out, and
    stream requests are redirected to it, so receivers need to know only this server."""

    feeds = cap_feeds.from_services(services, onair.wake if onair else lambda: None)
    federation = Federation(
        services.sessions,
        services.clock,
        services.scheduler.alarms,
        services.settings.federation_status_s,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if feeds is not None:
            feeds.start()
        federation.start_if_linked()
        try:
            if onair is None:
                yield
                return
            async with onair.running():
                yield
        finally:
            federation.stop()
            if feeds is not None:
                feeds.stop()

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.services = services
    app.state.onair = onair
    app.state.worker_url = worker_url
    app.state.federation = federation
    errors.install(app)
    app.add_middleware(BodyLimit)
    redact_access_log()
    if onair is not None:
        app.include_router(streams.router)
    elif worker_url is not None:
        app.include_router(streams.redirect)
    for router in ROUTERS:
        app.include_router(router)
    console.install(app)
    return app
