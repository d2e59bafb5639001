"""What routes depend on: the services, a database session per request, the signed-in user
(by session cookie or bearer token, with the CSRF check), the user holding a permission,
and the loudspeaker presenting its token. The API, the console and the streams share them,
so every way in applies the same rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from radio.access import csrf, sessions
from radio.access.roles import Permission, require
from radio.access.tokens import receiver_for
from radio.errors import Unauthenticated
from radio.models import Receiver, User
from radio.services import Services

SESSION_COOKIE = "loaxa_session"


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _db(services: Annotated[Services, Depends(services_of)]) -> Iterator[Session]:
    """The request's session, committed when the route returns, rolled back if it fails.
    A route may commit earlier to give its connection back while it works long without
    the database (a preview's synthesis); the session takes one again when next used."""
    db = services.sessions()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


# Committed before the response is sent: a client told 201 can rely on what it was told.
Db = Annotated[Session, Depends(_db, scope="function")]
Svc = Annotated[Services, Depends(services_of)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def session_token(request: Request) -> str | None:
    """A script's bearer token, else the console's session cookie."""
    return bearer(request) or request.cookies.get(SESSION_COOKIE)


def receiver_token(
    request: Request,
    token: Annotated[
        str | None, Query(description="the receiver's token, for devices that take only a URL")
    ] = None,
) -> str | None:
    """A loudspeaker's token: a bearer header, else `?token=` (many IP speakers take
    nothing but a URL)."""
    return bearer(request) or token or None


def current_user(request: Request, db: Db, services: Svc) -> User:
    """The signed-in user. A change made with the session cookie must also carry the
    session's CSRF token (the console sends it), so that no other site can make one."""
    token = session_token(request)
    user = sessions.user_for(db, token, services.clock.now())
    if bearer(request) is None and request.method not in csrf.SAFE_METHODS and token:
        csrf.check(token, request.headers.get(csrf.HEADER, ""))
    return user


Me = Annotated[User, Depends(current_user)]


def permitted(*permissions: Permission) -> Callable[[User], User]:
    """A dependency: the signed-in user, if they hold every one of the permissions."""

    def holder(user: Me) -> User:
        require(user, *permissions)
        return user

    return holder


Composer = Annotated[User, Depends(permitted(Permission.COMPOSE))]
Reviewer = Annotated[User, Depends(permitted(Permission.REVIEW))]
Operator = Annotated[User, Depends(permitted(Permission.OPERATE))]
EmergencyHolder = Annotated[User, Depends(permitted(Permission.EMERGENCY))]
Above = Annotated[User, Depends(permitted(Permission.ABOVE))]


def current_receiver(token: Annotated[str | None, Depends(receiver_token)], db: Db) -> Receiver:
    """The loudspeaker whose token came with the request (its zone loaded with it)."""
    if not token:
        raise Unauthenticated("a receiver token is needed", "cần mã của thiết bị thu")
    receiver = receiver_for(db, token)
    if receiver is None:
        raise Unauthenticated(
            "unknown or revoked receiver token",
            "mã thiết bị thu không đúng hoặc đã bị thu hồi",
        )
    receiver.zone.slug  # noqa: B018 -- loaded now, while the session is open
    return receiver


ThisReceiver = Annotated[Receiver, Depends(current_receiver)]
