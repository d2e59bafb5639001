"""The ingestion API of the level above: send a bulletin (text to read, or a recording) to
chosen communes at a level, and follow it commune by commune. Scripts of a provincial
"source information system" use it with an API token (`POST /api/tokens`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import AliasPath, BaseModel, Field
from sqlalchemy.orm import Session

from radio.access import scope
from radio.access.deps import Db, Me, Svc
from radio.airtime import bulletins
from radio.airtime.bulletins import CommuneState, Outgoing, Report
from radio.models import Bulletin, Level
from radio.services import Services
from radio.web.errors import problems
from radio.web.paging import PAGED, Page
from radio.web.schemas import LocalMoment, Out
from radio.web.uploads import MAX_RECORDING, read_upload
from radio.web.wake import commit_and_wake

router = APIRouter(prefix="/api", tags=["bulletins"], responses=problems(401, 422, 503))


class BulletinIn(BaseModel):
    title: str = Field(max_length=200)
    level: Level
    communes: list[str] = Field(min_length=1, max_length=1000)
    text: str
    voice: str
    rate: float = 1.0


class CommuneStateOut(Out):
    """Where the bulletin stands in one commune."""

    commune: str
    commune_name: str
    announcement_id: int  # the commune's own announcement of it
    delivered_at: LocalMoment
    state: str  # inbox, scheduled, on-air, aired; or missed, failed, cancelled, archived
    next_at: LocalMoment | None
    first_aired_at: LocalMoment | None
    zones_aired: list[str]
    airings: dict[str, int]  # how many of its airings are in each status

    @classmethod
    def of(cls, state: CommuneState) -> CommuneStateOut:
        return cls.model_validate(state)


class BulletinOut(Out):
    id: int
    title: str
    level: Level
    sender: str = Field(validation_alias=AliasPath("sender", "username"))
    sent_at: LocalMoment = Field(validation_alias="created_at")
    text: str | None  # none for a recording
    voice: str | None
    program: str = Field(validation_alias="program_hash")
    communes: list[CommuneStateOut] = Field(default_factory=list)

    @classmethod
    def of(cls, report: Report) -> BulletinOut:
        states = [CommuneStateOut.of(c) for c in report.communes]
        return cls.model_validate(report.bulletin).model_copy(update={"communes": states})


def answer(db: Session, services: Services, bulletin: Bulletin, only: int | None) -> BulletinOut:
    """The bulletin with its state in each commune (or in the reader's own)."""
    return BulletinOut.of(bulletins.report(db, bulletin, services.clock.now(), only))


@router.post("/bulletins", status_code=201, responses=problems(403, 413))
def send_bulletin(
    body: BulletinIn, request: Request, user: Me, db: Db, services: Svc
) -> BulletinOut:
    """A text bulletin, read by the chosen voice here, the same audio for every commune."""
    outgoing = Outgoing(body.title, body.level, body.communes, body.text, body.voice, body.rate)
    now = services.clock.now()
    bulletin = bulletins.send_text(db, user, outgoing, services.speech, now, services.length)
    return _sent(request, db, services, bulletin)


@router.post("/bulletins/audio", status_code=201, responses=problems(403, 413))
async def send_bulletin_recording(
    request: Request,
    user: Me,
    db: Db,
    services: Svc,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=200)],
    level: Annotated[Level, Form()],
    communes: Annotated[list[str], Form()],
) -> BulletinOut:
    """A recorded bulletin (MP3, WAV, FLAC, Ogg Vorbis), brought to the broadcast format
    and loudness like speech."""
    bulletins.may_send(user, level)  # before reading what may be a large file
    data = await read_upload(file, MAX_RECORDING, "the recording", "tệp ghi âm")
    outgoing = Outgoing(title, level, communes)
    now = services.clock.now()

    def send() -> BulletinOut:
        bulletin = bulletins.send_recording(
            db, user, outgoing, data, services.speech, now, services.length
        )
        return _sent(request, db, services, bulletin)

    # Decoding and encoding take seconds of CPU, and the database may make us wait: off
    # the event loop, which also carries the live streams and the on-air loop.
    return await run_in_threadpool(send)


@router.get("/bulletins", responses=PAGED)
def list_bulletins(user: Me, db: Db, services: Svc, page: Page) -> list[BulletinOut]:
    """Bulletins with their state in each commune; a commune sees only its own."""
    rows = page.rows(db, scope.bulletins(user))
    return [answer(db, services, b, user.commune_id) for b in rows]


@router.get("/bulletins/{bulletin_id}", responses=problems(404))
def get_bulletin(bulletin_id: int, user: Me, db: Db, services: Svc) -> BulletinOut:
    return answer(db, services, scope.bulletin(db, user, bulletin_id), user.commune_id)


def _sent(request: Request, db: Session, services: Services, bulletin: Bulletin) -> BulletinOut:
    sent = answer(db, services, bulletin, None)
    if bulletin.level == Level.EMERGENCY:
        commit_and_wake(request, db)
    return sent
