"""Credentials a user manages (their API tokens, their password) and accounts an operator
manages (disable, enable, a one-time password, every token revoked). The rules are
`radio.access.accounts`'."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from radio.access import accounts
from radio.access.deps import Db, Me, Operator, Svc, session_token
from radio.access.sessions import hash_password
from radio.web.errors import problems
from radio.web.schemas import Moment, Out

router = APIRouter(prefix="/api", tags=["access"], responses=problems(401, 422, 503))


class TokenInfoOut(Out):
    id: int
    kind: str
    created_at: Moment
    expires_at: Moment | None


class NewPassword(BaseModel):
    current: str
    new: str = Field(min_length=8, max_length=200)


class OneTimePasswordOut(BaseModel):
    username: str
    password: str  # shown this once: the user signs in with it and changes it


class LiveZones(BaseModel):
    zones: list[str]  # zone slugs; empty: no live right


class AccountOut(BaseModel):
    username: str
    active: bool


@router.get("/tokens")
def list_tokens(user: Me, db: Db, services: Svc) -> list[TokenInfoOut]:
    """Your API tokens still valid (never the tokens themselves)."""
    return [
        TokenInfoOut.model_validate(c) for c in accounts.own_tokens(db, user, services.clock.now())
    ]


@router.delete("/tokens/{token_id}", status_code=204, responses=problems(404))
def revoke_token(token_id: int, user: Me, db: Db) -> None:
    accounts.revoke_token(db, user, token_id)


@router.put("/me/password", status_code=204)
def change_password(body: NewPassword, request: Request, user: Me, db: Db) -> None:
    """Your password, given the current one; your other sessions and tokens end."""
    hash_password(body.new)  # the same rules as for a new account
    accounts.change_password(db, user, body.current, body.new, session_token(request))


@router.post("/users/{username}/disable", responses=problems(403, 404, 409))
def disable_user(username: str, user: Operator, db: Db) -> AccountOut:
    """No more signing in; every session and token of theirs ends now."""
    target = accounts.account(db, user, username)
    accounts.set_active(db, user, target, False)
    return AccountOut(username=target.username, active=False)


@router.post("/users/{username}/enable", responses=problems(403, 404))
def enable_user(username: str, user: Operator, db: Db) -> AccountOut:
    target = accounts.account(db, user, username)
    accounts.set_active(db, user, target, True)
    return AccountOut(username=target.username, active=True)


@router.post("/users/{username}/password", responses=problems(403, 404))
def reset_password(username: str, user: Operator, db: Db) -> OneTimePasswordOut:
    """A new one-time password for someone who forgot theirs; their sessions end."""
    target = accounts.account(db, user, username)
    return OneTimePasswordOut(
        username=target.username, password=accounts.reset_password(db, user, target)
    )


@router.delete("/users/{username}/tokens", status_code=204, responses=problems(403, 404))
def revoke_user_tokens(username: str, user: Operator, db: Db) -> None:
    """Every session and token of theirs ends (a lost phone, a leaked script)."""
    accounts.revoke_all(db, user, accounts.account(db, user, username))


@router.put("/users/{username}/live", responses=problems(403, 404))
def set_live_zones(username: str, body: LiveZones, user: Operator, db: Db) -> LiveZones:
    """The zones this user may speak to live from the console (the live right)."""
    target = accounts.account(db, user, username)
    return LiveZones(zones=accounts.set_live_zones(db, user, target, body.zones))
