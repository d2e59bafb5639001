"""Mixed announcements: parts in order (texts read by the voice, recordings in any
labelled language, pauses, chimes), sent as one form with the recordings' files."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from radio import mixes
from radio.access import scope
from radio.access.deps import Composer, Db, Svc
from radio.errors import Invalid
from radio.models import Priority
from radio.web.errors import problems
from radio.web.routes.announcements import AnnouncementOut
from radio.web.uploads import MAX_RECORDING, read_upload

router = APIRouter(prefix="/api", tags=["announcements"], responses=problems(401, 422, 503))


class TextPart(BaseModel):
    kind: Literal["text"]
    text: str  # read by the programme's voice


class RecordingPart(BaseModel):
    kind: Literal["recording"]
    file: int | None = None  # which of the uploaded files (0 is the first), or
    program: str | None = None  # a recording this announcement already holds, by hash
    language: str = "vi"  # ISO 639 code (see radio.languages)
    summary: str = ""  # what it says, in a line


class PausePart(BaseModel):
    kind: Literal["pause"]
    seconds: float = Field(ge=0.1, le=10)


class ChimePart(BaseModel):
    kind: Literal["chime"]
    rising: bool = True  # before; falling (false) after


Part = Annotated[TextPart | RecordingPart | PausePart | ChimePart, Field(discriminator="kind")]
PARTS = TypeAdapter(list[Part])


async def _mix(
    title: str,
    voice: str,
    parts: str,
    files: list[UploadFile],
    rate: float,
    priority: Priority,
) -> mixes.Mix:
    try:
        checked = PARTS.validate_json(parts)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(
            f"the parts are not valid: {where}: {first['msg']}",
            f"danh sách các phần không hợp lệ: {where}",
            field="parts",
        ) from None
    data = [await read_upload(f, MAX_RECORDING, "the recording", "tệp ghi âm") for f in files]
    dumped = [p.model_dump() for p in checked]
    return mixes.Mix(title, voice, dumped, data, rate, priority)


@router.post("/announcements/mixed", status_code=201, responses=problems(403, 413))
async def mix_announcement(
    user: Composer,
    db: Db,
    services: Svc,
    title: Annotated[str, Form(max_length=200)],
    parts: Annotated[str, Form()],  # JSON: the parts in order
    voice: Annotated[str, Form()] = "",  # needed when there is a text part
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies it)
    rate: Annotated[float, Form(ge=0.5, le=2.0)] = 1.0,
    priority: Annotated[Priority, Form()] = Priority.NORMAL,
) -> AnnouncementOut:
    """A programme of parts: texts read by the voice, recordings (files uploaded with it,
    each in its language), pauses and chimes, joined at one loudness and rendered now;
    approval binds to the whole program's hash."""
    mix = await _mix(title, voice, parts, files, rate, priority)
    made = await run_in_threadpool(mixes.create, db, user, mix, services.speech)
    return AnnouncementOut.model_validate(made)


@router.post("/announcements/{announcement_id}/mixed", responses=problems(403, 404, 409, 413))
async def remix_announcement(
    announcement_id: int,
    user: Composer,
    db: Db,
    services: Svc,
    title: Annotated[str, Form(max_length=200)],
    parts: Annotated[str, Form()],
    voice: Annotated[str, Form()] = "",  # needed when there is a text part
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI copies it)
    rate: Annotated[float, Form(ge=0.5, le=2.0)] = 1.0,
    priority: Annotated[Priority, Form()] = Priority.NORMAL,
) -> AnnouncementOut:
    """The parts' next revision; a recording part may name one of this announcement's
    recordings by `program` instead of sending it again. Back to review."""
    announcement = scope.announcement(db, user, announcement_id)
    mix = await _mix(title, voice, parts, files, rate, priority)
    made = await run_in_threadpool(mixes.remix, db, user, announcement, mix, services.speech)
    return AnnouncementOut.model_validate(made)
