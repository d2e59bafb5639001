"""The API's speech routes: how a text will be read (the reading preview), the commune's
lexicon, and the voices (list, sample, pull with progress)."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from radio import announcements as flow
from radio import auth
from radio.deps import Db, Me, Services, Svc
from radio.errors import ApiError, not_found
from radio.models import Role
from voices import DownloadError, Lexicon, SynthesisParams, VoiceError
from voices.catalog import VoiceInfo
from voices.files import write_atomically
from voices.normalize import clean_line
from voices.normalize.lexicon import with_entry
from voices.render import normalizer_for

SAMPLE_TEXT = "Kính thưa bà con. Đây là giọng đọc của Đài truyền thanh xã."
MAX_PREVIEW_CHARS = 20_000


class ReadingIn(BaseModel):
    text: str = Field(max_length=MAX_PREVIEW_CHARS)
    voice: str


class LexiconEntry(BaseModel):
    written: str = Field(min_length=1, max_length=100)
    spoken: str = Field(min_length=1, max_length=300)


@dataclass
class Pull:
    """A voice download in progress (or finished) on this server."""

    done: int = 0
    total: int = 0
    state: str = "running"  # "running", "installed" or "failed"
    error: str = ""


def add_speech_routes(app: FastAPI) -> None:
    pulls: dict[str, Pull] = {}
    lock = threading.Lock()

    @app.post("/api/reading")
    def reading(body: ReadingIn, user: Me, services: Svc) -> dict[str, Any]:
        """The text as the voice will read it, line by line, with every rewritten span
        (number, date, abbreviation…) and its reading: the console's reading preview."""
        info = _voice(services, body.voice)
        lexicon = services.lexicon()
        normalizer = normalizer_for(info, lexicon)
        lines = []
        for line in body.text.split("\n"):
            spoken, rewrites = normalizer.explain(line)
            lines.append(
                {
                    "text": unicodedata.normalize("NFC", line),
                    "cleaned": clean_line(line),
                    "reading": spoken,
                    "rewrites": [asdict(r) for r in rewrites],
                }
            )
        # the lexicon's unreadable lines, left out of every reading until someone fixes them
        return {"voice": info.id, "lines": lines, "lexicon_problems": list(lexicon.problems)}

    @app.get("/api/lexicon")
    def lexicon(user: Me, services: Svc) -> list[dict[str, str]]:
        return [{"written": w, "spoken": s} for w, s in services.lexicon().entries.items()]

    @app.post("/api/lexicon", status_code=201)
    def add_entry(body: LexiconEntry, user: Me, services: Svc) -> dict[str, str]:
        """Add or replace an entry. Only the sentences containing it re-synthesize."""
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        written = unicodedata.normalize("NFC", body.written).strip()
        spoken = unicodedata.normalize("NFC", body.spoken).strip()
        readable = Lexicon.parse(f"{written} = {spoken}\n").entries == {written: spoken}
        if not readable or "=" in written:
            raise ApiError(
                422,
                "an entry is one line, 'written = spoken', without '=' or '#' in the words",
                "mỗi mục là một dòng 'viết = đọc', không chứa '=' hoặc '#'",
                field="written",
            )
        path = services.lexicon_path
        with lock:  # one writer at a time; the file is replaced whole
            before = path.read_text("utf-8-sig") if path.exists() else ""
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, with_entry(before, written, spoken).encode())
        return {"written": written, "spoken": spoken}

    @app.get("/api/voices")
    def voices(user: Me, services: Svc) -> list[dict[str, Any]]:
        return [v.to_json() for v in services.catalog.voices()]

    @app.get("/api/voices/{voice_id}/sample.mp3")
    def sample(voice_id: str, user: Me, services: Svc) -> FileResponse:
        """A short sentence in the voice, rendered through the cache (so, once)."""
        info = _voice(services, voice_id)
        if not info.installed:
            raise ApiError(409, "the voice is not installed", "giọng chưa được cài đặt")
        program = services.renderer.render(
            SAMPLE_TEXT,
            services.catalog.synthesizer(voice_id),
            SynthesisParams(),
            normalizer_for(info, services.lexicon()),
        )
        return FileResponse(program.mp3_path, media_type="audio/mpeg")

    @app.post("/api/voices/{voice_id}/pull", status_code=202)
    def pull(voice_id: str, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        """Start downloading a catalog voice; follow it with GET on the same address."""
        auth.require(user, Role.OPERATOR)
        info = _voice(services, voice_id)
        if info.installed:
            raise ApiError(409, "the voice is already installed", "giọng đã được cài đặt")
        with lock:
            if voice_id in pulls and pulls[voice_id].state == "running":
                return asdict(pulls[voice_id])
            pulls[voice_id] = progress = Pull()
        flow.audit(db, user, "pull-voice", f"voice:{voice_id}")
        threading.Thread(target=_download, args=(services, voice_id, progress), daemon=True).start()
        return asdict(progress)

    @app.get("/api/voices/{voice_id}/pull")
    def pull_progress(voice_id: str, user: Me) -> dict[str, Any]:
        if voice_id not in pulls:
            raise not_found("download of this voice", "lượt tải giọng này")
        return asdict(pulls[voice_id])


def _voice(services: Services, voice_id: str) -> VoiceInfo:
    try:
        return services.catalog.info(voice_id)
    except VoiceError as exc:
        raise ApiError(422, str(exc), f"không có giọng '{voice_id}'", field="voice") from None


def _download(services: Services, voice_id: str, progress: Pull) -> None:
    def report(done: int, total: int) -> None:
        progress.done, progress.total = done, total

    try:
        services.catalog.pull(voice_id, report)
        progress.state = "installed"
    except (DownloadError, VoiceError, OSError) as exc:
        progress.state, progress.error = "failed", str(exc)
