"""Signing in: passwords (argon2), console sessions and API tokens, failed-login lockout
and the per-address throttle, and the user a presented token stands for."""

from __future__ import annotations

import math
import threading
from collections import deque
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.access.tokens import new_token, token_hash
from radio.errors import Invalid, Throttled, Unauthenticated
from radio.models import AuditEvent, Credential, User

SESSION_LIFETIME = timedelta(hours=12)
LOCK_AFTER = 5  # failed logins in a row
LOCK_FOR = timedelta(minutes=15)
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters", "mật khẩu cần ít nhất 8 ký tự")
    return _hasher.hash(password)


def login(db: Session, username: str, password: str, now: datetime) -> str:
    """A new console session token for valid credentials. A locked account is refused
    even with the right password, so guessing on gains nothing."""
    user = db.scalar(select(User).where(User.username == username, User.active))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise _locked(user.locked_until - now)
    try:
        if user is None:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except VerificationError:
        raise Unauthenticated(
            "wrong username or password", "sai tên đăng nhập hoặc mật khẩu"
        ) from None
    user.failed_logins, user.locked_until = 0, None
    return issue(db, user, "session", now + SESSION_LIFETIME)


def note_failure(sessions: sessionmaker[Session], username: str, now: datetime) -> None:
    """Count a failed login in its own transaction (the request's is rolled back with the
    refusal); the LOCK_AFTER-th in a row locks the account for LOCK_FOR."""
    with sessions.begin() as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is None:
            return
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.failed_logins, user.locked_until = 0, now + LOCK_FOR
            db.add(AuditEvent(at=now, action="lockout", target=f"user:{username}", detail={}))


class Throttle:
    """Failed logins per client address in a sliding window, across all usernames: one
    address may not spray guesses over many accounts."""

    def __init__(self, limit: int = 20, window: timedelta = LOCK_FOR) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, now: datetime) -> None:
        with self._lock:
            failures = self._failures.get(client)
            while failures and now - failures[0] > self.window:
                failures.popleft()
            if failures is not None and len(failures) >= self.limit:
                raise _locked(failures[0] + self.window - now)

    def fail(self, client: str, now: datetime) -> None:
        with self._lock:
            self._failures.setdefault(client, deque()).append(now)


def _locked(left: timedelta) -> Throttled:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return Throttled(
        f"too many failed logins: try again in {minutes} minutes",
        f"đăng nhập sai quá nhiều lần: hãy thử lại sau {minutes} phút",
    )


def issue(db: Session, user: User, kind: str, expires_at: datetime | None) -> str:
    """A console session ("session") or a script's token ("api") for the user."""
    token, digest = new_token()
    db.add(Credential(user=user, kind=kind, token_hash=digest, expires_at=expires_at))
    return token


def user_for(db: Session, token: str | None, now: datetime) -> User:
    if not token:
        raise Unauthenticated("please log in", "vui lòng đăng nhập")
    credential = db.scalar(select(Credential).where(Credential.token_hash == token_hash(token)))
    if (
        credential is None
        or not credential.user.active
        or (credential.expires_at is not None and credential.expires_at <= now)
    ):
        raise Unauthenticated(
            "your session has expired, please log in again",
            "phiên làm việc đã hết hạn, vui lòng đăng nhập lại",
        )
    return credential.user


def logout(db: Session, token: str) -> None:
    credential = db.scalar(select(Credential).where(Credential.token_hash == token_hash(token)))
    if credential is not None:
        db.delete(credential)
