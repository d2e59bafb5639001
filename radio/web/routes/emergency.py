"""Emergency broadcasts: at once on the chosen zones, optionally again every N minutes until
cancelled. Only users with the emergency right; every one is audited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import AliasPath, BaseModel, Field

from radio.access import scope
from radio.access.deps import Db, EmergencyHolder, Me, Svc
from radio.airtime import emergencies
from radio.web.errors import problems
from radio.web.schemas import LocalMoment, Out, ProgramOut
from radio.web.wake import commit_and_wake

router = APIRouter(prefix="/api", tags=["emergency"], responses=problems(401, 422, 503))


class EmergencyIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    repeat_minutes: int | None = Field(default=None, ge=1, le=720)


class EmergencyOut(BaseModel):
    airings: list[int]
    program: ProgramOut
    repeat: int | None  # the repeat to cancel, when it comes back every N minutes


class RepeatOut(Out):
    id: int
    announcement_id: int
    title: str = Field(validation_alias=AliasPath("announcement", "title"))
    every_minutes: int
    next_at: LocalMoment


class CancelledOut(BaseModel):
    id: int
    cancelled_at: LocalMoment


@router.post("/emergency", status_code=201, responses=problems(403, 404))
def start_emergency(
    body: EmergencyIn, request: Request, user: EmergencyHolder, db: Db, services: Svc
) -> EmergencyOut:
    """On the zones at once, cutting into what plays; the interrupted program starts again
    after it."""
    announcement = scope.announcement(db, user, body.announcement_id)
    zones = [scope.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
    program = services.speech.render_revision(db, announcement.current, urgent=True)
    airings, repeat = emergencies.start(
        db, user, announcement, program.hash, zones, services.clock.now(), body.repeat_minutes
    )
    commit_and_wake(request, db)
    return EmergencyOut(
        airings=[a.id for a in airings],
        program=ProgramOut.model_validate(program),
        repeat=repeat.id if repeat else None,
    )


@router.get("/emergency/repeats")
def list_repeats(user: Me, db: Db) -> list[RepeatOut]:
    """Emergencies coming back every N minutes until cancelled."""
    return [RepeatOut.model_validate(r) for r in db.scalars(scope.repeats(user))]


@router.post("/emergency/repeats/{repeat_id}/cancel", responses=problems(403, 404))
def cancel_repeat(repeat_id: int, user: EmergencyHolder, db: Db, services: Svc) -> CancelledOut:
    repeat = emergencies.cancel(db, user, repeat_id, services.clock.now())
    assert repeat.cancelled_at is not None
    return CancelledOut(id=repeat.id, cancelled_at=repeat.cancelled_at)
