"""The REST API (OpenAPI at /docs): announcements and their review, zones, receivers,
airtime slots and the timeline, emergency broadcasts, cache metrics and health.

Every refusal is an ApiError: an HTTP status and one message in Vietnamese and English.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio import auth, communes, emergencies, errors
from radio.bulletin_api import add_bulletin_routes
from radio.console import add_console
from radio.deps import (
    SESSION_COOKIE,
    Db,
    Me,
    Services,
    Svc,
    commit_and_wake,
    program_json,
    read_upload,
    token_of,
)
from radio.errors import ApiError, not_found
from radio.logs import redact_access_log
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Commune,
    Priority,
    Program,
    Receipt,
    Receiver,
    Role,
    Slot,
    Status,
    User,
    Zone,
)
from radio.onair import OnAir
from radio.scheduler import (
    conflict_error,
    conflicts,
    describe,
    spec_of,
    zone_timeline,
)
from radio.speech_api import add_speech_routes
from radio.streams import add_stream_redirect, add_stream_route
from radio.template_api import add_template_routes
from radio.textfiles import TextFileError, decode_text
from radio.volume import target_volume
from schedules import LOCAL_TZ, SlotSpecError, occurrences
from schedules.recurrence import last_occurrence
from voices import VoiceError
from voices.cache import CacheStats

MAX_UPLOAD = 200_000  # bytes: a 20,000-character text in UTF-16 fits easily


# -- request bodies ----------------------------------------------------------------------


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


_SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"


class NewZone(BaseModel):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    commune: str | None = None


class NewCommune(BaseModel):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)


class SlotPosition(BaseModel):
    position: int = Field(ge=-100, le=100)


_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ZoneVolume(BaseModel):
    volume: int = Field(ge=0, le=100)
    quiet_from: str | None = Field(default=None, pattern=_HHMM)
    quiet_until: str | None = Field(default=None, pattern=_HHMM)
    quiet_volume: int | None = Field(default=None, ge=0, le=100)


class ReceiverVolume(BaseModel):
    volume: int | None = Field(ge=0, le=100)  # None: follow the zone


class NewReceiver(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    zone: str


class AnnouncementIn(BaseModel):
    title: str = Field(max_length=200)
    text: str
    voice: str
    rate: float = 1.0
    chime: bool = False
    priority: Priority = Priority.NORMAL

    def draft(self) -> flow.Draft:
        return flow.Draft(self.title, self.text, self.voice, self.rate, self.chime, self.priority)


class Rejection(BaseModel):
    reason: str


class SlotIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    at: datetime | None = None
    times: list[time] = []
    weekdays: list[int] = [0, 1, 2, 3, 4, 5, 6]
    start_date: date | None = None
    end_date: date | None = None


class Heartbeat(BaseModel):
    status: str = Field(default="ok", max_length=64)
    volume: int | None = Field(default=None, ge=0, le=100)
    clock_offset_ms: float | None = None
    playing: str | None = Field(default=None, max_length=200)


class Played(BaseModel):
    airing_id: int
    program: str = Field(pattern=r"^[0-9a-f]{64}$")
    source: Literal["stream", "local", "stream+local"]
    started_at: datetime
    completed: bool
    volume: int | None = Field(default=None, ge=0, le=100)


class EmergencyIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    repeat_minutes: int | None = Field(default=None, ge=1, le=720)


# -- the application ---------------------------------------------------------------------


def create_app(
    services: Services, onair: OnAir | None = None, worker_url: str | None = None
) -> FastAPI:
    """The API. With `onair` it also plays out: the live zone streams and the on-air loop
    run in this process. With `worker_url` a separate `radio worker` plays out, and
    stream requests are redirected to it, so receivers need to know only this server."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if onair is None:
            yield
            return
        async with onair.running():
            yield

    app = FastAPI(
        title="Loa Xã", description="Đài truyền thanh xã thông minh — API", lifespan=lifespan
    )
    app.state.services = services
    app.state.onair = onair
    app.state.throttle = auth.Throttle()
    if onair is not None:
        add_stream_route(app, onair)
    elif worker_url is not None:
        add_stream_redirect(app, worker_url)
    errors.install(app)
    redact_access_log()
    add_speech_routes(app)
    add_bulletin_routes(app)
    add_template_routes(app)
    add_console(app)
    _routes(app)
    return app


def _approved_audio(airing: Airing) -> str | None:
    """The program the airing plays: its own once handed to playout, else the approved."""
    return airing.program_hash or airing.announcement.approved_program_hash


def _receipts(db: Session, airing: Airing) -> str:
    """`Loa 1: local, completed; Loa 2: stream, cut`, and a loud flag when what a
    receiver played is not the program approved for the airing."""
    parts = []
    for r in db.scalars(select(Receipt).where(Receipt.airing_id == airing.id)):
        mismatch = "" if r.program_hash == _approved_audio(airing) else ", NOT THE APPROVED AUDIO"
        volume = f", {r.volume}%" if r.volume is not None else ""
        state = "completed" if r.completed else "cut"
        parts.append(f"{r.receiver.name}: {r.source}, {state}{volume}{mismatch}")
    return "; ".join(parts)


def _announcement_json(a: Announcement) -> dict[str, Any]:
    r = a.current
    return {
        "id": a.id,
        "title": a.title,
        "status": a.status.value,
        "priority": a.priority.value,
        "reject_reason": a.reject_reason,
        "approved_program": a.approved_program_hash,
        "revision": {
            "number": r.number,
            "text": r.text,
            "voice": r.voice,
            "rate": r.rate,
            "chime": r.chime,
            "program": r.program_hash,
        },
        "revisions": len(a.revisions),
    }


def _routes(app: FastAPI) -> None:
    @app.get("/api/health")
    def health(db: Db, services: Svc) -> dict[str, Any]:
        db.execute(select(1))
        return {"status": "ok", "time": services.clock.now().isoformat()}

    # -- auth and users --------------------------------------------------------------------

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

    # -- communes --------------------------------------------------------------------------

    @app.get("/api/communes")
    def list_communes(user: Me, db: Db) -> list[dict[str, Any]]:
        return [communes.commune_json(c) for c in db.scalars(communes.communes(user))]

    @app.post("/api/communes", status_code=201)
    def add_commune(body: NewCommune, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        communes.require_above(user)
        if db.scalar(select(Commune).where(Commune.slug == body.slug)):
            raise ApiError(409, f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
        commune = Commune(slug=body.slug, name=body.name)
        db.add(commune)
        flow.audit(db, user, "add-commune", f"commune:{body.slug}", name=body.name)
        return communes.commune_json(commune)

    @app.put("/api/communes/{slug}")
    def rename_commune(slug: str, body: NewCommune, user: Me, db: Db) -> dict[str, Any]:
        """Rename a commune (its slug may change too)."""
        auth.require(user, Role.OPERATOR)
        commune = communes.by_slug(db, slug)
        if not communes.sees(user, commune.id):
            raise not_found("commune", "xã")
        same = select(Commune).where(Commune.slug == body.slug, Commune.id != commune.id)
        if db.scalar(same):
            raise ApiError(409, f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
        commune.slug, commune.name = body.slug, body.name
        flow.audit(db, user, "rename-commune", f"commune:{slug}", slug=body.slug, name=body.name)
        return communes.commune_json(commune)

    # -- zones and receivers -------------------------------------------------------------

    @app.get("/api/zones")
    def zones(user: Me, db: Db) -> list[dict[str, Any]]:
        return [
            {"slug": z.slug, "name": z.name, "commune": z.commune.slug}
            for z in db.scalars(communes.zones(user))
        ]

    @app.post("/api/zones", status_code=201)
    def add_zone(body: NewZone, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        if db.scalar(select(Zone).where(Zone.slug == body.slug)):
            raise ApiError(409, f"zone {body.slug!r} exists", f"khu vực '{body.slug}' đã có")
        commune = communes.for_new(db, user, body.commune or None)
        db.add(Zone(slug=body.slug, name=body.name, commune=commune))
        return {"slug": body.slug, "name": body.name, "commune": commune.slug}

    @app.delete("/api/zones/{slug}", status_code=204)
    def delete_zone(slug: str, user: Me, db: Db) -> None:
        auth.require(user, Role.OPERATOR)
        db.delete(communes.zone(db, user, slug))

    @app.get("/api/receivers")
    def receivers(user: Me, db: Db, services: Svc) -> list[dict[str, Any]]:
        """Every signed-in user may see the loudspeakers' state (never their tokens)."""
        now = services.clock.now()
        return [
            {
                "id": r.id,
                "name": r.name,
                "zone": r.zone.slug,
                "revoked": r.revoked,
                "online": r.online(now),
                "last_seen": r.last_seen.isoformat() if r.last_seen else None,
                "status": r.status,
                "volume": r.volume,
                "clock_offset_ms": r.clock_offset_ms,
                "playing": r.playing,
            }
            for r in db.scalars(communes.receivers(user).order_by(Receiver.id))
        ]

    def _receiver(request: Request, db: Session) -> Receiver:
        receiver = auth.receiver_for(db, token_of(request) or request.query_params.get("token", ""))
        if receiver is None:
            raise ApiError(
                401,
                "unknown or revoked receiver token",
                "mã thiết bị thu không đúng hoặc đã bị thu hồi",
            )
        return receiver

    @app.post("/api/receivers/heartbeat")
    def heartbeat(body: Heartbeat, request: Request, db: Db, services: Svc) -> dict[str, Any]:
        """A receiver's report; the answer tells it its zone and the server's time."""
        receiver = _receiver(request, db)
        receiver.last_seen = services.clock.now()
        receiver.status, receiver.volume = body.status, body.volume
        receiver.clock_offset_ms, receiver.playing = body.clock_offset_ms, body.playing
        return {
            "zone": receiver.zone.slug,
            "server_time": receiver.last_seen.isoformat(),
            "volume": target_volume(db, receiver, receiver.last_seen),
        }

    @app.put("/api/zones/{slug}/volume")
    def zone_volume(slug: str, body: ZoneVolume, user: Me, db: Db) -> dict[str, Any]:
        """The zone's volume and its quiet hours; receivers get it with their next
        heartbeat."""
        auth.require(user, Role.OPERATOR)
        if (body.quiet_from is None) != (body.quiet_until is None):
            raise ApiError(
                422,
                "quiet hours need both a start and an end",
                "giờ yên tĩnh cần cả giờ bắt đầu và giờ kết thúc",
                field="quiet_until",
            )
        zone = communes.zone(db, user, slug)
        zone.volume, zone.quiet_volume = body.volume, body.quiet_volume
        zone.quiet_from, zone.quiet_until = body.quiet_from, body.quiet_until
        flow.audit(db, user, "volume", f"zone:{slug}", **body.model_dump())
        return {"zone": slug, **body.model_dump()}

    @app.put("/api/receivers/{receiver_id}/volume")
    def receiver_volume(receiver_id: int, body: ReceiverVolume, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        receiver = communes.receiver(db, user, receiver_id)
        if receiver.revoked:
            raise not_found("receiver", "thiết bị thu")
        receiver.volume_set = body.volume
        flow.audit(db, user, "volume", f"receiver:{receiver_id}", volume=body.volume)
        return {"id": receiver_id, "volume": body.volume}

    @app.get("/api/receivers/upcoming")
    def upcoming(request: Request, db: Db, services: Svc, hours: int = 24) -> list[dict[str, Any]]:
        """What this receiver's zone will air, with content hashes, so that it can fetch
        the audio ahead of time and play on time from its own copy if its link fails."""
        receiver = _receiver(request, db)
        now = services.clock.now()
        query = select(Airing).where(
            Airing.zone_id == receiver.zone_id,
            Airing.status == AiringStatus.SCHEDULED,
            Airing.scheduled_at >= now - timedelta(minutes=1),
            Airing.scheduled_at <= now + timedelta(hours=min(max(hours, 1), 48)),
        )
        items = []
        for airing in db.scalars(query.order_by(Airing.scheduled_at)):
            digest = _approved_audio(airing)
            program = db.get(Program, digest) if digest else None
            if program is None:
                continue  # nothing approved to fetch yet
            items.append(
                {
                    "airing_id": airing.id,
                    "at": airing.scheduled_at.isoformat(),
                    "title": airing.announcement.title,
                    "program": program.hash,
                    "duration": program.duration,
                    "url": f"/api/receivers/programs/{program.hash}.mp3",
                }
            )
        return items

    @app.post("/api/receivers/played")
    def played(body: Played, request: Request, db: Db, services: Svc) -> dict[str, Any]:
        """A receiver's receipt for an airing of its zone; a repeated report replaces the
        earlier one (a receiver retries until it is heard)."""
        receiver = _receiver(request, db)
        airing = db.get(Airing, body.airing_id)
        if airing is None or airing.zone_id != receiver.zone_id:
            raise not_found("airing on this receiver's zone", "lượt phát của khu vực này")
        if body.started_at.tzinfo is None:
            raise ApiError(
                422, "started_at needs a time zone", "started_at phải có múi giờ", fields=[]
            )
        receipt = db.scalar(
            select(Receipt).where(Receipt.airing_id == airing.id, Receipt.receiver == receiver)
        ) or Receipt(airing_id=airing.id, receiver=receiver)
        receipt.program_hash, receipt.source = body.program, body.source
        receipt.started_at, receipt.completed = body.started_at, body.completed
        receipt.volume = body.volume
        receipt.reported_at = services.clock.now()
        db.add(receipt)
        return {"airing_id": airing.id, "matches": body.program == _approved_audio(airing)}

    @app.get("/api/receivers/programs/{program_hash}.mp3")
    def receiver_program(program_hash: str, request: Request, db: Db) -> FileResponse:
        receiver = _receiver(request, db)
        on_its_zone = db.scalar(
            select(Airing.id)
            .join(Announcement)
            .where(
                Airing.zone_id == receiver.zone_id,
                (Airing.program_hash == program_hash)
                | (Announcement.approved_program_hash == program_hash),
            )
            .limit(1)
        )
        program = db.get(Program, program_hash)
        if on_its_zone is None or program is None or not Path(program.mp3_path).is_file():
            raise not_found("program for this zone", "bản âm thanh của khu vực này")
        return FileResponse(program.mp3_path, media_type="audio/mpeg")

    @app.get("/api/asrun.csv")
    def as_run(user: Me, db: Db, start: date, end: date, zone: str | None = None) -> Response:
        """What aired where and when, and how many receivers heard it, for the district."""
        begin = datetime.combine(start, time(0), LOCAL_TZ)
        until = datetime.combine(end, time(0), LOCAL_TZ) + timedelta(days=1)
        query = communes.airings(user).where(
            Airing.scheduled_at >= begin, Airing.scheduled_at < until
        )
        if zone is not None:
            query = query.where(Airing.zone_id == communes.zone(db, user, zone).id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "airing",
                "commune",
                "zone",
                "announcement",
                "title",
                "priority",
                "scheduled",
                "started",
                "ended",
                "status",
                "receivers_at_start",
                "program",
                "note",
                "receipts",
            ]
        )
        for a in db.scalars(query.order_by(Airing.scheduled_at, Airing.id)):
            writer.writerow(
                [
                    a.id,
                    a.zone.commune.slug,
                    a.zone.slug,
                    a.announcement_id,
                    a.announcement.title,
                    a.priority.value,
                    _local(a.scheduled_at),
                    _local(a.started_at),
                    _local(a.ended_at),
                    a.status.value,
                    a.listeners_at_start or 0,
                    a.program_hash or "",
                    a.note or "",
                    _receipts(db, a),
                ]
            )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="asrun-{start}.csv"'},
        )

    @app.post("/api/receivers", status_code=201)
    def add_receiver(body: NewReceiver, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        token, digest = auth.new_receiver_token()
        zone = communes.zone(db, user, body.zone)
        receiver = Receiver(name=body.name, zone=zone, token_hash=digest)
        db.add(receiver)
        db.flush()
        return {"id": receiver.id, "token": token}  # shown once, stored only as a hash

    @app.delete("/api/receivers/{receiver_id}", status_code=204)
    def revoke_receiver(receiver_id: int, user: Me, db: Db) -> None:
        auth.require(user, Role.OPERATOR)
        receiver = communes.receiver(db, user, receiver_id)
        receiver.revoked = True
        flow.audit(db, user, "revoke-receiver", f"receiver:{receiver_id}")

    # -- announcements ---------------------------------------------------------------------

    @app.get("/api/announcements")
    def list_announcements(user: Me, db: Db, status: Status | None = None) -> list[dict[str, Any]]:
        query = communes.announcements(user).order_by(Announcement.id.desc())
        if status is not None:
            query = query.where(Announcement.status == status)
        return [_announcement_json(a) for a in db.scalars(query)]

    @app.post("/api/announcements", status_code=201)
    def create(body: AnnouncementIn, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        return _announcement_json(flow.create(db, user, body.draft(), services.catalog))

    @app.post("/api/announcements/upload", status_code=201)
    async def upload(
        user: Me,
        db: Db,
        services: Svc,
        file: Annotated[UploadFile, File()],
        title: Annotated[str, Form()],
        voice: Annotated[str, Form()],
        rate: Annotated[float, Form()] = 1.0,
    ) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        data = await read_upload(file, MAX_UPLOAD, "the file", "tệp")
        try:
            text = decode_text(data, file.filename or "the file")
        except TextFileError as exc:
            raise ApiError(422, str(exc), "tệp không phải văn bản UTF-8 hoặc UTF-16") from None
        draft = flow.Draft(title, text, voice, rate)
        return _announcement_json(flow.create(db, user, draft, services.catalog))

    @app.get("/api/announcements/{announcement_id}")
    def get(announcement_id: int, user: Me, db: Db) -> dict[str, Any]:
        return _announcement_json(communes.announcement(db, user, announcement_id))

    @app.put("/api/announcements/{announcement_id}")
    def revise(
        announcement_id: int, body: AnnouncementIn, user: Me, db: Db, services: Svc
    ) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, announcement_id)
        return _announcement_json(
            flow.revise(db, user, announcement, body.draft(), services.catalog)
        )

    @app.post("/api/announcements/{announcement_id}/preview")
    def preview(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        return program_json(services.render(db, announcement.current))

    @app.post("/api/announcements/{announcement_id}/submit")
    def submit(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, announcement_id)
        services.render(db, announcement.current)  # the reviewer will listen to this
        flow.submit(db, user, announcement)
        return _announcement_json(announcement)

    @app.post("/api/announcements/{announcement_id}/approve")
    def approve(announcement_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        auth.require(user, Role.REVIEWER, Role.OPERATOR)
        program = services.render(db, announcement.current)
        flow.approve(db, user, announcement, program)
        return _announcement_json(announcement)

    @app.post("/api/announcements/{announcement_id}/reject")
    def reject(announcement_id: int, body: Rejection, user: Me, db: Db) -> dict[str, Any]:
        announcement = communes.announcement(db, user, announcement_id)
        flow.reject(db, user, announcement, body.reason)
        return _announcement_json(announcement)

    @app.delete("/api/announcements/{announcement_id}", status_code=204)
    def archive(announcement_id: int, user: Me, db: Db) -> None:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        flow.archive(db, user, communes.announcement(db, user, announcement_id))

    @app.get("/api/programs/{program_hash}.mp3")
    def program_audio(program_hash: str, user: Me, db: Db) -> FileResponse:
        program = communes.program(db, user, program_hash)
        return FileResponse(program.mp3_path, media_type="audio/mpeg")

    # -- slots, timeline, emergency --------------------------------------------------------

    @app.get("/api/slots")
    def slots(user: Me, db: Db) -> list[dict[str, Any]]:
        return [_slot_json(s) for s in db.scalars(communes.slots(user))]

    @app.post("/api/slots", status_code=201)
    def add_slot(
        body: SlotIn, user: Me, db: Db, services: Svc, response: Response, check: bool = False
    ) -> dict[str, Any]:
        """Schedule an announcement. With `check=true` nothing is saved: the answer says
        when it would air and what it would clash with (the console asks before submitting)."""
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        announcement = communes.announcement(db, user, body.announcement_id)
        if announcement.status == Status.ARCHIVED:
            raise ApiError(409, "the announcement is archived", "thông báo đã lưu trữ")
        zones = [communes.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
        slot = Slot(
            announcement=announcement,
            zones=zones,
            at=body.at,
            times=[t.strftime("%H:%M") for t in body.times] or None,
            weekdays=sorted(set(body.weekdays)),
            start_date=body.start_date,
            end_date=body.end_date,
        )
        try:
            spec = spec_of(slot)
        except SlotSpecError as exc:
            raise ApiError(422, str(exc), exc.vi) from None
        now = services.clock.now()
        if last_occurrence(spec) <= now:
            raise ApiError(422, "the airtime is in the past", "giờ phát đã qua")
        db.add(slot)
        db.flush()
        pairs = conflicts(db, slot, now, last_occurrence(spec) + timedelta(hours=1))
        if check:
            db.delete(slot)
            db.flush()
            response.status_code = 200
            upcoming = occurrences(spec, now, now + timedelta(days=14))[:5]
            return {
                "conflicts": [describe(b) for _, b in pairs[:10]],
                "next": [_local(moment) for moment in upcoming],
                **_fit(db, services, announcement, zones, upcoming),
            }
        if pairs:
            raise conflict_error(pairs)
        flow.audit(db, user, "schedule", f"slot:{slot.id}", announcement=announcement.id)
        return _slot_json(slot)

    @app.delete("/api/slots/{slot_id}", status_code=204)
    def delete_slot(slot_id: int, user: Me, db: Db) -> None:
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        db.delete(communes.slot(db, user, slot_id))

    @app.put("/api/slots/{slot_id}/position")
    def slot_position(slot_id: int, body: SlotPosition, user: Me, db: Db) -> dict[str, Any]:
        """Where the slot plays among items due at the same moment on a zone (lowest
        first): a priority bulletin from above comes first until the officer moves it."""
        auth.require(user, Role.OFFICER, Role.OPERATOR)
        slot = communes.slot(db, user, slot_id)
        slot.position = body.position
        flow.audit(db, user, "reorder", f"slot:{slot_id}", position=body.position)
        return _slot_json(slot)

    @app.get("/api/timeline")
    def timeline(
        zone: str, user: Me, db: Db, services: Svc, start: date | None = None, days: int = 1
    ) -> dict[str, Any]:
        if not 1 <= days <= 31:
            raise ApiError(422, "days must be between 1 and 31", "số ngày phải từ 1 đến 31")
        the_zone = communes.zone(db, user, zone)
        first = start or services.clock.now().astimezone(LOCAL_TZ).date()
        begin = datetime.combine(first, time(0), LOCAL_TZ)
        end = begin + timedelta(days=days)
        return {
            "zone": the_zone.slug,
            "start": begin.isoformat(),
            "days": days,
            "items": zone_timeline(db, the_zone, begin, end),
        }

    @app.post("/api/emergency", status_code=201)
    def emergency(
        body: EmergencyIn, request: Request, user: Me, db: Db, services: Svc
    ) -> dict[str, Any]:
        emergencies.require_right(user)  # before any rendering
        announcement = communes.announcement(db, user, body.announcement_id)
        zones = [communes.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
        program = services.render(db, announcement.current)
        airings, repeat = emergencies.start(
            db, user, announcement, program.hash, zones, services.clock.now(), body.repeat_minutes
        )
        commit_and_wake(request, db)
        return {
            "airings": [a.id for a in airings],
            "program": program_json(program),
            "repeat": repeat.id if repeat else None,
        }

    @app.get("/api/emergency/repeats")
    def repeats(user: Me, db: Db) -> list[dict[str, Any]]:
        """Emergencies coming back every N minutes until cancelled."""
        return [
            {
                "id": r.id,
                "announcement_id": r.announcement_id,
                "title": r.announcement.title,
                "every_minutes": r.every_minutes,
                "next_at": _local(r.next_at),
            }
            for r in emergencies.active(db, user)
        ]

    @app.post("/api/emergency/repeats/{repeat_id}/cancel")
    def cancel_repeat(repeat_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        repeat = emergencies.cancel(db, user, repeat_id, services.clock.now())
        return {"id": repeat.id, "cancelled_at": _local(repeat.cancelled_at)}

    @app.get("/api/alerts")
    def alerts(user: Me, db: Db, limit: int = 50) -> list[dict[str, Any]]:
        """The newest alerts of the dead-air and health watch."""
        query = communes.alerts(user).limit(min(max(limit, 1), 500))
        return [
            {"at": _local(a.at), "kind": a.kind, "target": a.target, "vi": a.vi, "en": a.en}
            for a in db.scalars(query)
        ]

    @app.get("/api/cache/stats")
    def cache_stats(user: Me, services: Svc) -> dict[str, Any]:
        stats: CacheStats = services.renderer.cache.stats()
        return {**asdict(stats), "hit_rate": stats.hit_rate}


def _fit(
    db: Session,
    services: Services,
    announcement: Announcement,
    zones: list[Zone],
    upcoming: list[datetime],
) -> dict[str, Any]:
    """Will it end before the next thing on its zones starts? The estimate (or the
    rendered length), the room until that next item, and a speaking rate that fits."""
    revision = announcement.current
    program = db.get(Program, revision.program_hash) if revision.program_hash else None
    try:
        guess = None if announcement.fixed_audio else services.estimate(revision)
    except (VoiceError, ValueError):
        guess = None
    if program is None and guess is None:
        return {}
    seconds = program.duration if program else guess.seconds if guess else 0.0
    room = None
    if upcoming:
        first = upcoming[0]
        later = [
            datetime.fromisoformat(item["start"])
            for zone in zones
            for item in zone_timeline(db, zone, first, first + timedelta(days=1))
            if datetime.fromisoformat(item["start"]) > first
        ]
        room = (min(later) - first).total_seconds() if later else None
    fits = room is None or seconds <= room
    return {
        "estimated_seconds": round(seconds, 1),
        "room_seconds": room,
        "fits": fits,
        "rate_to_fit": None
        if fits or room is None or guess is None
        else guess.rate_to_fit(room, revision.rate),
    }


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if moment else ""


def _slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.id,
        "announcement_id": slot.announcement_id,
        "zones": [z.slug for z in slot.zones],
        "at": slot.at.isoformat() if slot.at else None,
        "times": slot.times,
        "weekdays": slot.weekdays,
        "start_date": slot.start_date.isoformat() if slot.start_date else None,
        "end_date": slot.end_date.isoformat() if slot.end_date else None,
        "position": slot.position,
    }
