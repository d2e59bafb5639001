"""Signing in: passwords (argon2), console sessions and API tokens, failed-login lockout
and the per-address throttle, and the user a presented token stands for."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from radio.access.tokens import new_token, token_hash
from radio.errors import Invalid, Throttled, Unauthenticated
from radio.models import Alert, AuditEvent, Credential, User

SESSION_LIFETIME = timedelta(hours=12)
LOCK_AFTER = 5  # failed logins in a row
LOCK_FOR = timedelta(minutes=15)
VERIFYING = 2  # password checks at once, process-wide
_hasher = PasswordHasher()
_verifying = threading.BoundedSemaphore(VERIFYING)
_DUMMY = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters", "mật khẩu cần ít nhất 8 ký tự")
    return _hasher.hash(password)


def login(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    now: datetime,
    admit: Callable[[], None] = lambda: None,
) -> str:
    """A new console session token for valid credentials. `admit` (the route's
    `Throttle.admit`, which slows guessing down per address and per username and address)
    is asked when the password's turn to be checked comes: a burst of right passwords
    from one address queues and passes, and no more guesses are judged than it allows.

    No database connection is held while the password is checked (argon2 is slow on
    purpose): a burst of logins must not take the connections playout needs. Unknown
    usernames are checked against a dummy hash, so they take as long as real ones."""
    with sessions() as db:
        found = db.execute(
            select(User.id, User.password_hash, User.locked_until).where(
                User.username == username, User.active
            )
        ).first()
    checked = verify_password(found.password_hash if found else _DUMMY, password, admit)
    if not checked or found is None:
        note_failure(sessions, username, now)
        raise Unauthenticated("wrong username or password", "sai tên đăng nhập hoặc mật khẩu")
    with sessions.begin() as db:
        user = db.get(User, found.id)
        assert user is not None
        user.failed_logins = 0
        return issue(db, user, "session", now + SESSION_LIFETIME)


def verify_password(
    password_hash: str, password: str, admit: Callable[[], None] = lambda: None
) -> bool:
    """At most VERIFYING checks at once: a burst of guesses queues here, on the CPU (and
    the 64 MB each argon2 check takes) it would otherwise take from playout, not in the
    database pool. `admit` may refuse the check when its turn comes (it raises)."""
    with _verifying:
        admit()
        try:
            return _hasher.verify(password_hash, password)
        except VerificationError:
            return False


def note_failure(sessions: sessionmaker[Session], username: str, now: datetime) -> None:
    """Count a failed login in its own transaction, by one atomic UPDATE; the
    LOCK_AFTER-th in a row is audited and raised as an alert (someone is guessing), and
    the count starts again. The account itself is never locked: anyone could lock it."""
    with sessions.begin() as db:
        db.execute(
            update(User)
            .where(User.username == username)
            .values(failed_logins=User.failed_logins + 1)
            .execution_options(synchronize_session=False)
        )
        user = db.scalar(select(User).where(User.username == username).with_for_update())
        if user is not None and user.failed_logins >= LOCK_AFTER:
            user.failed_logins = 0
            db.add(AuditEvent(at=now, action="lockout", target=f"user:{username}", detail={}))
            db.add(
                Alert(
                    at=now,
                    kind="login-lockout",
                    target=f"user:{username}",
                    commune_id=user.commune_id,
                    vi=f"{LOCK_AFTER} lần đăng nhập sai liên tiếp vào tài khoản «{username}»;"
                    " các lần thử sau phải chờ lâu dần",
                    en=f"{LOCK_AFTER} failed logins in a row for «{username}»;"
                    " further tries from those addresses back off",
                )
            )


class Throttle:
    """Failed logins, counted atomically in this process, in two ways:
    - per client address, across all usernames: LIMIT in WINDOW, so one address may not
      spray guesses over many accounts;
    - per username *and* address: after LOCK_AFTER failures in a row, that address waits
      before its next try for that user (1 s, doubling, at most WINDOW). Nobody can lock a
      user out from another address, so five wrong guesses by anyone no longer keep the
      emergency operator out for a quarter of an hour.
    An attempt is admitted when its turn to be checked comes (see `verify_password`) and
    counted before its password is checked: parallel guesses cannot all slip under the
    limit, and a burst of right passwords from one address (an office behind one NAT)
    is never refused for the guesses it might have been."""

    def __init__(self, limit: int = 20, window: timedelta = LOCK_FOR) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[datetime]] = {}
        self._pending: dict[str, int] = {}
        self._pairs: dict[tuple[str, str], tuple[int, datetime]] = {}
        self._lock = threading.Lock()

    def admit(self, client: str, username: str, now: datetime) -> None:
        """Let this attempt through, or refuse it (429 saying how long to wait)."""
        with self._lock:
            failures = self._failures.setdefault(client, deque())
            while failures and now - failures[0] > self.window:
                failures.popleft()
            if len(failures) + self._pending.get(client, 0) >= self.limit:
                raise _locked(failures[0] + self.window - now if failures else self.window)
            _, until = self._pairs.get((username, client), (0, now))
            if until > now:
                raise _locked(until - now)
            self._pending[client] = self._pending.get(client, 0) + 1

    def settle(self, client: str, username: str, now: datetime, ok: bool | None) -> None:
        """The admitted attempt's outcome (None: it could not be judged)."""
        with self._lock:
            self._pending[client] = max(0, self._pending.get(client, 0) - 1)
            if ok is None:
                return
            if ok:
                self._pairs.pop((username, client), None)
                return
            self._failures.setdefault(client, deque()).append(now)
            count = self._pairs.get((username, client), (0, now))[0] + 1
            wait = timedelta(0)
            if count >= LOCK_AFTER:
                wait = min(timedelta(seconds=2 ** (count - LOCK_AFTER)), self.window)
            self._pairs[(username, client)] = (count, now + wait)


def _locked(left: timedelta) -> Throttled:
    seconds = max(1, math.ceil(left.total_seconds()))
    if seconds < 120:
        return Throttled(
            f"too many failed logins: try again in {seconds} seconds",
            f"đăng nhập sai quá nhiều lần: hãy thử lại sau {seconds} giây",
        )
    minutes = math.ceil(seconds / 60)
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
