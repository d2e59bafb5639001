"""The REST API's routes, one module per concern, each a module-level APIRouter with
typed responses and documented refusals."""

from fastapi import APIRouter

from radio.web.routes import (
    access,
    accounts,
    announcements,
    asrun,
    bulletins,
    cap,
    communes,
    emergency,
    federation,
    geo,
    live,
    mixes,
    receivers,
    relay,
    relay_sources,
    relayed,
    reports,
    schedule,
    service,
    speech,
    templates,
    voices,
)

ROUTERS: list[APIRouter] = [
    service.router,
    access.router,
    accounts.router,
    communes.router,
    receivers.router,
    geo.router,
    relay.router,
    relay_sources.router,
    asrun.router,
    mixes.router,
    relayed.router,
    announcements.router,
    schedule.router,
    emergency.router,
    cap.router,
    federation.router,
    reports.router,
    live.router,
    speech.router,
    voices.router,
    bulletins.router,
    templates.router,
]
