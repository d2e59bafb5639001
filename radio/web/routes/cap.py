"""CAP 1.2 alerts: pushed by an alerting authority's system (an API token of the level
above), listed with what became of each, aired by an operator when they waited, and what
aired said back as CAP."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access.deps import Db, Me, Svc
from radio.access.roles import Permission, require
from radio.cap import aired, intake
from radio.cap.intake import Policy, Station
from radio.models import CapAlert, Level, Zone
from radio.services import Services
from radio.web.errors import problems
from radio.web.paging import PAGED, Page
from radio.web.schemas import LocalMoment, Out
from radio.web.wake import commit_and_wake

router = APIRouter(prefix="/api", tags=["cap"], responses=problems(401, 422, 503))
CAP_BODY = {
    "required": True,
    "content": {"application/cap+xml": {"schema": {"type": "string"}}},
    "description": "One CAP 1.2 <alert> (application/cap+xml, application/xml or text/xml)",
}


class CapAlertOut(Out):
    """A CAP message and what the station did with it: sent (a bulletin at `level`),
    waiting (for an operator; `reason` says why), not-actual (exercise or test, never
    aired), cancelled or replaced."""

    id: int
    sender: str
    identifier: str
    msg_type: str
    status: str
    event: str
    severity: str
    urgency: str
    certainty: str
    expires: LocalMoment | None
    level: Level | None
    state: str
    reason: str
    bulletin_id: int | None
    received_at: LocalMoment
    zones: list[str] = Field(default_factory=list)  # the zones its area covers


def out(db: Session, row: CapAlert) -> CapAlertOut:
    zones = [z.slug for z in (db.get(Zone, i) for i in row.zone_ids) if z is not None]
    return CapAlertOut.model_validate(row).model_copy(update={"zones": zones})


def station(services: Services) -> Station:
    return Station(services.speech, services.clock.now(), services.length)


@router.post(
    "/cap", status_code=201, responses=problems(403, 413), openapi_extra={"requestBody": CAP_BODY}
)
async def receive_alert(
    request: Request, response: Response, user: Me, db: Db, services: Svc
) -> CapAlertOut:
    """Take one CAP 1.2 alert: Alert and Update air on the zones its area covers (at the
    level its severity and urgency give), Cancel withdraws; 200 with the stored record when
    the same message (sender and identifier) came before."""
    data = await request.body()

    def take() -> CapAlertOut:
        row, new = intake.receive(db, user, data, Policy.of(services.settings), station(services))
        if not new:
            response.status_code = 200
        commit_and_wake(request, db)
        return out(db, row)

    return await run_in_threadpool(take)  # reading the text aloud takes CPU


@router.get("/cap", responses=PAGED)
def list_cap_alerts(user: Me, db: Db, page: Page) -> list[CapAlertOut]:
    """The CAP messages received, newest first."""
    require(user, Permission.ABOVE)
    return [out(db, r) for r in page.rows(db, select(CapAlert).order_by(CapAlert.id.desc()))]


@router.post("/cap/{alert_id}/air", responses=problems(403, 404, 409))
async def air_alert(
    alert_id: int, request: Request, user: Me, db: Db, services: Svc
) -> CapAlertOut:
    """An operator of the level above airs an alert that waited for one."""
    require(user, Permission.ABOVE)

    def take() -> CapAlertOut:
        row = intake.approve(db, user, alert_id, Policy.of(services.settings), station(services))
        commit_and_wake(request, db)
        return out(db, row)

    return await run_in_threadpool(take)


@router.get(
    "/cap/aired.xml",
    response_class=Response,
    responses={
        200: {
            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
            "description": "An Atom feed of CAP 1.2 Ack messages",
        }
    },
)
def aired_feed(
    user: Me, db: Db, services: Svc, days: Annotated[int, Query(ge=1, le=366)] = 7
) -> Response:
    """An Atom feed of CAP 1.2 Ack messages, one for each alert received in the last
    `days` that has aired: zones, first airtime, receivers and program hash."""
    require(user, Permission.ABOVE)
    now = services.clock.now()
    body = aired.feed(db, now - timedelta(days=days), now)
    return Response(body, media_type="application/atom+xml")
