"""Announcements: compose (text, a .txt file or a recording), revise, preview, submit,
approve or reject, archive; and their programs' audio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, BeforeValidator, Field

from radio import announcements as flow
from radio.access import scope
from radio.access.deps import Composer, Db, Me, Reviewer, Svc
from radio.errors import Invalid
from radio.models import Announcement, Priority, Source, Status
from radio.speech import Voicing
from radio.textfiles import TextFileError, decode_text
from radio.web.errors import problems
from radio.web.paging import PAGED, Page
from radio.web.schemas import MP3, Out, ProgramOut
from radio.web.uploads import MAX_RECORDING, read_upload

router = APIRouter(prefix="/api", tags=["announcements"], responses=problems(401, 422, 503))

MAX_UPLOAD = 200_000  # bytes: a 20,000-character text in UTF-16 fits easily


class AnnouncementIn(BaseModel):
    title: str = Field(max_length=200)
    text: str
    voice: str
    rate: float = 1.0
    chime: bool = False
    priority: Priority = Priority.NORMAL

    def draft(self) -> flow.Draft:
        return flow.Draft(self.title, self.text, self.voice, self.rate, self.chime, self.priority)


class Rejection(BaseModel):
    reason: str


class RevisionOut(Out):
    number: int
    source: Source  # its text read by a voice, or a recording
    text: str  # what is read; for a recording, what it says
    language: str  # ISO 639 code (radio.languages)
    parts: list[dict[str, Any]] | None  # a mixed revision's parts in order (radio.mixes)
    voice: str
    rate: float
    chime: bool
    # the hash of its rendered program, once rendered
    program: str | None = Field(validation_alias="program_hash")


class AnnouncementOut(Out):
    id: int
    title: str
    status: Status
    priority: Priority
    reject_reason: str | None
    # the hash approval bound to: only this audio airs
    approved_program: str | None = Field(validation_alias="approved_program_hash")
    revision: RevisionOut = Field(validation_alias="current")
    revisions: Annotated[int, BeforeValidator(len)]  # how many there have been


@router.get("/announcements", responses=PAGED)
def list_announcements(
    user: Me, db: Db, page: Page, status: Status | None = None
) -> list[AnnouncementOut]:
    query = scope.announcements(user).order_by(Announcement.id.desc())
    if status is not None:
        query = query.where(Announcement.status == status)
    return [AnnouncementOut.model_validate(a) for a in page.rows(db, query)]


@router.post("/announcements", status_code=201, responses=problems(403, 413))
def create_announcement(
    body: AnnouncementIn, user: Composer, db: Db, services: Svc
) -> AnnouncementOut:
    return AnnouncementOut.model_validate(flow.create(db, user, body.draft(), services.speech))


@router.post("/announcements/upload", status_code=201, responses=problems(403, 413))
async def upload_announcement(
    user: Composer,
    db: Db,
    services: Svc,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form()],
    voice: Annotated[str, Form()],
    rate: Annotated[float, Form()] = 1.0,
) -> AnnouncementOut:
    """A text file (UTF-8 or UTF-16, as office tools save) made an announcement."""
    data = await read_upload(file, MAX_UPLOAD, "the file", "tệp")
    try:
        text = decode_text(data, file.filename or "the file")
    except TextFileError as exc:
        raise Invalid(str(exc), "tệp không phải văn bản UTF-8 hoặc UTF-16") from None
    draft = flow.Draft(title, text, voice, rate)
    made = await run_in_threadpool(flow.create, db, user, draft, services.speech)  # off the loop
    return AnnouncementOut.model_validate(made)


async def recording_form(
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=200)],
    language: Annotated[str, Form()] = "vi",
    summary: Annotated[str, Form()] = "",
    priority: Annotated[Priority, Form()] = Priority.NORMAL,
) -> flow.Recording:
    """A recording and its labels, as the console's form (or a phone's app) sends them."""
    data = await read_upload(file, MAX_RECORDING, "the recording", "tệp ghi âm")
    return flow.Recording(title, data, language, summary, priority)


RecordingForm = Annotated[flow.Recording, Depends(recording_form)]


@router.post("/announcements/recording", status_code=201, responses=problems(403, 413))
async def record_announcement(
    user: Composer, db: Db, services: Svc, recording: RecordingForm
) -> AnnouncementOut:
    """A recording (a phone's M4A, AMR or 3GP, the console recorder's WebM, MP3, WAV,
    FLAC, Ogg) made an announcement: decoded, trimmed of silence at either end and levelled
    to the broadcast loudness; a file that is not audio or lasts over 30 minutes is a 422
    and nothing is saved."""
    made = await run_in_threadpool(flow.create_recorded, db, user, recording, services.speech)
    return AnnouncementOut.model_validate(made)


@router.post("/announcements/{announcement_id}/recording", responses=problems(403, 404, 409, 413))
async def rerecord_announcement(
    announcement_id: int, user: Composer, db: Db, services: Svc, recording: RecordingForm
) -> AnnouncementOut:
    """A new recording as the announcement's next revision: back to review."""
    announcement = scope.announcement(db, user, announcement_id)
    made = await run_in_threadpool(
        flow.rerecord, db, user, announcement, recording, services.speech
    )
    return AnnouncementOut.model_validate(made)


@router.get("/announcements/{announcement_id}", responses=problems(404))
def get_announcement(announcement_id: int, user: Me, db: Db) -> AnnouncementOut:
    return AnnouncementOut.model_validate(scope.announcement(db, user, announcement_id))


@router.put("/announcements/{announcement_id}", responses=problems(403, 404, 409, 413))
def revise_announcement(
    announcement_id: int, body: AnnouncementIn, user: Composer, db: Db, services: Svc
) -> AnnouncementOut:
    announcement = scope.announcement(db, user, announcement_id)
    return AnnouncementOut.model_validate(
        flow.revise(db, user, announcement, body.draft(), services.speech)
    )


@router.post("/announcements/{announcement_id}/preview", responses=problems(404, 429))
def preview_announcement(announcement_id: int, user: Me, db: Db, services: Svc) -> ProgramOut:
    """The current revision rendered (through the caches: the broadcast costs nothing
    more), to listen to. A new render counts against the user's quota (429 past it)."""
    announcement = scope.announcement(db, user, announcement_id)
    revision = announcement.current
    program = revision.program
    if program is None or not (program.relayed or Path(program.mp3_path).is_file()):
        services.quota.take(user.id, services.clock.now())
        if revision.source == Source.TEXT and not revision.fixed:
            parts, voicing = [revision.text], Voicing.of(revision)
            # Synthesize holding no database connection: twenty previews at once held
            # every connection of the pool for as long as they took, and the rest of the
            # station waited (503). The render below then finds the program whole.
            db.commit()
            services.speech.render(parts, voicing)
    return ProgramOut.model_validate(services.speech.render_revision(db, announcement.current))


@router.post("/announcements/{announcement_id}/submit", responses=problems(403, 404, 409))
def submit_announcement(
    announcement_id: int, user: Composer, db: Db, services: Svc
) -> AnnouncementOut:
    announcement = scope.announcement(db, user, announcement_id)
    services.speech.render_revision(db, announcement.current)  # the reviewer listens to this
    flow.submit(db, user, announcement)
    return AnnouncementOut.model_validate(announcement)


class Approval(BaseModel):
    revision: int = Field(ge=1)  # the revision number the reviewer heard
    program: str = Field(min_length=1, max_length=64)  # the hash of the program heard


@router.post("/announcements/{announcement_id}/approve", responses=problems(403, 404, 409))
def approve_announcement(
    announcement_id: int, body: Approval, user: Reviewer, db: Db, services: Svc
) -> AnnouncementOut:
    """Approve what the reviewer heard, named by its revision and program: a newer
    revision (or other audio) is a 409 naming it, and nothing is approved."""
    announcement = scope.announcement(db, user, announcement_id)
    program = services.speech.render_revision(db, announcement.current)
    flow.approve(db, user, announcement, program, flow.Heard(body.revision, body.program))
    return AnnouncementOut.model_validate(announcement)


@router.post("/announcements/{announcement_id}/reject", responses=problems(403, 404, 409))
def reject_announcement(
    announcement_id: int, body: Rejection, user: Reviewer, db: Db
) -> AnnouncementOut:
    announcement = scope.announcement(db, user, announcement_id)
    flow.reject(db, user, announcement, body.reason)
    return AnnouncementOut.model_validate(announcement)


@router.delete("/announcements/{announcement_id}", status_code=204, responses=problems(403, 404))
def archive_announcement(announcement_id: int, user: Composer, db: Db) -> None:
    flow.archive(db, user, scope.announcement(db, user, announcement_id))


@router.get(
    "/programs/{program_hash}.mp3",
    response_class=FileResponse,
    responses={200: MP3, **problems(404)},
)
def program_audio(program_hash: str, user: Me, db: Db) -> FileResponse:
    """A program's audio, for a user whose commune made or aired it."""
    program = scope.program(db, user, program_hash)
    return FileResponse(program.mp3_path, media_type="audio/mpeg")
