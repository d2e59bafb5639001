"""Managing credentials: a user's own API tokens (they expire) and password, and an
operator's hold over the accounts it sees (disable, enable, reset a password, revoke every
token). Each act is audited; each takes effect at once, since a credential is checked on
every request."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.sessions import hash_password, issue, verify_password
from radio.access.tokens import new_secret, token_hash
from radio.audit import audit
from radio.errors import Conflict, Forbidden, Invalid, NotFound
from radio.models import Credential, User

TOKEN_DAYS = 90  # an API token's life when none is asked for
MAX_TOKEN_DAYS = 365


def new_api_token(db: Session, user: User, now: datetime, days: int) -> tuple[str, Credential]:
    """A script's token, valid for `days` (at most MAX_TOKEN_DAYS): never for ever."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(
            f"a token lives 1 to {MAX_TOKEN_DAYS} days",
            f"mã truy cập có hạn từ 1 đến {MAX_TOKEN_DAYS} ngày",
            field="days",
        )
    token = issue(db, user, "api", now + timedelta(days=days))
    db.flush()
    credential = db.scalar(select(Credential).where(Credential.token_hash == token_hash(token)))
    assert credential is not None
    audit(db, user, "token", f"credential:{credential.id}", days=days)
    return token, credential


def own_tokens(db: Session, user: User, now: datetime) -> list[Credential]:
    """The user's API tokens still valid, newest first."""
    return list(
        db.scalars(
            select(Credential)
            .where(Credential.user_id == user.id, Credential.kind == "api")
            .where((Credential.expires_at.is_(None)) | (Credential.expires_at > now))
            .order_by(Credential.id.desc())
        )
    )


def revoke_token(db: Session, user: User, credential_id: int) -> None:
    credential = db.get(Credential, credential_id)
    if credential is None or credential.user_id != user.id or credential.kind != "api":
        raise NotFound("no such token of yours", "không có mã truy cập này của bạn")
    db.delete(credential)
    audit(db, user, "revoke-token", f"credential:{credential_id}")


def change_password(
    db: Session, user: User, current: str, new: str, keep_token: str | None
) -> None:
    """The user's own password, given the current one; every other session and token of
    theirs ends (a stolen one with it)."""
    if not verify_password(user.password_hash, current):
        raise Invalid(
            "the current password is wrong", "mật khẩu hiện tại không đúng", field="current"
        )
    user.password_hash = hash_password(new)
    _end_credentials(db, user, keep=token_hash(keep_token) if keep_token else None)
    audit(db, user, "change-password", f"user:{user.username}")


def account(db: Session, operator: User, username: str) -> User:
    """A user the operator sees (its commune's, or any for the level above)."""
    found = db.scalar(scope.users(operator).where(User.username == username))
    if found is None:
        raise NotFound("no such user", "không có người dùng này")
    return found


def set_live_zones(db: Session, operator: User, target: User, slugs: list[str]) -> list[str]:
    """The zones the target may speak to live (none: no live right). Only zones the
    operator sees, and, for a commune's user, only its own commune's."""
    zones = [scope.zone(db, operator, slug) for slug in dict.fromkeys(slugs)]
    foreign = [z.slug for z in zones if target.commune_id not in (None, z.commune_id)]
    if foreign:
        names = ", ".join(foreign)
        raise Forbidden(
            f"{names} is not in the user's commune", f"{names} không thuộc xã của người dùng"
        )
    target.live_zones = [z.slug for z in zones] or None
    audit(db, operator, "live-zones", f"user:{target.username}", zones=target.live_zones)
    return target.live_zones or []


def set_active(db: Session, operator: User, target: User, active: bool) -> None:
    if target.id == operator.id and not active:
        raise Conflict("you cannot disable yourself", "bạn không thể tự khóa tài khoản của mình")
    target.active = active
    if not active:
        _end_credentials(db, target)
    audit(db, operator, "enable-user" if active else "disable-user", f"user:{target.username}")


def reset_password(db: Session, operator: User, target: User) -> str:
    """A new one-time password, shown once to the operator; the user's sessions and tokens
    end."""
    password = new_secret(12)
    target.password_hash = hash_password(password)
    _end_credentials(db, target)
    audit(db, operator, "reset-password", f"user:{target.username}")
    return password


def revoke_all(db: Session, operator: User, target: User) -> None:
    _end_credentials(db, target)
    audit(db, operator, "revoke-tokens", f"user:{target.username}")


def _end_credentials(db: Session, user: User, keep: str | None = None) -> None:
    query = delete(Credential).where(Credential.user_id == user.id)
    if keep is not None:
        query = query.where(Credential.token_hash != keep)
    db.execute(query.execution_options(synchronize_session=False))
