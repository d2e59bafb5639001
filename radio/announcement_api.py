"""Announcements: compose (text or a .txt file), revise, preview, submit, approve or reject,
archive; and their programs' audio."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from radio import announcements as flow
from radio import auth, communes
from radio.deps import Db, Me, Svc, program_json, read_upload
from radio.errors import ApiError
from radio.models import Announcement, Priority, Role, Status
from radio.textfiles import TextFileError, decode_text

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


def add_announcement_routes(app: FastAPI) -> None:
    @app.get("/api/announcements")
    def list_announcements(user: Me, db: Db, status: Status | None = None) -> list[dict[str, Any]]:
        query = communes.announcements(user).order_by(Announcement.id.desc())
        if status is not None:
            query = query.where(Announcement.status == status)
        return [_announcement_json(a) for a in db.scalars(query)]

    @app.post("/api/announcements", status_code=201)
    def create(body: AnnouncementIn, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        return _announcement_json(flow.create(db, user, body.draft(), services.catalog))

    @app.post("/api/announcements/upload", status_code=201)
    async def upload(
        user: Me,
        db: Db,
        services: Svc,
        file: Annotated[UploadFile, File()],
        title: Annotated[str, Form()],
        voice: Annotated[str, Form()],
        rate: Annotated[float, Form()] = 1.0,
    ) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        data = await read_upload(file, MAX_UPLOAD, "the file", "tệp")
        try:
            text = decode_text(data, file.filename or "the file")
        except TextFileError as exc:
            raise ApiError(422, str(exc), "tệp không phải văn bản UTF-8 hoặc UTF-16") from None
        draft = flow.Draft(title, text, voice, rate)
        return _announcement_json(flow.create(db, user, draft, services.catalog))

    @app.get("/api/announcements/{announcement_id}")
    def get(announcement_id: int, user: Me, db: Db) -> dict[str, Any]:
        return _announcement_json(communes.announcement(db, user, announcement_id))

    @app.put("/api/announcements/{announcement_id}")
    def revise(
        announcement_id: int, body: AnnouncementIn, user: Me, db: Db, services: Svc
    ) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, announcement_id)
        return _announcement_json(
            flow.revise(db, user, announcement, body.draft(), services.catalog)
        )

    @app.post("/api/announcements/{announcement_id}/preview")
    def preview(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        return program_json(services.render(db, announcement.current))

    @app.post("/api/announcements/{announcement_id}/submit")
    def submit(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, announcement_id)
        services.render(db, announcement.current)  # the reviewer will listen to this
        flow.submit(db, user, announcement)
        return _announcement_json(announcement)

    @app.post("/api/announcements/{announcement_id}/approve")
    def approve(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        auth.require(user, Role.REVIEWER, Role.OPERATOR)
        program = services.render(db, announcement.current)
        flow.approve(db, user, announcement, program)
        return _announcement_json(announcement)

    @app.post("/api/announcements/{announcement_id}/reject")
    def reject(announcement_id: int, body: Rejection, user: Me, db: Db) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        flow.reject(db, user, announcement, body.reason)
        return _announcement_json(announcement)

    @app.delete("/api/announcements/{announcement_id}", status_code=204)
    def archive(announcement_id: int, user: Me, db: Db) -> None:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        flow.archive(db, user, communes.announcement(db, user, announcement_id))

    @app.get("/api/programs/{program_hash}.mp3")
    def program_audio(program_hash: str, user: Me, db: Db) -> FileResponse:
        program = communes.program(db, user, program_hash)
        return FileResponse(program.mp3_path, media_type="audio/mpeg")


def _announcement_json(a: Announcement) -> dict[str, Any]:
    r = a.current
    return {
        "id": a.id,
        "title": a.title,
        "status": a.status.value,
        "priority": a.priority.value,
        "reject_reason": a.reject_reason,
        "approved_program": a.approved_program_hash,
        "revision": {
            "number": r.number,
            "text": r.text,
            "voice": r.voice,
            "rate": r.rate,
            "chime": r.chime,
            "program": r.program_hash,
        },
        "revisions": len(a.revisions),
    }
