"""Relay announcements (tiếp sóng): an outside station's sound for a length of time, a
program like any other, reviewed (by listening to the source's last test), approved and
scheduled."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from radio import relay_programs
from radio.access import scope
from radio.access.deps import Composer, Db
from radio.models import Priority
from radio.web.errors import problems
from radio.web.routes.announcements import AnnouncementOut

router = APIRouter(prefix="/api", tags=["announcements"], responses=problems(401, 422, 503))


class RelayIn(BaseModel):
    title: str = Field(max_length=200)
    source_id: int  # a relay source of the commune's or of the level above
    seconds: int = Field(
        ge=relay_programs.MIN_SECONDS, le=relay_programs.MAX_SECONDS
    )  # how long the relay lasts from its airtime
    priority: Priority = Priority.NORMAL

    def draft(self) -> relay_programs.RelayDraft:
        return relay_programs.RelayDraft(self.title, self.seconds, self.priority)


@router.post("/announcements/relay", status_code=201, responses=problems(403, 404))
def create_relay(body: RelayIn, user: Composer, db: Db) -> AnnouncementOut:
    source = scope.relay_source(db, user, body.source_id)
    return AnnouncementOut.model_validate(relay_programs.create(db, user, source, body.draft()))


@router.post("/announcements/{announcement_id}/relay", responses=problems(403, 404, 409))
def retarget_relay(announcement_id: int, body: RelayIn, user: Composer, db: Db) -> AnnouncementOut:
    """Another source or length as the next revision: back to review."""
    announcement = scope.announcement(db, user, announcement_id)
    source = scope.relay_source(db, user, body.source_id)
    made = relay_programs.retarget(db, user, announcement, source, body.draft())
    return AnnouncementOut.model_validate(made)
