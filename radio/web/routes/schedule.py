"""Airtime slots (one-off or recurring), the order of items due at one moment, and a
zone's timeline. The rules are `radio.airtime.slots`'; here they are only asked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from radio.access import scope
from radio.access.deps import Composer, Db, Me, Svc
from radio.airtime import slots as rules
from radio.airtime.timeline import Item, zone_timeline
from radio.audit import audit
from radio.errors import Invalid
from radio.models import Slot
from radio.services import Services
from radio.speech import Voicing
from radio.web.errors import problems
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

    def request(self) -> rules.Request:
        return rules.Request(
            self.at, tuple(self.times), tuple(self.weekdays), self.start_date, self.end_date
        )


class SlotOut(BaseModel):
    id: int
    announcement_id: int
    zones: list[str]
    at: str | None
    times: list[str] | None
    weekdays: list[int] | None
    start_date: date | None
    end_date: date | None
    position: int

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        return cls(
            id=slot.id,
            announcement_id=slot.announcement_id,
            zones=[z.slug for z in slot.zones],
            at=slot.at.isoformat() if slot.at else None,
            times=slot.times,
            weekdays=slot.weekdays,
            start_date=slot.start_date,
            end_date=slot.end_date,
            position=slot.position,
        )


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


class TimelineItemOut(BaseModel):
    start: str  # local time, where it will really start
    end: str
    slot_id: int
    position: int
    announcement_id: int
    title: str
    status: str
    approved: bool
    conflict: bool  # overlaps another item

    @classmethod
    def of(cls, item: Item) -> TimelineItemOut:
        slot = item.slot
        return cls(
            start=item.start.astimezone(LOCAL_TZ).isoformat(),
            end=item.end.astimezone(LOCAL_TZ).isoformat(),
            slot_id=slot.id,
            position=slot.position,
            announcement_id=slot.announcement_id,
            title=slot.announcement.title,
            status=item.status,
            approved=item.approved,
            conflict=item.conflict,
        )


class TimelineOut(BaseModel):
    zone: str
    start: str
    days: int
    items: list[TimelineItemOut]


@router.get("/slots")
def list_slots(user: Me, db: Db) -> list[SlotOut]:
    return [SlotOut.of(s) for s in db.scalars(scope.slots(user))]


@router.post(
    "/slots",
    status_code=201,
    response_model=SlotOut | SlotCheckOut,
    responses={
        200: {"model": SlotCheckOut, "description": "With check=true: what it would do"},
        201: {"model": SlotOut, "description": "Scheduled"},
        **problems(403, 404, 409),
    },
)
def add_slot(
    body: SlotIn, user: Composer, db: Db, services: Svc, response: Response, check: bool = False
) -> SlotOut | SlotCheckOut:
    """Schedule an announcement. With `check=true` nothing is saved: the answer says
    when it would air, what it would clash with and whether it fits before the next item
    (the console asks before submitting)."""
    announcement = scope.announcement(db, user, body.announcement_id)
    zones = [scope.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
    now = services.clock.now()
    slot = rules.plan(announcement, zones, body.request(), now)
    if not check:
        return SlotOut.of(rules.schedule(db, user, slot, now, services.length))
    response.status_code = 200
    checked = rules.check(db, slot, now, services.length, _estimate(services, slot))
    fit = checked.fit
    return SlotCheckOut(
        conflicts=checked.conflicts,
        next=[local_iso(moment) or "" for moment in checked.upcoming],
        estimated_seconds=round(fit.seconds, 1) if fit else None,
        room_seconds=fit.room if fit else None,
        fits=fit.fits if fit else None,
        rate_to_fit=fit.rate_to_fit if fit else None,
    )


@router.delete("/slots/{slot_id}", status_code=204, responses=problems(403, 404))
def delete_slot(slot_id: int, user: Composer, db: Db) -> None:
    db.delete(scope.slot(db, user, slot_id))


@router.put("/slots/{slot_id}/position", responses=problems(403, 404))
def slot_position(slot_id: int, body: SlotPosition, user: Composer, db: Db) -> SlotOut:
    """Where the slot plays among items due at the same moment on a zone (lowest
    first): a priority bulletin from above comes first until the officer moves it."""
    slot = scope.slot(db, user, slot_id)
    slot.position = body.position
    audit(db, user, "reorder", f"slot:{slot_id}", position=body.position)
    return SlotOut.of(slot)


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
        items=[TimelineItemOut.of(i) for i in items],
    )


def _estimate(services: Services, slot: Slot) -> Estimate | None:
    """The calibrated estimate of the program's length, for the fit and the rate that
    fits; none for audio fixed elsewhere."""
    announcement = slot.announcement
    if announcement.fixed_audio:
        return None
    revision = announcement.current
    voicing = Voicing.of(revision)
    try:
        return services.speech.estimate(revision.text, voicing)
    except Invalid:
        return None
