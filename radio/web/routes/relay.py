"""Icecast's listener authentication: where zones are pushed to an Icecast relay for large
fan-out, Icecast asks here (its `url` authenticator, `listener_add`) before it lets a
listener in, so its mounts admit the same loudspeakers our own streams do: a receiver's
token, unrevoked, for its own zone only."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel

from radio.access.deps import Db
from radio.access.tokens import receiver_for
from radio.errors import Forbidden
from radio.web.errors import problems

router = APIRouter(prefix="/api", tags=["receivers"], responses=problems(403, 422))

ADMIT_HEADER = "icecast-auth-user"  # the `auth_header` named in Icecast's configuration


class AdmittedOut(BaseModel):
    admitted: str  # the receiver's name


@router.post("/icecast/listener")
def admit_listener(
    db: Db,
    response: Response,
    mount: Annotated[str, Form()],
    action: Annotated[str, Form()] = "listener_add",
    password: Annotated[str, Form(alias="pass")] = "",
) -> AdmittedOut:
    """Icecast's question "may this listener hear this mount?". The token comes from the
    listener's URL (`/na-heo.mp3?token=…`, which Icecast passes on in `mount`) or its
    HTTP password. Admitted: 200 with `icecast-auth-user: 1`; otherwise 403 without it,
    which Icecast turns into a refusal."""
    path, _, query = mount.partition("?")
    token = parse_qs(query).get("token", [password])[0]
    zone = urlsplit(path).path.strip("/").removesuffix(".mp3")
    receiver = receiver_for(db, token) if token and action == "listener_add" else None
    if receiver is None or receiver.zone.slug != zone or receiver.zone.retired_at is not None:
        raise Forbidden(
            "this receiver may not hear this zone", "thiết bị thu không được nghe khu vực này"
        )
    response.headers[ADMIT_HEADER] = "1"
    return AdmittedOut(admitted=receiver.name)
