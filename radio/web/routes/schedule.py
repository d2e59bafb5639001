"""Airtime slots (one-off or recurring), the order of items due at one moment, and a
zone's timeline. The rules are `radio.airtime.slots`'; here they are only asked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import AliasPath, BaseModel, Field, PlainSerializer

from radio.access import scope
from radio.access.deps import Composer, Db, Me, Svc
from radio.airtime import slots as rules
from radio.airtime.timeline import zone_timeline
from radio.audit import audit
from radio.errors import Invalid
from radio.models import Slot, Source
from radio.services import Services
from radio.speech import Voicing
from radio.web.errors import problems
from radio.web.schemas import DATE_TIME, Moment, Out, Slug
from schedules import LOCAL_TZ, local_iso
from voices.estimate import Estimate

router = APIRouter(prefix="/api", tags=["schedule"], responses=problems(401, 422, 503))


class SlotIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    at: datetime | None = None
    times: list[time] = []
    weekdays: list[int] = [0, 1, 2, 3, 4, 5, 6]
    start_date: date | None = None
    end_date: date | None = None
    repeats: int = Field(1, ge=1, le=10)  # each time, aired this many times
    repeat_gap_s: int = 0  # seconds of quiet between repeats (1 s to 2 h)

    def request(self) -> rules.Request:
        return rules.Request(
            self.at,
            tuple(self.times),
            tuple(self.weekdays),
            self.start_date,
            self.end_date,
            self.repeats,
            self.repeat_gap_s,
        )


class SlotOut(Out):
    id: int
    announcement_id: int
    zones: list[Slug]
    at: Moment | None  # once, at this moment; or
    times: list[str] | None  # at these local times ("06:00")
    weekdays: list[int] | None  # on these days (0 is Monday)
    start_date: date | None  # from this day
    end_date: date | None  # to this day
    position: int  # among items due at the same moment on a zone, lowest first
    repeats: int  # each time, aired this many times
    repeat_gap_s: int  # seconds of quiet between one repeat's end and the next's start


class SlotCheckOut(BaseModel):
    """What scheduling would do, with nothing saved."""

    conflicts: list[str]
    next: list[str]  # the next airtimes, local time
    estimated_seconds: float | None = None  # the rendered length, or the estimate
    room_seconds: float | None = None  # until the next item on its zones
    fits: bool | None = None
    rate_to_fit: float | None = None  # a speaking rate that would make it fit


class SlotPosition(BaseModel):
    position: int = Field(ge=-100, le=100)


def _local_exact(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat()


# where an item will really start or end, Hà Nội time
Local = Annotated[datetime, PlainSerializer(_local_exact, return_type=str), DATE_TIME]


class TimelineItemOut(Out):
    start: Local
    end: Local
    slot_id: int = Field(validation_alias=AliasPath("slot", "id"))
    position: int = Field(validation_alias=AliasPath("slot", "position"))
    announcement_id: int = Field(validation_alias=AliasPath("slot", "announcement_id"))
    title: str = Field(validation_alias=AliasPath("slot", "announcement", "title"))
    status: str
    approved: bool
    conflict: bool  # overlaps another item


class TimelineOut(BaseModel):
    zone: str
    start: str
    days: int
    items: list[TimelineItemOut]


@router.get("/slots")
def list_slots(user: Me, db: Db) -> list[SlotOut]:
    return [SlotOut.model_validate(s) for s in db.scalars(scope.slots(user))]


@router.post(
    "/slots",
    status_code=201,
    response_model=SlotOut,
    responses={
        200: {"model": SlotCheckOut, "description": "With check=true: what it would do"},
        201: {"description": "Scheduled"},
        **problems(403, 404, 409),
    },
)
def add_slot(
    body: SlotIn, user: Composer, db: Db, services: Svc, check: bool = False
) -> SlotOut | JSONResponse:
    """Schedule an announcement. With `check=true` nothing is saved: the answer says
    when it would air, what it would clash with and whether it fits before the next item
    (the console asks before submitting)."""
    announcement = scope.announcement(db, user, body.announcement_id)
    zones = [scope.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
    now = services.clock.now()
    slot = rules.plan(announcement, zones, body.request(), now)
    if not check:
        return SlotOut.model_validate(rules.schedule(db, user, slot, now, services.length))
    checked = rules.check(db, slot, now, services.length, _estimate(services, slot))
    fit = checked.fit
    answer = SlotCheckOut(
        conflicts=checked.conflicts,
        next=[local_iso(moment) or "" for moment in checked.upcoming],
        estimated_seconds=round(fit.seconds, 1) if fit else None,
        room_seconds=fit.room if fit else None,
        fits=fit.fits if fit else None,
        rate_to_fit=fit.rate_to_fit if fit else None,
    )
    return JSONResponse(answer.model_dump(mode="json"), 200)


@router.delete("/slots/{slot_id}", status_code=204, responses=problems(403, 404))
def delete_slot(slot_id: int, user: Composer, db: Db, services: Svc) -> None:
    """The slot and its airings not yet started; what aired stays in the as-run log."""
    rules.remove(db, user, scope.slot(db, user, slot_id), services.clock.now())


@router.put("/slots/{slot_id}/position", responses=problems(403, 404))
def slot_position(slot_id: int, body: SlotPosition, user: Composer, db: Db) -> SlotOut:
    """Where the slot plays among items due at the same moment on a zone (lowest
    first): a priority bulletin from above comes first until the officer moves it."""
    slot = scope.slot(db, user, slot_id)
    slot.position = body.position
    audit(db, user, "reorder", f"slot:{slot_id}", position=body.position)
    return SlotOut.model_validate(slot)


@router.get("/timeline")
def timeline(
    zone: str, user: Me, db: Db, services: Svc, start: date | None = None, days: int = 1
) -> TimelineOut:
    """A zone's days: every item where it will really start, and which overlap."""
    if not 1 <= days <= 31:
        raise Invalid("days must be between 1 and 31", "số ngày phải từ 1 đến 31")
    the_zone = scope.zone(db, user, zone)
    first = start or services.clock.now().astimezone(LOCAL_TZ).date()
    begin = datetime.combine(first, time(0), LOCAL_TZ)
    items = zone_timeline(db, the_zone, begin, begin + timedelta(days=days), services.length)
    return TimelineOut(
        zone=the_zone.slug,
        start=begin.isoformat(),
        days=days,
        items=[TimelineItemOut.model_validate(i) for i in items],
    )


def _estimate(services: Services, slot: Slot) -> Estimate | None:
    """The calibrated estimate of the program's length, for the fit and the rate that
    fits; none for fixed audio (a recording, from above, from a template)."""
    revision = slot.announcement.current
    if revision.fixed or revision.source != Source.TEXT:
        return None  # its program, rendered when it was saved, says how long it is
    voicing = Voicing.of(revision)
    try:
        return services.speech.estimate(revision.text, voicing)
    except Invalid:
        return None
