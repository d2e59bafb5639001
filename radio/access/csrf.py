"""Anti-forgery for the console: a change made with the session cookie must carry the
session's CSRF token, which another site can neither read nor guess."""

from __future__ import annotations

import hashlib
import secrets

from radio.errors import Forbidden

HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_for(session_token: str) -> str:
    """Derived from the session token (an HttpOnly cookie), so nothing more is stored."""
    return hashlib.sha256(b"loaxa-csrf:" + session_token.encode()).hexdigest()[:32]


def check(session_token: str, sent: str) -> None:
    if not secrets.compare_digest(sent, csrf_for(session_token)):
        raise Forbidden(
            "missing or wrong CSRF token: reload the page",
            "thiếu mã chống giả mạo (CSRF): hãy tải lại trang",
        )
