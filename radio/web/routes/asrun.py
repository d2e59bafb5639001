"""What aired: the as-run log (CSV for the district's reports, JSON for systems), and the
alerts of the dead-air and health watch."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.deps import Db, Me
from radio.models import Airing, AiringStatus, Priority, Receipt, User
from radio.web.errors import problems
from radio.web.paging import PAGED, Page
from radio.web.schemas import CSV
from schedules import LOCAL_TZ, local_iso

router = APIRouter(prefix="/api", tags=["as-run"], responses=problems(401, 422, 503))

COLUMNS = [
    "airing",
    "commune",
    "zone",
    "announcement",
    "title",
    "priority",
    "scheduled",
    "started",
    "ended",
    "status",
    "receivers_at_start",
    "program",
    "note",
    "receipts",
]


class ReceiptOut(BaseModel):
    receiver: str
    source: str  # stream, local or stream+local
    completed: bool
    volume: int | None
    program: str
    approved: bool  # what it played is the approved audio


class AiringOut(BaseModel):
    id: int
    commune: str
    zone: str
    announcement_id: int
    title: str
    priority: Priority
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    status: AiringStatus
    receivers_at_start: int
    program: str | None
    note: str | None
    receipts: list[ReceiptOut]


class AlertOut(BaseModel):
    at: str  # local time
    kind: str  # dead-air, receiver-offline, missed, failed
    target: str
    vi: str
    en: str


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(row: list[object]) -> list[object]:
    """A spreadsheet must not run what an officer typed: text starting like a formula
    (a title "=HYPERLINK(…)") is written with a leading apostrophe, shown as typed."""
    return [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA) else v for v in row]


def _between(user: User, start: date, end: date) -> Select[Airing]:
    begin = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end, time(0), LOCAL_TZ) + timedelta(days=1)
    query = scope.airings(user).where(Airing.scheduled_at >= begin, Airing.scheduled_at < until)
    return query.order_by(Airing.scheduled_at, Airing.id)


@router.get("/asrun.csv", response_class=Response, responses={200: CSV}, response_model=None)
def as_run_csv(user: Me, db: Db, start: date, end: date, zone: str | None = None) -> Response:
    """What aired where and when, and how many receivers heard it, for the district."""
    query = _between(user, start, end)
    if zone is not None:
        query = query.where(Airing.zone_id == scope.zone(db, user, zone).id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for a in db.scalars(query):
        writer.writerow(
            cell_safe(
                [
                    a.id,
                    a.zone.commune.slug,
                    a.zone.slug,
                    a.announcement_id,
                    a.announcement.title,
                    a.priority.value,
                    local_iso(a.scheduled_at),
                    local_iso(a.started_at),
                    local_iso(a.ended_at),
                    a.status.value,
                    a.listeners_at_start or 0,
                    a.program_hash or "",
                    a.note or "",
                    "; ".join(_receipt_text(r) for r in _receipts(db, a)),
                ]
            )
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="asrun-{start}.csv"'},
    )


@router.get("/asrun", responses=PAGED)
def list_asrun(
    user: Me, db: Db, page: Page, start: date, end: date, zone: str | None = None
) -> list[AiringOut]:
    """The as-run log as data, a page at a time."""
    query = _between(user, start, end)
    if zone is not None:
        query = query.where(Airing.zone_id == scope.zone(db, user, zone).id)
    return [_airing(db, a) for a in page.rows(db, query)]


@router.get("/alerts", responses=PAGED)
def list_alerts(user: Me, db: Db, page: Page) -> list[AlertOut]:
    """The newest alerts of the dead-air and health watch."""
    return [
        AlertOut(at=local_iso(a.at) or "", kind=a.kind, target=a.target, vi=a.vi, en=a.en)
        for a in page.rows(db, scope.alerts(user))
    ]


def _airing(db: Session, a: Airing) -> AiringOut:
    return AiringOut(
        id=a.id,
        commune=a.zone.commune.slug,
        zone=a.zone.slug,
        announcement_id=a.announcement_id,
        title=a.announcement.title,
        priority=a.priority,
        scheduled_at=a.scheduled_at,
        started_at=a.started_at,
        ended_at=a.ended_at,
        status=a.status,
        receivers_at_start=a.listeners_at_start or 0,
        program=a.program_hash,
        note=a.note,
        receipts=_receipts(db, a),
    )


def _receipts(db: Session, airing: Airing) -> list[ReceiptOut]:
    return [
        ReceiptOut(
            receiver=r.receiver.name,
            source=r.source,
            completed=r.completed,
            volume=r.volume,
            program=r.program_hash,
            approved=r.program_hash == airing.approved_audio,
        )
        for r in db.scalars(select(Receipt).where(Receipt.airing_id == airing.id))
    ]


def _receipt_text(r: ReceiptOut) -> str:
    """`Loa 1: local, completed`, and a loud flag when what the receiver played is not the
    program approved for the airing."""
    mismatch = "" if r.approved else ", NOT THE APPROVED AUDIO"
    volume = f", {r.volume}%" if r.volume is not None else ""
    state = "completed" if r.completed else "cut"
    return f"{r.receiver}: {r.source}, {state}{volume}{mismatch}"
