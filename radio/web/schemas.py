"""Response models more than one concern answers with. Each route module keeps its own
models beside its routes; these are the shared few."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    computed_field,
)

from radio.errors import Invalid
from schedules import local_iso


class Out(BaseModel):
    """A response read off the rows it describes (their attributes of the same name)."""

    model_config = ConfigDict(from_attributes=True)


class ProgramOut(Out):
    """A rendered program: its content hash (what approval binds to), length, loudness and
    where to hear it."""

    hash: str
    duration: float
    loudness_lufs: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def audio_url(self) -> str:
        return f"/api/programs/{self.hash}.mp3"


class Place(BaseModel):
    """Where a zone's or a loudspeaker's place is (WGS 84 degrees): for alert areas and
    the map. Both or neither."""

    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    def check(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise Invalid(
                "give both latitude and longitude, or neither",
                "hãy nhập cả vĩ độ và kinh độ, hoặc bỏ trống cả hai",
                field="latitude",
            )


class CommuneOut(Out):
    slug: str
    name: str
    geocode: str | None = None  # the administrative code CAP alerts name it by


def slug_of(row: object) -> object:
    """A related row named by its slug (a zone, a commune)."""
    return getattr(row, "slug", row)


Slug = Annotated[str, BeforeValidator(slug_of)]


MP3 = {"content": {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}}}}
CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}}


def _utc(moment: datetime) -> str:
    return moment.isoformat()


def _local(moment: datetime) -> str:
    return local_iso(moment) or ""


DATE_TIME = WithJsonSchema({"type": "string", "format": "date-time"})
# A moment as stored (UTC, with its offset): for machines, such as a receiver's clock.
Moment = Annotated[datetime, PlainSerializer(_utc, return_type=str), DATE_TIME]
# A moment as people read it: Hà Nội time, to the second.
LocalMoment = Annotated[datetime, PlainSerializer(_local, return_type=str), DATE_TIME]
