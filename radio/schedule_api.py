"""Airtime slots (one-off or recurring), the order of items due at one moment, a zone's
timeline, and whether a program fits before the next item."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import FastAPI, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio import auth, communes
from radio.deps import Db, Me, Services, Svc
from radio.errors import ApiError
from radio.models import Announcement, Program, Role, Slot, Status, Zone
from radio.scheduler import conflict_error, conflicts, describe, spec_of, zone_timeline
from schedules import LOCAL_TZ, SlotSpecError, local_iso, occurrences
from schedules.recurrence import last_occurrence
from voices import VoiceError


class SlotIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    at: datetime | None = None
    times: list[time] = []
    weekdays: list[int] = [0, 1, 2, 3, 4, 5, 6]
    start_date: date | None = None
    end_date: date | None = None


class SlotPosition(BaseModel):
    position: int = Field(ge=-100, le=100)


def add_schedule_routes(app: FastAPI) -> None:
    @app.get("/api/slots")
    def slots(user: Me, db: Db) -> list[dict[str, Any]]:
        return [_slot_json(s) for s in db.scalars(communes.slots(user))]

    @app.post("/api/slots", status_code=201)
    def add_slot(
        body: SlotIn, user: Me, db: Db, services: Svc, response: Response, check: bool = False
    ) -> dict[str, Any]:
        """Schedule an announcement. With `check=true` nothing is saved: the answer says
        when it would air and what it would clash with (the console asks before submitting)."""
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, body.announcement_id)
        if announcement.status == Status.ARCHIVED:
            raise ApiError(409, "the announcement is archived", "thông báo đã lưu trữ")
        zones = [communes.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
        slot = Slot(
            announcement=announcement,
            zones=zones,
            at=body.at,
            times=[t.strftime("%H:%M") for t in body.times] or None,
            weekdays=sorted(set(body.weekdays)),
            start_date=body.start_date,
            end_date=body.end_date,
        )
        try:
            spec = spec_of(slot)
        except SlotSpecError as exc:
            raise ApiError(422, str(exc), exc.vi) from None
        now = services.clock.now()
        if last_occurrence(spec) <= now:
            raise ApiError(422, "the airtime is in the past", "giờ phát đã qua")
        db.add(slot)
        db.flush()
        pairs = conflicts(db, slot, now, last_occurrence(spec) + timedelta(hours=1))
        if check:
            db.delete(slot)
            db.flush()
            response.status_code = 200
            upcoming = occurrences(spec, now, now + timedelta(days=14))[:5]
            return {
                "conflicts": [describe(b) for _, b in pairs[:10]],
                "next": [local_iso(moment) for moment in upcoming],
                **_fit(db, services, announcement, zones, upcoming),
            }
        if pairs:
            raise conflict_error(pairs)
        flow.audit(db, user, "schedule", f"slot:{slot.id}", announcement=announcement.id)
        return _slot_json(slot)

    @app.delete("/api/slots/{slot_id}", status_code=204)
    def delete_slot(slot_id: int, user: Me, db: Db) -> None:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        db.delete(communes.slot(db, user, slot_id))

    @app.put("/api/slots/{slot_id}/position")
    def slot_position(slot_id: int, body: SlotPosition, user: Me, db: Db) -> dict[str, Any]:
        """Where the slot plays among items due at the same moment on a zone (lowest
        first): a priority bulletin from above comes first until the officer moves it."""
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        slot = communes.slot(db, user, slot_id)
        slot.position = body.position
        flow.audit(db, user, "reorder", f"slot:{slot_id}", position=body.position)
        return _slot_json(slot)

    @app.get("/api/timeline")
    def timeline(
        zone: str, user: Me, db: Db, services: Svc, start: date | None = None, days: int = 1
    ) -> dict[str, Any]:
        if not 1 <= days <= 31:
            raise ApiError(422, "days must be between 1 and 31", "số ngày phải từ 1 đến 31")
        the_zone = communes.zone(db, user, zone)
        first = start or services.clock.now().astimezone(LOCAL_TZ).date()
        begin = datetime.combine(first, time(0), LOCAL_TZ)
        end = begin + timedelta(days=days)
        return {
            "zone": the_zone.slug,
            "start": begin.isoformat(),
            "days": days,
            "items": zone_timeline(db, the_zone, begin, end),
        }


def _fit(
    db: Session,
    services: Services,
    announcement: Announcement,
    zones: list[Zone],
    upcoming: list[datetime],
) -> dict[str, Any]:
    """Will it end before the next thing on its zones starts? The estimate (or the
    rendered length), the room until that next item, and a speaking rate that fits."""
    revision = announcement.current
    program = db.get(Program, revision.program_hash) if revision.program_hash else None
    try:
        guess = None if announcement.fixed_audio else services.estimate(revision)
    except (VoiceError, ValueError):
        guess = None
    if program is None and guess is None:
        return {}
    seconds = program.duration if program else guess.seconds if guess else 0.0
    room = None
    if upcoming:
        first = upcoming[0]
        later = [
            datetime.fromisoformat(item["start"])
            for zone in zones
            for item in zone_timeline(db, zone, first, first + timedelta(days=1))
            if datetime.fromisoformat(item["start"]) > first
        ]
        room = (min(later) - first).total_seconds() if later else None
    fits = room is None or seconds <= room
    return {
        "estimated_seconds": round(seconds, 1),
        "room_seconds": room,
        "fits": fits,
        "rate_to_fit": None
        if fits or room is None or guess is None
        else guess.rate_to_fit(room, revision.rate),
    }


def _slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.id,
        "announcement_id": slot.announcement_id,
        "zones": [z.slug for z in slot.zones],
        "at": slot.at.isoformat() if slot.at else None,
        "times": slot.times,
        "weekdays": slot.weekdays,
        "start_date": slot.start_date.isoformat() if slot.start_date else None,
        "end_date": slot.end_date.isoformat() if slot.end_date else None,
        "position": slot.position,
    }
