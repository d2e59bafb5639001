"""Tokens: how a console session, a script's API token and a loudspeaker's token are made,
stored (as a hash only: a leaked database gives no way in) and found again."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.models import Receiver


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(size: int) -> str:
    """`size` random bytes, url-safe, never starting with '-': a person pastes a token or
    password after a command-line flag (`radio receiver --token …`), where a leading '-'
    reads as another flag."""
    while (secret := secrets.token_urlsafe(size)).startswith("-"):
        pass
    return secret


def new_token(size: int = 32) -> tuple[str, str]:
    """A fresh token and its hash: the token is shown once, the hash is stored."""
    token = new_secret(size)
    return token, token_hash(token)


def receiver_for(db: Session, token: str) -> Receiver | None:
    """The loudspeaker holding this token, unless it was revoked."""
    return db.scalar(
        select(Receiver).where(Receiver.token_hash == token_hash(token), ~Receiver.revoked)
    )
