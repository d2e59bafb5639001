"""Loudspeakers. The operator registers them, sets their volume and revokes them; each one,
with its own token, sends heartbeats, fetches what its zone will air ahead of time and
reports what it played."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from radio.access import scope
from radio.access.deps import Db, Me, Operator, Svc, ThisReceiver
from radio.access.tokens import new_token
from radio.audit import audit
from radio.errors import Invalid, not_found
from radio.models import Airing, AiringStatus, Announcement, Program, Receipt, Receiver
from radio.volume import target_volume
from radio.web.errors import problems
from radio.web.schemas import MP3, Moment, Out, Place, Slug

router = APIRouter(prefix="/api", tags=["receivers"], responses=problems(401, 422, 503))


class ReceiverVolume(BaseModel):
    volume: int | None = Field(ge=0, le=100)  # None: follow the zone


class ReceiverVolumeOut(ReceiverVolume):
    id: int


class NewReceiver(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    zone: str


class NewReceiverOut(BaseModel):
    id: int
    token: str  # shown once: only its hash is kept


class ReceiverOut(Out):
    """A loudspeaker's state as its last heartbeat told it (never its token)."""

    id: int
    name: str
    zone: Slug
    revoked: bool
    # heard from within three heartbeats (set by the listing: it depends on the time)
    online: bool = Field(default=False, validation_alias="online_now")
    last_seen: Moment | None
    status: str | None
    volume: int | None
    clock_offset_ms: float | None
    playing: str | None
    latitude: float | None = None
    longitude: float | None = None


class Heartbeat(BaseModel):
    status: str = Field(default="ok", max_length=64)
    volume: int | None = Field(default=None, ge=0, le=100)
    clock_offset_ms: float | None = None
    playing: str | None = Field(default=None, max_length=200)


class HeartbeatOut(BaseModel):
    zone: str
    server_time: Moment  # for the receiver's clock offset
    volume: int  # what it should play at now


class UpcomingOut(BaseModel):
    airing_id: int
    at: Moment
    title: str
    program: str  # sha256 of the MP3: check the download against it
    duration: float
    url: str


class Played(BaseModel):
    airing_id: int
    program: str = Field(pattern=r"^[0-9a-f]{64}$")
    source: Literal["stream", "local", "stream+local"]
    started_at: datetime
    completed: bool
    volume: int | None = Field(default=None, ge=0, le=100)


class PlayedOut(BaseModel):
    airing_id: int
    matches: bool  # what it played is the approved audio


@router.get("/receivers")
def list_receivers(user: Me, db: Db, services: Svc) -> list[ReceiverOut]:
    """Every signed-in user may see the loudspeakers' state (never their tokens)."""
    now = services.clock.now()
    listed = db.scalars(scope.receivers(user).order_by(Receiver.id))
    return [
        ReceiverOut.model_validate(r).model_copy(update={"online": r.online(now)}) for r in listed
    ]


@router.post("/receivers", status_code=201, responses=problems(403))
def add_receiver(body: NewReceiver, user: Operator, db: Db) -> NewReceiverOut:
    token, digest = new_token(24)
    zone = scope.zone(db, user, body.zone)
    receiver = Receiver(name=body.name, zone=zone, token_hash=digest)
    db.add(receiver)
    db.flush()
    return NewReceiverOut(id=receiver.id, token=token)


@router.delete("/receivers/{receiver_id}", status_code=204, responses=problems(403, 404))
def revoke_receiver(receiver_id: int, user: Operator, db: Db) -> None:
    receiver = scope.receiver(db, user, receiver_id)
    receiver.revoked = True
    audit(db, user, "revoke-receiver", f"receiver:{receiver_id}")


@router.put("/receivers/{receiver_id}/place", responses=problems(403, 404))
def place_receiver(receiver_id: int, body: Place, user: Operator, db: Db) -> Place:
    """Set (or, with both null, clear) where the loudspeaker stands, for the map."""
    receiver = scope.receiver(db, user, receiver_id)
    body.check()
    receiver.latitude, receiver.longitude = body.latitude, body.longitude
    audit(db, user, "place-receiver", f"receiver:{receiver_id}", **body.model_dump())
    return body


@router.put("/receivers/{receiver_id}/volume", responses=problems(403, 404))
def receiver_volume(
    receiver_id: int, body: ReceiverVolume, user: Operator, db: Db
) -> ReceiverVolumeOut:
    receiver = scope.receiver(db, user, receiver_id)
    if receiver.revoked:
        raise not_found("receiver", "thiết bị thu")
    receiver.volume_set = body.volume
    audit(db, user, "volume", f"receiver:{receiver_id}", volume=body.volume)
    return ReceiverVolumeOut(id=receiver_id, volume=body.volume)


@router.post("/receivers/heartbeat")
def heartbeat(body: Heartbeat, receiver: ThisReceiver, db: Db, services: Svc) -> HeartbeatOut:
    """A receiver's report; the answer tells it its zone and the server's time."""
    now = services.clock.now()
    receiver.last_seen = now
    receiver.status, receiver.volume = body.status, body.volume
    receiver.clock_offset_ms, receiver.playing = body.clock_offset_ms, body.playing
    return HeartbeatOut(
        zone=receiver.zone.slug, server_time=now, volume=target_volume(db, receiver, now)
    )


@router.get("/receivers/upcoming")
def upcoming(receiver: ThisReceiver, db: Db, services: Svc, hours: int = 24) -> list[UpcomingOut]:
    """What this receiver's zone will air, with content hashes, so that it can fetch
    the audio ahead of time and play on time from its own copy if its link fails."""
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
        if program is None or program.relayed:
            continue  # nothing approved to fetch yet, or live (a relay): none to fetch
        items.append(
            UpcomingOut(
                airing_id=airing.id,
                at=airing.scheduled_at,
                title=airing.announcement.title,
                program=program.hash,
                duration=program.duration,
                url=f"/api/receivers/programs/{program.hash}.mp3",
            )
        )
    return items


@router.post("/receivers/played", responses=problems(404))
def played(body: Played, receiver: ThisReceiver, db: Db, services: Svc) -> PlayedOut:
    """A receiver's receipt for an airing of its zone; a repeated report replaces the
    earlier one (a receiver retries until it is heard)."""
    airing = db.get(Airing, body.airing_id)
    if airing is None or airing.zone_id != receiver.zone_id:
        raise not_found("airing on this receiver's zone", "lượt phát của khu vực này")
    if body.started_at.tzinfo is None:
        raise Invalid("started_at needs a time zone", "started_at phải có múi giờ", fields=[])
    receipt = db.scalar(
        select(Receipt).where(Receipt.airing_id == airing.id, Receipt.receiver == receiver)
    ) or Receipt(airing_id=airing.id, receiver=receiver)
    receipt.program_hash, receipt.source = body.program, body.source
    receipt.started_at, receipt.completed = body.started_at, body.completed
    receipt.volume = body.volume
    receipt.reported_at = services.clock.now()
    db.add(receipt)
    return PlayedOut(airing_id=airing.id, matches=body.program == airing.approved_audio)


@router.get(
    "/receivers/programs/{program_hash}.mp3",
    response_class=FileResponse,
    responses={200: MP3, **problems(404)},
)
def receiver_program(program_hash: str, receiver: ThisReceiver, db: Db) -> FileResponse:
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
