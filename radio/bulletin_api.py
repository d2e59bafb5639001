"""The ingestion API of the level above: send a bulletin (text to read, or a recording) to
chosen communes at a level, and follow it commune by commune. Scripts of a provincial
"source information system" use it with an API token (`POST /api/tokens`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from pydantic import BaseModel, Field

from radio import announcements as flow
from radio import bulletins, communes
from radio.bulletins import Outgoing
from radio.deps import Db, Me, Svc, commit_and_wake, read_upload
from radio.errors import ApiError, not_found
from radio.models import Bulletin, Level, Program
from voices import AudioFileError

MAX_RECORDING = 50_000_000  # bytes: half an hour of 192 kbps MP3 fits


class BulletinIn(BaseModel):
    title: str = Field(max_length=200)
    level: Level
    communes: list[str] = Field(min_length=1, max_length=1000)
    text: str
    voice: str
    rate: float = 1.0


def add_bulletin_routes(app: FastAPI) -> None:
    @app.post("/api/bulletins", status_code=201)
    def send(body: BulletinIn, request: Request, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        """A text bulletin, read by the chosen voice here, the same audio for every commune."""
        bulletins.may_send(user, body.level)
        draft = flow.Draft(body.title, body.text, body.voice, body.rate)
        flow.check(draft, services.catalog)
        speech = flow.Speech(body.voice, body.rate)
        rendered = flow.render_parts(
            [body.text], speech, services.catalog, services.renderer, services.lexicon()
        )
        outgoing = Outgoing(body.title, body.level, body.communes, body.text, body.voice, body.rate)
        return _send(request, db, services, user, outgoing, flow.program_row(db, rendered))

    @app.post("/api/bulletins/audio", status_code=201)
    async def send_recording(
        request: Request,
        user: Me,
        db: Db,
        services: Svc,
        file: Annotated[UploadFile, File()],
        title: Annotated[str, Form(max_length=200)],
        level: Annotated[Level, Form()],
        communes: Annotated[list[str], Form()],
    ) -> dict[str, Any]:
        """A recorded bulletin (MP3, WAV, FLAC, Ogg Vorbis), brought to the broadcast format
        and loudness like speech."""
        bulletins.may_send(user, level)
        if not title.strip():
            raise ApiError(422, "the title is empty", "tiêu đề đang để trống", field="title")
        data = await read_upload(file, MAX_RECORDING, "the recording", "tệp ghi âm")
        try:
            rendered = services.renderer.import_audio(data)
        except AudioFileError as exc:
            raise ApiError(
                422,
                str(exc),
                "tệp không đọc được: cần MP3, WAV, FLAC hoặc Ogg Vorbis dưới 30 phút",
                field="file",
            ) from None
        outgoing = Outgoing(title, level, communes)
        return _send(request, db, services, user, outgoing, flow.program_row(db, rendered))

    @app.get("/api/bulletins")
    def listed(user: Me, db: Db, services: Svc, limit: int = 50) -> list[dict[str, Any]]:
        """Bulletins with their state in each commune; a commune sees only its own."""
        now = services.clock.now()
        query = communes.bulletins(user).limit(min(max(limit, 1), 500))
        return [bulletins.as_json(db, b, now, user.commune_id) for b in db.scalars(query)]

    @app.get("/api/bulletins/{bulletin_id}")
    def one(bulletin_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        bulletin = db.get(Bulletin, bulletin_id)
        if bulletin is None or not any(
            communes.sees(user, d.commune_id) for d in bulletin.deliveries
        ):
            raise not_found("bulletin", "bản tin")
        return bulletins.as_json(db, bulletin, services.clock.now(), user.commune_id)


def _send(
    request: Request, db: Db, services: Svc, user: Me, outgoing: Outgoing, program: Program
) -> dict[str, Any]:
    now = services.clock.now()
    bulletin = bulletins.send(db, user, outgoing, program, now)
    answer = bulletins.as_json(db, bulletin, now)
    if outgoing.level == Level.EMERGENCY:
        commit_and_wake(request, db)
    return answer
