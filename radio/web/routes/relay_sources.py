"""Relay sources (tiếp sóng): the outside stations a commune relays, and their test."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, computed_field

from radio import relays
from radio.access import scope
from radio.access.deps import Db, Me, Svc
from radio.web.errors import problems
from radio.web.schemas import Out

router = APIRouter(prefix="/api", tags=["relay"], responses=problems(401, 422, 503))


class RelaySourceIn(BaseModel):
    name: str = Field(max_length=200)
    url: str  # http:// or https://: an MP3 or AAC stream, or an HLS playlist


class StandbyIn(BaseModel):
    program: str | None  # a recording's program hash (GET /api/programs/{hash}.mp3); none: silence


class RelaySourceOut(Out):
    id: int
    name: str
    url: str
    commune_id: int | None  # none: the level above's, offered to every commune
    tested_at: datetime | None
    codec: str | None  # what the last test found
    bitrate_kbps: int | None
    loudness_lufs: float | None  # before levelling (none: silent, or not tested)
    error: str | None  # why the last test heard nothing
    sample_hash: str | None = Field(exclude=True)
    standby: str | None = Field(validation_alias="standby_hash")  # fills a lost source

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sample_url(self) -> str | None:
        """The last test's seconds, levelled as they would air, to listen to."""
        return f"/api/programs/{self.sample_hash}.mp3" if self.sample_hash else None


@router.get("/relay-sources")
def list_sources(user: Me, db: Db) -> list[RelaySourceOut]:
    return [RelaySourceOut.model_validate(s) for s in db.scalars(scope.relay_sources(user))]


@router.post("/relay-sources", status_code=201, responses=problems(403))
def add_source(body: RelaySourceIn, user: Me, db: Db) -> RelaySourceOut:
    return RelaySourceOut.model_validate(relays.add(db, user, body.name, body.url))


@router.delete("/relay-sources/{source_id}", status_code=204, responses=problems(403, 404))
def remove_source(source_id: int, user: Me, db: Db) -> None:
    relays.remove(db, user, scope.relay_source(db, user, source_id))


@router.post("/relay-sources/{source_id}/test", responses=problems(403, 404))
async def test_source(source_id: int, user: Me, db: Db, services: Svc) -> RelaySourceOut:
    """Ten seconds of the source (a live stream takes that long): codec, bitrate and
    loudness, and the seconds to listen to; a source that cannot be read says why in
    `error`."""
    source = scope.relay_source(db, user, source_id)
    now = services.clock.now()
    await run_in_threadpool(relays.test, db, user, source, services.speech, now)
    return RelaySourceOut.model_validate(source)


@router.put("/relay-sources/{source_id}/standby", responses=problems(403, 404))
def set_standby(source_id: int, body: StandbyIn, user: Me, db: Db) -> RelaySourceOut:
    """The recording that fills the air, looped, while the source is lost (none: silence)."""
    source = scope.relay_source(db, user, source_id)
    program = scope.program(db, user, body.program) if body.program else None
    relays.set_standby(db, user, source, program)
    return RelaySourceOut.model_validate(source)
