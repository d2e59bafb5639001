"""Reports for the level above: a commune's (or every commune's) figures over a month or
any range of days, as JSON for the console's charts, and exported as CSV, XLSX and a
printable PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.deps import Db, Me, Svc
from radio.errors import Invalid
from radio.models import User
from radio.reports import pdf, tables
from radio.reports.figures import Figures, Period, collect
from radio.services import Services
from radio.web.errors import problems
from radio.web.schemas import LocalMoment
from schedules.recurrence import LOCAL_TZ

router = APIRouter(prefix="/api", tags=["reports"], responses=problems(401, 422, 503))
MAX_DAYS = 366
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

BINARY = {"schema": {"type": "string", "format": "binary"}}
FILES = {media.split(";")[0]: BINARY for media in MEDIA.values()}


class ZoneFiguresOut(BaseModel):
    commune: str
    zone: str
    name: str
    programmes: dict[str, int]  # "type/priority": airings, e.g. "text/normal", "relay/normal"
    minutes: float
    aired: int
    late: int  # started more than a minute after their time
    missed: int  # missed or preempted
    failed: int
    availability: float | None  # % of the zone's receivers that reported playing its airings


class WeekOut(BaseModel):
    week_of: date  # its Monday
    minutes: float


class NotAiredOut(BaseModel):
    at: LocalMoment
    commune: str
    zone: str
    title: str
    status: str
    reason: str


class ReportOut(BaseModel):
    first: date
    last: date
    communes: list[str]
    minutes: float
    zones: list[ZoneFiguresOut]
    weeks: list[WeekOut]
    bulletins: dict[str, int]  # from the level above: received, aired, late
    not_aired: list[NotAiredOut]

    @classmethod
    def of(cls, f: Figures) -> ReportOut:
        zones = [
            ZoneFiguresOut(
                **{**vars(z), "availability": z.availability, "programmes": dict(z.programmes)}
            )
            for z in f.zones
        ]
        return cls(
            first=f.period.first,
            last=f.period.last,
            communes=f.communes,
            minutes=f.minutes,
            zones=zones,
            weeks=[WeekOut(week_of=d, minutes=m) for d, m in f.weeks],
            bulletins=f.bulletins,
            not_aired=[NotAiredOut(**vars(n)) for n in f.not_aired],
        )


Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="2026-12")]
Day = Annotated[date | None, Query()]
CommuneSlug = Annotated[str | None, Query(description="one commune (the level above)")]


class Asked:
    """What a report is asked for: a month ("2026-12"), or `first` to `last`, by default
    the month of today; one commune (the level above), by default every one the user sees."""

    def __init__(
        self,
        month: Month = None,
        first: Day = None,
        last: Day = None,
        commune: CommuneSlug = None,
    ) -> None:
        self.month, self.first, self.last, self.commune = month, first, last, commune

    def period(self, today: date) -> Period:
        first, last = self.first, self.last
        if first is not None or last is not None:
            if first is None or last is None:
                raise Invalid("give both first and last", "hãy nhập cả ngày đầu và ngày cuối")
            if last < first or (last - first).days >= MAX_DAYS:
                raise Invalid(
                    f"the last day must follow the first, at most {MAX_DAYS} days on",
                    f"ngày cuối phải sau ngày đầu, cách nhau tối đa {MAX_DAYS} ngày",
                    field="last",
                )
            return Period(first, last)
        if self.month is not None:
            year, number = (int(p) for p in self.month.split("-"))
            return Period.month(year, number)
        return Period.month(today.year, today.month)


AskedFor = Annotated[Asked, Depends()]


def figures(db: Session, user: User, services: Services, asked: Asked) -> Figures:
    """A commune's user sees their own commune's; the level above one commune or all."""
    chosen = scope.commune(db, user, asked.commune).id if asked.commune else user.commune_id
    return collect(db, asked.period(_today(services)), chosen)


def _today(services: Services) -> date:
    return services.clock.now().astimezone(LOCAL_TZ).date()


@router.get("/reports")
def report(user: Me, db: Db, services: Svc, asked: AskedFor) -> ReportOut:
    """Programmes by type and priority, minutes aired, late, missed and failed airings,
    receivers' availability, bulletins from above, per zone and per week."""
    return ReportOut.of(figures(db, user, services, asked))


@router.get(
    "/reports/export.{kind}",
    response_class=Response,
    responses={200: {"content": FILES, "description": "The report as a file"}},
)
def export(
    kind: Literal["csv", "xlsx", "pdf"], user: Me, db: Db, services: Svc, asked: AskedFor
) -> Response:
    """The report as CSV (the zones' table), XLSX (every table) or PDF (the monthly report
    to the province, with its charts and signature lines)."""
    found = figures(db, user, services, asked)
    if kind == "csv":
        body = tables.to_csv(found)
    elif kind == "xlsx":
        body = tables.to_xlsx(found)
    else:
        one = found.communes[0] if len(found.communes) == 1 else ""
        station = f"UBND xã {one}" if one else "Ủy ban nhân dân"
        body = pdf.render(found, station, one, _today(services))
    period = found.period
    name = f"bao-cao-{asked.commune or 'tat-ca'}-{period.first}-{period.last}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[kind], headers=headers)
