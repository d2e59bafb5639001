"""Response models more than one concern answers with. Each route module keeps its own
models beside its routes; these are the shared few."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from radio.models import Commune, Program
from schedules import local_iso


class ProgramOut(BaseModel):
    """A rendered program: its content hash (what approval binds to), length, loudness and
    where to hear it."""

    hash: str
    duration: float
    loudness_lufs: float
    audio_url: str

    @classmethod
    def of(cls, program: Program) -> ProgramOut:
        return cls(
            hash=program.hash,
            duration=program.duration,
            loudness_lufs=program.loudness_lufs,
            audio_url=f"/api/programs/{program.hash}.mp3",
        )


class CommuneOut(BaseModel):
    slug: str
    name: str

    @classmethod
    def of(cls, commune: Commune) -> CommuneOut:
        return cls(slug=commune.slug, name=commune.name)


MP3 = {"content": {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}}}}
CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}}


def _utc(moment: datetime) -> str:
    return moment.isoformat()


def _local(moment: datetime) -> str:
    return local_iso(moment) or ""


_DATE_TIME = WithJsonSchema({"type": "string", "format": "date-time"})
# A moment as stored (UTC, with its offset): for machines, such as a receiver's clock.
Moment = Annotated[datetime, PlainSerializer(_utc, return_type=str), _DATE_TIME]
# A moment as people read it: Hà Nội time, to the second.
LocalMoment = Annotated[datetime, PlainSerializer(_local, return_type=str), _DATE_TIME]
