"""The voices: which there are, a sample of each, and downloading one (with progress)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel

from radio.access.deps import Db, Me, Operator, Svc
from radio.audit import audit
from radio.downloads import Pull
from radio.errors import Conflict, not_found
from radio.web.errors import problems
from radio.web.schemas import MP3

router = APIRouter(prefix="/api", tags=["voices"], responses=problems(401, 422, 503))


class VoiceOut(BaseModel):
    """What the catalog tells a user about one voice."""

    id: str
    name: str  # as people know it: "Giọng nữ miền Bắc (eSpeak)"
    engine: str
    dialect: str
    gender: str
    licence: str
    sample_rate: int
    source: str  # built-in, download or local
    installed: bool
    size_bytes: int
    quality: str
    commercial_use: bool | None
    speakers: list[str]


class PullOut(BaseModel):
    done: int
    total: int
    state: str  # running, installed or failed
    error: str

    @classmethod
    def of(cls, pull: Pull) -> PullOut:
        return cls(**asdict(pull))


@router.get("/voices")
def list_voices(user: Me, services: Svc) -> list[VoiceOut]:
    return [VoiceOut.model_validate(v.to_json()) for v in services.catalog.voices()]


@router.get(
    "/voices/{voice_id}/sample.mp3",
    response_class=FileResponse,
    responses={200: MP3, **problems(404, 409)},
)
def voice_sample(voice_id: str, user: Me, services: Svc) -> FileResponse:
    """A short sentence in the voice, rendered through the cache (so, once)."""
    return FileResponse(services.speech.sample(voice_id).mp3_path, media_type="audio/mpeg")


@router.post("/voices/{voice_id}/pull", status_code=202, responses=problems(403, 409))
def pull_voice(voice_id: str, user: Operator, db: Db, services: Svc) -> PullOut:
    """Start downloading a catalog voice; follow it with GET on the same address."""
    if services.speech.voice(voice_id).installed:
        raise Conflict("the voice is already installed", "giọng đã được cài đặt")
    progress, started = services.pulls.start(voice_id)
    if started:
        audit(db, user, "pull-voice", f"voice:{voice_id}")
    return PullOut.of(progress)


@router.get("/voices/{voice_id}/pull", responses=problems(404))
def voice_pull_progress(voice_id: str, user: Me, services: Svc) -> PullOut:
    progress = services.pulls.progress(voice_id)
    if progress is None:
        raise not_found("download of this voice", "lượt tải giọng này")
    return PullOut.of(progress)
