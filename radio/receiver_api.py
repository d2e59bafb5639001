"""Loudspeakers. The operator registers them, sets their volume and revokes them; each one,
with its own token, sends heartbeats, fetches what its zone will air ahead of time and
reports what it played."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio import auth, communes
from radio.deps import Db, Me, Svc, token_of
from radio.errors import ApiError, not_found
from radio.models import Airing, AiringStatus, Announcement, Program, Receipt, Receiver, Role
from radio.volume import target_volume


class ReceiverVolume(BaseModel):
    volume: int | None = Field(ge=0, le=100)  # None: follow the zone


class NewReceiver(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    zone: str


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


def add_receiver_routes(app: FastAPI) -> None:
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

    @app.put("/api/receivers/{receiver_id}/volume")
    def receiver_volume(receiver_id: int, body: ReceiverVolume, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        receiver = communes.receiver(db, user, receiver_id)
        if receiver.revoked:
            raise not_found("receiver", "thiết bị thu")
        receiver.volume_set = body.volume
        flow.audit(db, user, "volume", f"receiver:{receiver_id}", volume=body.volume)
        return {"id": receiver_id, "volume": body.volume}

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
            digest = airing.approved_audio
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
        return {"airing_id": airing.id, "matches": body.program == airing.approved_audio}

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


def _receiver(request: Request, db: Session) -> Receiver:
    receiver = auth.receiver_for(db, token_of(request) or request.query_params.get("token", ""))
    if receiver is None:
        raise ApiError(
            401,
            "unknown or revoked receiver token",
            "mã thiết bị thu không đúng hoặc đã bị thu hồi",
        )
    return receiver
