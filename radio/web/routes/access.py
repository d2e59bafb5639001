"""Signing in and out, the signed-in user, API tokens and new users."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from radio.access import accounts, scope, sessions
from radio.access.csrf import csrf_for
from radio.access.deps import SESSION_COOKIE, Db, Me, Operator, Svc, session_token
from radio.audit import audit
from radio.errors import Conflict, Throttled, Unauthenticated
from radio.models import Commune, Role, User
from radio.web.errors import problems
from radio.web.schemas import CommuneOut, Moment

router = APIRouter(prefix="/api", tags=["access"], responses=problems(422, 503))


class Login(BaseModel):
    username: str
    password: str


class LoginOut(BaseModel):
    token: str  # for scripts: `Authorization: Bearer <token>`
    csrf: str  # for the console: sent as X-CSRF-Token with every change


class MeOut(BaseModel):
    username: str
    role: Role
    can_emergency: bool
    commune: CommuneOut | None  # none: the level above


class TokenIn(BaseModel):
    days: int = Field(default=90, ge=1, le=365)


class TokenOut(BaseModel):
    token: str  # shown this once
    id: int
    expires_at: Moment


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str
    role: Role
    full_name: str = ""
    can_emergency: bool = False
    commune: str | None = None  # none: the level above (only it may add there)


class UserOut(BaseModel):
    username: str
    role: Role
    commune: str | None


@router.post("/auth/login", responses=problems(401, 429))
def login(body: Login, request: Request, response: Response, services: Svc) -> LoginOut:
    """A session for the console (cookie) or a script (the token). Failed attempts slow
    down further ones per username and address (after five in a row) and per address."""
    now, client = services.clock.now(), request.client.host if request.client else "?"

    def admit() -> None:
        services.throttle.admit(client, body.username, now)

    try:
        token = sessions.login(services.sessions, body.username, body.password, now, admit)
    except Throttled:  # refused before anything was judged: nothing to settle
        raise
    except Unauthenticated:
        services.throttle.settle(client, body.username, now, ok=False)
        raise
    except BaseException:  # the database away, say: no guess was judged
        services.throttle.settle(client, body.username, now, ok=None)
        raise
    services.throttle.settle(client, body.username, now, ok=True)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        secure=request.url.scheme == "https",
    )
    return LoginOut(token=token, csrf=csrf_for(token))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, db: Db) -> None:
    token = session_token(request)
    if token:
        sessions.logout(db, token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", responses=problems(401))
def me(user: Me, db: Db) -> MeOut:
    commune = db.get(Commune, user.commune_id) if user.commune_id else None
    return MeOut(
        username=user.username,
        role=user.role,
        can_emergency=user.can_emergency,
        commune=CommuneOut.model_validate(commune) if commune else None,
    )


@router.post("/tokens", status_code=201, responses=problems(401))
def create_token(user: Me, db: Db, services: Svc, body: TokenIn | None = None) -> TokenOut:
    """A token for a script (`Authorization: Bearer …`), shown once; it expires after
    `days` (90 unless asked, at most 365)."""
    days = body.days if body else accounts.TOKEN_DAYS
    token, credential = accounts.new_api_token(db, user, services.clock.now(), days)
    assert credential.expires_at is not None
    return TokenOut(token=token, id=credential.id, expires_at=credential.expires_at)


@router.post("/users", status_code=201, responses=problems(401, 403, 409))
def add_user(body: NewUser, user: Operator, db: Db) -> UserOut:
    if db.scalar(select(User).where(User.username == body.username)):
        raise Conflict("that username is taken", "tên đăng nhập đã có người dùng")
    above = user.commune_id is None and not body.commune
    commune = None if above else scope.for_new(db, user, body.commune or None)
    new = User(
        username=body.username,
        password_hash=sessions.hash_password(body.password),
        role=body.role,
        full_name=body.full_name,
        can_emergency=body.can_emergency,
        commune_id=commune.id if commune else None,
    )
    db.add(new)
    where = commune.slug if commune else None
    audit(db, user, "add-user", f"user:{body.username}", role=body.role.value, commune=where)
    return UserOut(username=new.username, role=new.role, commune=where)
