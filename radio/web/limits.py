"""Request bodies are bounded before anything reads them.

Every request may send at most DEFAULT_LIMIT bytes (JSON, forms, a text file); only the
routes that take recordings accept more, and only from a caller whose credentials are
valid, checked before a byte of the body is read: an anonymous 200 MB upload is refused
at its headers instead of being parsed or spooled to disk. A body without a length is
counted as it arrives and refused at the limit.
"""

from __future__ import annotations

import asyncio
import re
from http.cookies import SimpleCookie

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from radio.access import sessions
from radio.access.deps import SESSION_COOKIE
from radio.errors import Refusal, TooLarge, Unauthenticated
from radio.web.errors import answer
from radio.web.uploads import MAX_RECORDING

DEFAULT_LIMIT = 1 << 20  # bytes
# The routes that take a recording: its bytes, and room for the form's other fields.
RECORDINGS = re.compile(r"/api/(bulletins/audio|announcements/(\d+/)?(recording|mixed))")
RECORDING_LIMIT = MAX_RECORDING + 2_000_000  # a mixed programme's files share it


def limit_of(path: str) -> int:
    return RECORDING_LIMIT if RECORDINGS.fullmatch(path) else DEFAULT_LIMIT


def too_large(limit: int) -> TooLarge:
    megabytes = f"{limit / 1_000_000:.0f}" if limit >= 1_000_000 else f"{limit / 1e6:.1f}"
    return TooLarge(
        f"the request is larger than {megabytes} MB",
        f"yêu cầu gửi lên lớn hơn {megabytes} MB",
    )


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_of(scope["path"])
        refusal = await self._refusal(scope, limit)
        if refusal is not None:
            await answer(refusal)(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)

    async def _refusal(self, scope: Scope, limit: int) -> Refusal | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return too_large(limit)
        if limit > DEFAULT_LIMIT and not await _signed_in(scope, headers):
            return Unauthenticated("please log in", "vui lòng đăng nhập")
        return None


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:  # an HTTPException: the framework answers it, even mid-parse
                raise HTTPException(413, too_large(limit).en)
        return message

    return counted


async def _signed_in(scope: Scope, headers: dict[str, str]) -> bool:
    """Whether the request carries a valid session or API token (the route still checks
    the role): a large body is read only for someone signed in."""
    authorization = headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    if not token:
        cookie = SimpleCookie(headers.get("cookie", ""))
        token = cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else ""
    if not token:
        return False
    services = scope["app"].state.services

    def check() -> bool:
        with services.sessions() as db:
            try:
                sessions.user_for(db, token, services.clock.now())
            except Unauthenticated:
                return False
            return True

    return await asyncio.to_thread(check)
