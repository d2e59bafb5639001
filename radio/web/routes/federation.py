"""Federation between installations (docs/federation.md): a source (a province's station)
invites communes with one-time codes, sends bulletins down the links and reads their
state coming up; a commune subscribes to a source with its code. The routes a linked
installation calls (enrol, inbox, programs, status) are the exchange another vendor's
system implements; all but enrol are signed with the link's key."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access.deps import Db, Me, Svc
from radio.access.roles import Permission, require
from radio.airtime.bulletins import Outgoing
from radio.errors import Invalid, NotFound, Unavailable
from radio.federation import inbox, links, outbox, signing, status
from radio.federation.inbox import Message
from radio.federation.links import COMMUNE, SOURCE
from radio.models import FederationLink, FederationMessage, Level, Program
from radio.services import Services
from radio.web.errors import problems
from radio.web.schemas import MP3, LocalMoment, Out
from radio.web.wake import commit_and_wake

router = APIRouter(prefix="/api/federation", tags=["federation"], responses=problems(401, 422, 503))
ONLINE = timedelta(minutes=5)  # a commune heard from this recently is online


class InviteIn(BaseModel):
    name: str = Field(max_length=200)  # the commune's name, as the source shows it


class InviteOut(BaseModel):
    id: int
    name: str
    code: str  # one-time, shown once: give it to the commune's operator
    expires_at: datetime


class EnrolIn(BaseModel):
    code: str = Field(max_length=100)
    link: int  # the commune's own id for the link: what the source's requests name
    url: str = Field(max_length=500)  # where the source reaches the commune


class EnrolOut(BaseModel):
    link: int  # the source's id for the link: what the commune's requests name
    key: str  # the link's HMAC-SHA256 key (hex)
    name: str  # the source's name


class SubscribeIn(BaseModel):
    url: str = Field(max_length=500)  # the source's address
    code: str = Field(max_length=100)
    own_url: str = Field(max_length=500)  # where the source reaches this installation


class LinkOut(Out):
    id: int
    role: str  # what the other end is: "commune" (on a source) or "source" (on a commune)
    name: str
    url: str
    enrolled_at: LocalMoment | None
    last_heard_at: LocalMoment | None
    health: dict[str, Any] | None  # the commune's loudspeakers: {"receivers", "online"}
    online: bool = False
    messages: list[dict[str, Any]] = Field(default_factory=list)


class FederatedBulletinIn(BaseModel):
    title: str = Field(max_length=200)
    text: str
    voice: str
    level: Level
    communes: list[int] = Field(min_length=1, max_length=1000)  # link ids
    rate: float = 1.0
    valid_until: datetime | None = None


class SentOut(BaseModel):
    keys: list[str]  # one message per commune, by its idempotency key


class MessageIn(BaseModel):
    key: str = Field(pattern=r"^[0-9a-f]{32}$")
    title: str = Field(max_length=200)
    text: str = ""
    voice: str = ""
    level: Level
    program: str = Field(pattern=r"^[0-9a-f]{64}$")
    valid_until: datetime | None = None


class TakenOut(BaseModel):
    stored: bool  # false: it came before, and nothing changed
    bulletin_id: int | None


def link_out(db: Session, link: FederationLink, now: datetime) -> LinkOut:
    heard = link.last_heard_at
    messages = [
        {
            "key": m.key,
            "title": m.body.get("title"),
            "level": m.level,
            "delivered_at": m.delivered_at.isoformat() if m.delivered_at else None,
            "attempts": m.attempts,
            "last_error": m.last_error,
            "status": m.status,
        }
        for m in db.scalars(
            select(FederationMessage)
            .where(FederationMessage.link_id == link.id)
            .order_by(FederationMessage.id.desc())
            .limit(50)
        )
    ]
    online = heard is not None and now - heard <= ONLINE
    return LinkOut.model_validate(link).model_copy(update={"online": online, "messages": messages})


def _running(request: Request) -> None:
    request.app.state.federation.ensure_running()


@router.post("/communes", status_code=201, responses=problems(403))
def invite_commune(body: InviteIn, request: Request, user: Me, db: Db, services: Svc) -> InviteOut:
    """A source invites a commune: a link waiting for it and its one-time code."""
    link, code = links.invite(db, user, body.name, services.clock.now())
    _running(request)
    return InviteOut(id=link.id, name=link.name, code=code, expires_at=link.code_expires_at)  # type: ignore[arg-type]


@router.get("/communes", responses=problems(403))
def list_linked_communes(user: Me, db: Db, services: Svc) -> list[LinkOut]:
    """The province at a glance: each commune's link, online or not, its loudspeakers and
    its latest bulletins' delivery and state."""
    require(user, Permission.ABOVE)
    rows = db.scalars(select(FederationLink).where(FederationLink.role == COMMUNE))
    return [link_out(db, link, services.clock.now()) for link in rows]


@router.post("/enrol")
def enrol_commune(body: EnrolIn, db: Db, services: Svc) -> EnrolOut:
    """A commune enrols with its one-time code (no other credentials: the code is them)."""
    link = links.enrol(db, body.code, body.link, body.url, services.clock.now())
    return EnrolOut(link=link.id, key=link.secret, name=services.settings.station_name)


@router.post("/sources", status_code=201, responses=problems(403))
async def subscribe_to_source(
    body: SubscribeIn, request: Request, user: Me, db: Db, services: Svc
) -> LinkOut:
    """A commune subscribes to a source with the code its operator was given."""

    def made() -> LinkOut:
        now = services.clock.now()
        link = links.subscribe(db, user, body.url, body.code, body.own_url, now)
        return link_out(db, link, now)

    answer = await run_in_threadpool(made)
    _running(request)
    return answer


@router.get("/sources")
def list_linked_sources(user: Me, db: Db, services: Svc) -> list[LinkOut]:
    require(user, Permission.OPERATE)
    rows = db.scalars(select(FederationLink).where(FederationLink.role == SOURCE))
    return [link_out(db, link, services.clock.now()) for link in rows]


@router.post("/bulletins", status_code=201, responses=problems(403))
async def send_down_links(
    body: FederatedBulletinIn, request: Request, user: Me, db: Db, services: Svc
) -> SentOut:
    """A bulletin down the chosen links: read here once, one message per commune."""
    outgoing = Outgoing(body.title, body.level, [], body.text, body.voice, body.rate)

    def made() -> SentOut:
        now = services.clock.now()
        sent = outbox.send(
            db, user, outgoing, body.communes, services.speech, now, body.valid_until
        )
        db.commit()
        return SentOut(keys=[m.key for m in sent])

    answer = await run_in_threadpool(made)
    _running(request)
    request.app.state.federation.deliver_soon()
    return answer


async def _signed(
    request: Request, db: Session, services: Services
) -> tuple[FederationLink, bytes]:
    body = await request.body()
    link = signing.verify(
        db, request.headers, request.method, request.url.path, body, services.clock.now()
    )
    return link, body


M = TypeVar("M", bound=BaseModel)


def _parsed(model: type[M], body: bytes) -> M:
    """The signed body read as `model`, or a 422 naming the fields at fault."""
    try:
        return model.model_validate_json(body)
    except ValidationError as e:
        fields = [".".join(str(p) for p in error["loc"]) for error in e.errors()]
        raise Invalid(
            f"invalid input: {', '.join(fields) or 'body'}",
            f"dữ liệu không hợp lệ: {', '.join(fields) or 'nội dung'}",
            fields=fields,
        ) from None


def _body(model: type[BaseModel]) -> dict[str, Any]:
    schema = {"application/json": {"schema": model.model_json_schema()}}
    return {"requestBody": {"required": True, "content": schema}}


class StateIn(BaseModel):
    """What a commune reports up a link (radio.federation.status)."""

    messages: list[dict[str, Any]]  # per message key: state, next_at, first_aired_at,
    # zones_aired, programs_aired (SHA-256 of what aired), receivers_played
    health: dict[str, int]  # {"receivers": N, "online": N}
    at: datetime


@router.post("/inbox", openapi_extra=_body(MessageIn))
async def take_bulletin(request: Request, db: Db, services: Svc) -> TakenOut:
    """A source delivers a bulletin (signed); stored once by its key."""
    link, body = await _signed(request, db, services)
    message = _parsed(MessageIn, body)

    def taken() -> TakenOut:
        fetch = _fetcher(link, services)
        found = Message(**message.model_dump())
        now = services.clock.now()
        row, made = inbox.receive(db, link, found, fetch, services.speech, now, services.length)
        commit_and_wake(request, db)
        return TakenOut(stored=made is not None, bulletin_id=row.bulletin_id)

    return await run_in_threadpool(taken)


def _fetcher(link: FederationLink, services: Services) -> Any:
    def fetch(program: str) -> bytes:
        target = f"/api/federation/programs/{program}.mp3"
        signed = signing.headers(link, "GET", target, b"", services.clock.now())
        try:
            answer = httpx.get(link.url + target, headers=signed, timeout=60)
        except httpx.HTTPError as e:
            raise Unavailable(
                f"the program could not be fetched: {e}", "không tải được âm thanh"
            ) from None
        if answer.status_code != 200:
            raise Invalid(
                f"the source did not give the program ({answer.status_code})",
                "nguồn không gửi âm thanh",
            )
        return answer.content

    return fetch


@router.get("/programs/{program_hash}.mp3", response_class=FileResponse, responses={200: MP3})
async def linked_program(
    program_hash: str, request: Request, db: Db, services: Svc
) -> FileResponse:
    """A program a message down this link carries (signed by the commune)."""
    link, _ = await _signed(request, db, services)
    found = db.get(Program, program_hash)
    if found is None or link.role != COMMUNE or not outbox.sent_program(db, link, program_hash):
        raise NotFound("no such program on this link", "không có âm thanh này trên liên kết")
    db.commit()  # the nonce
    return FileResponse(Path(found.mp3_path), media_type="audio/mpeg")


@router.post("/status", openapi_extra=_body(StateIn))
async def take_state(request: Request, db: Db, services: Svc) -> dict[str, int]:
    """A commune reports its bulletins' state and its loudspeakers' health (signed)."""
    link, body = await _signed(request, db, services)
    sent = _parsed(StateIn, body).model_dump(mode="json")
    known = status.take(db, link, sent, services.clock.now())
    db.commit()
    request.app.state.federation.deliver_soon()
    return {"messages": known}
