"""The public side, no login: what aired, newest first, with its text and audio, and the
same as an RSS podcast feed, so residents who missed a broadcast can hear it on a phone.
Only programs that actually aired are public; drafts and approved-but-unaired are not.
A deployment serving several communes has a page and a feed for each, at /public/<slug>."""

from __future__ import annotations

from email.utils import format_datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.access.deps import Db
from radio.errors import not_found
from radio.models import Airing, AiringStatus, Announcement, Commune, Program, Revision, Zone
from radio.web.console.frame import page

PUBLIC_ITEMS = 50

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/public")
def public(request: Request, db: Db) -> Response:
    return _page(request, db, None)


@router.get("/public/feed.xml")
def feed(request: Request, db: Db) -> Response:
    return _feed(request, db, None)


@router.get("/public/audio/{program_hash}.mp3")
def audio(program_hash: str, db: Db) -> FileResponse:
    aired = db.scalar(
        select(Airing.id)
        .where(Airing.program_hash == program_hash, Airing.status == AiringStatus.AIRED)
        .limit(1)
    )
    program = db.get(Program, program_hash)
    if aired is None or program is None or not Path(program.mp3_path).is_file():
        raise not_found("aired program", "bản tin đã phát")
    return FileResponse(program.mp3_path, media_type="audio/mpeg")


@router.get("/public/{commune}")
def commune_page(commune: str, request: Request, db: Db) -> Response:
    return _page(request, db, _commune(db, commune))


@router.get("/public/{commune}/feed.xml")
def commune_feed(commune: str, request: Request, db: Db) -> Response:
    return _feed(request, db, _commune(db, commune))


def _commune(db: Session, slug: str) -> Commune:
    found = db.scalar(select(Commune).where(Commune.slug == slug))
    if found is None:
        raise not_found("commune", "xã")
    return found


def _page(request: Request, db: Session, commune: Commune | None) -> Response:
    communes = db.scalars(select(Commune).order_by(Commune.name)).all()
    return page(
        request,
        "public.html",
        None,
        items=_aired(db, commune),
        commune=commune,
        communes=communes if len(communes) > 1 else [],
    )


def _feed(request: Request, db: Session, commune: Commune | None) -> Response:
    base = str(request.base_url).rstrip("/")
    return page(
        request,
        "feed.xml",
        None,
        media_type="application/rss+xml; charset=utf-8",
        items=_aired(db, commune),
        commune=commune,
        base=base,
        rfc822=_rfc822,
    )


def _aired(db: Session, commune: Commune | None) -> list[dict[str, Any]]:
    """One entry per program that aired (in the commune, when one is given), at its latest
    airing, with the text it was made from (the revision whose audio it is) and the
    communes that heard it: one deployment may serve several."""
    last = func.max(Airing.ended_at).label("last")
    query = (
        select(Airing.program_hash, Airing.announcement_id, last)
        .join(Zone, Airing.zone_id == Zone.id)
        .where(Airing.status == AiringStatus.AIRED, Airing.program_hash.is_not(None))
        .group_by(Airing.program_hash, Airing.announcement_id)
        .order_by(last.desc())
        .limit(PUBLIC_ITEMS)
    )
    if commune is not None:
        query = query.where(Zone.commune_id == commune.id)
    items = []
    for program_hash, announcement_id, aired_at in db.execute(query):
        announcement = db.get(Announcement, announcement_id)
        program = db.get(Program, program_hash)
        revision = db.scalar(select(Revision).where(Revision.program_hash == program_hash))
        if announcement is None or program is None or not Path(program.mp3_path).is_file():
            continue  # its audio is past the archive's keeping (radio.retention)
        items.append(
            {
                "title": announcement.title,
                "text": revision.text if revision else "",
                "languages": revision.languages if revision else ["vi"],
                "recorded": revision.recorded if revision else False,
                "aired_at": aired_at,
                "hash": program_hash,
                "duration": program.duration,
                "size": _size(program),
                "communes": _heard_in(db, program.hash),
            }
        )
    return items


def _heard_in(db: Session, program_hash: str) -> list[str]:
    return list(
        db.scalars(
            select(Commune.name)
            .distinct()
            .join(Zone, Zone.commune_id == Commune.id)
            .join(Airing, Airing.zone_id == Zone.id)
            .where(Airing.program_hash == program_hash, Airing.status == AiringStatus.AIRED)
            .order_by(Commune.name)
        )
    )


def _size(program: Program) -> int:
    path = Path(program.mp3_path)
    return path.stat().st_size if path.is_file() else 0


def _rfc822(moment: Any) -> str:
    return format_datetime(moment) if moment else ""
