"""What every route depends on: the services, a database session per request, and the
signed-in user (by session cookie or bearer token). The API and the console share them, so
both apply the same rules."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request, UploadFile
from sqlalchemy.orm import Session, sessionmaker

from radio import announcements as flow
from radio import auth
from radio.errors import ApiError
from radio.models import Program, Revision, User
from radio.scheduler import Scheduler
from schedules import Clock
from voices import Catalog, Lexicon, Renderer
from voices.estimate import Estimate

SESSION_COOKIE = "loaxa_session"
log = logging.getLogger("radio.lexicon")


@dataclass
class Services:
    """What the routes work with; built once by `radio serve` (or a test)."""

    sessions: sessionmaker[Session]
    clock: Clock
    catalog: Catalog
    renderer: Renderer
    lexicon_path: Path
    scheduler: Scheduler

    def lexicon(self) -> Lexicon:
        """Lines of the file that cannot be read are left out (and shown with the reading
        preview), never a reason to fail a render."""
        lexicon = Lexicon.load(self.lexicon_path)
        for problem in lexicon.problems:
            log.warning("lexicon line left out: %s", problem)
        return lexicon

    def render(self, db: Session, revision: Revision) -> Program:
        return flow.render(db, revision, self.catalog, self.renderer, self.lexicon())

    def estimate(self, revision: Revision) -> Estimate:
        return flow.estimate(revision, self.catalog, self.renderer, self.lexicon())


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _db(services: Annotated[Services, Depends(services_of)]) -> Iterator[Session]:
    with services.sessions.begin() as db:
        yield db


# Committed before the response is sent: a client told 201 can rely on what it was told.
Db = Annotated[Session, Depends(_db, scope="function")]
Svc = Annotated[Services, Depends(services_of)]


CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def current_user(request: Request, db: Db, services: Svc) -> User:
    """The signed-in user. A change made with the session cookie must also carry the
    session's CSRF token (the console sends it), so that no other site can make one."""
    token = token_of(request)
    user = auth.user_for(db, token, services.clock.now())
    by_cookie = not request.headers.get("authorization", "").lower().startswith("bearer ")
    checked = by_cookie and request.method not in _SAFE_METHODS and token is not None
    sent = request.headers.get(CSRF_HEADER, "")
    if checked and not secrets.compare_digest(sent, auth.csrf_for(token or "")):
        raise ApiError(
            403,
            "missing or wrong CSRF token: reload the page",
            "thiếu mã chống giả mạo (CSRF): hãy tải lại trang",
        )
    return user


Me = Annotated[User, Depends(current_user)]


def program_json(p: Program) -> dict[str, Any]:
    return {
        "hash": p.hash,
        "duration": p.duration,
        "loudness_lufs": p.loudness_lufs,
        "audio_url": f"/api/programs/{p.hash}.mp3",
    }


def commit_and_wake(request: Request, db: Session) -> None:
    """Commit an emergency (on record before it can air), then have this process's
    playout, if it runs one, take it at once; a separate worker sees it in the database."""
    db.commit()
    onair = request.app.state.onair
    if onair is not None:
        onair.wake()


async def read_upload(file: UploadFile, limit: int, what_en: str, what_vi: str) -> bytes:
    """The uploaded file, refused (413) past `limit` bytes without reading it all."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"
        raise ApiError(413, f"{what_en} is larger than {size}", f"{what_vi} lớn hơn {size}")
    return data
