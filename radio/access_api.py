"""Signing in and out, the signed-in user, API tokens and new users."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from radio import announcements as flow
from radio import auth, communes
from radio.deps import SESSION_COOKIE, Db, Me, Svc, token_of
from radio.errors import ApiError
from radio.models import Commune, Role, User


class Login(BaseModel):
    username: str
    password: str


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    password: str
    role: Role
    full_name: str = ""
    can_emergency: bool = False
    commune: str | None = None  # none: the level above (only it may add there)


def add_access_routes(app: FastAPI) -> None:
    @app.post("/api/auth/login")
    def login(
        body: Login, request: Request, response: Response, db: Db, services: Svc
    ) -> dict[str, Any]:
        """A session for the console (cookie) or a script (the token). Failed attempts are
        counted per account (locked after five in a row) and per client address."""
        now, client = services.clock.now(), request.client.host if request.client else "?"
        throttle: auth.Throttle = request.app.state.throttle
        throttle.check(client, now)
        try:
            token = auth.login(db, body.username, body.password, now)
        except ApiError as exc:
            if exc.status == 401:
                throttle.fail(client, now)
                auth.note_failure(services.sessions, body.username, now)
            raise
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            max_age=int(auth.SESSION_LIFETIME.total_seconds()),
            secure=request.url.scheme == "https",
        )
        return {"token": token, "csrf": auth.csrf_for(token)}

    @app.post("/api/auth/logout", status_code=204)
    def logout(request: Request, response: Response, db: Db) -> None:
        token = token_of(request)
        if token:
            auth.logout(db, token)
        response.delete_cookie(SESSION_COOKIE)

    @app.get("/api/me")
    def me(user: Me, db: Db) -> dict[str, Any]:
        commune = db.get(Commune, user.commune_id) if user.commune_id else None
        return {
            "username": user.username,
            "role": user.role.value,
            "can_emergency": user.can_emergency,
            "commune": communes.commune_json(commune) if commune else None,
        }

    @app.post("/api/tokens", status_code=201)
    def api_token(user: Me, db: Db) -> dict[str, str]:
        return {"token": auth.issue(db, user, "api", None)}

    @app.post("/api/users", status_code=201)
    def add_user(body: NewUser, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        if db.scalar(select(User).where(User.username == body.username)):
            raise ApiError(409, "that username is taken", "tên đăng nhập đã có người dùng")
        above = user.commune_id is None and not body.commune
        commune = None if above else communes.for_new(db, user, body.commune or None)
        new = User(
            username=body.username,
            password_hash=auth.hash_password(body.password),
            role=body.role,
            full_name=body.full_name,
            can_emergency=body.can_emergency,
            commune_id=commune.id if commune else None,
        )
        db.add(new)
        flow.audit(
            db,
            user,
            "add-user",
            f"user:{body.username}",
            role=body.role.value,
            commune=commune.slug if commune else None,
        )
        return {
            "username": new.username,
            "role": new.role.value,
            "commune": commune.slug if commune else None,
        }
