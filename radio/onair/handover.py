"""Handing due airings to playout, and taking back what was on air after a restart.

Claiming is a conditional update (`WHERE started_at IS NULL`): whichever process claims an
airing first plays it, so even two playout processes could never air one airing twice.
The approval is checked once more here, at the last moment.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session, sessionmaker

from playout import Play, split_frames
from playout.frames import Frames, silence
from playout.live import LiveFrames
from radio.airtime.readiness import refusal
from radio.models import Airing, AiringStatus, Priority, Program, RelaySource
from voices.audio.format import FRAME_SECONDS
from voices.store.integrity import Damaged, read_intact

Handed = tuple[str, Play]  # the zone and what its channel plays
NO_FRAMES = Frames(())


def claim(sessions: sessionmaker[Session], now: datetime, airing_ids: list[int]) -> list[Handed]:
    """Load due airings' programs and mark them handed over, all in one transaction; if
    that fails, one at a time, so one bad airing never holds back the others."""
    if not airing_ids:
        return []
    try:
        with sessions.begin() as db:
            return [h for i in airing_ids if (h := _claim_one(db, i, now)) is not None]
    except Exception:
        handed = []
        for airing_id in airing_ids:
            with sessions.begin() as db:
                if (one := _claim_one(db, airing_id, now)) is not None:
                    handed.append(one)
        return handed


def _claim_one(db: Session, airing_id: int, now: datetime) -> Handed | None:
    airing = db.get(Airing, airing_id)
    if airing is None or airing.status != AiringStatus.SCHEDULED or airing.started_at:
        return None
    refused = refusal(db, airing)
    program = db.get(Program, airing.program_hash) if airing.program_hash else None
    if refused is not None or program is None:
        _fail(airing, now, refused or "its audio was missing at airtime: not aired")
        return None
    try:
        handed = _play(airing, program, now)
    except (Damaged, OSError):
        _fail(airing, now, "its audio was damaged or missing at airtime: not aired")
        return None
    taken = db.execute(
        update(Airing)
        .where(Airing.id == airing.id, Airing.started_at.is_(None))
        .values(started_at=airing.scheduled_at)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return None  # another process claimed it first
    ahead = (airing.scheduled_at - now).total_seconds()
    handed[1].not_before = time.time() + ahead
    return handed


def _fail(airing: Airing, now: datetime, note: str) -> None:
    airing.status, airing.ended_at, airing.note = AiringStatus.FAILED, now, note


def resume(sessions: sessionmaker[Session], now: datetime) -> list[Handed]:
    """Programs that were on air when playout stopped: continue each where it would be
    now, and note the interruption in the as-run log."""
    plays = []
    with sessions.begin() as db:
        interrupted = db.scalars(
            select(Airing).where(
                Airing.status == AiringStatus.SCHEDULED,
                Airing.started_at.is_not(None),
                Airing.ended_at.is_(None),
            )
        )
        for airing in interrupted:
            if (handed := _resume_one(db, airing, now)) is not None:
                plays.append(handed)
    return plays


def _resume_one(db: Session, airing: Airing, now: datetime) -> Handed | None:
    program = db.get(Program, airing.program_hash) if airing.program_hash else None
    assert airing.started_at is not None
    elapsed = (now - airing.started_at).total_seconds()
    if program is None or elapsed >= program.duration:
        _fail(airing, now, "interrupted by a restart; it would have ended while down")
        return None
    try:
        handed = _play(airing, program, now, max(0, int(elapsed / FRAME_SECONDS)))
    except (Damaged, OSError):
        _fail(airing, now, "interrupted by a restart; its audio was damaged: not aired")
        return None
    if elapsed < 0:  # handed over just before its time: it simply starts on time
        handed[1].not_before = time.time() - elapsed
    else:
        airing.note = f"interrupted by a restart; resumed {elapsed:.1f} s into it"
    return handed


def _play(airing: Airing, program: Program, now: datetime, position: int = 0) -> Handed:
    """The zone and what its channel plays for an airing, from the program's MP3 file,
    checked against its hash: only the approved audio ever goes on air. A relay plays its
    source live (fed by the on-air loop's relays) until its end time."""
    emergency = airing.priority == Priority.EMERGENCY
    title = airing.announcement.title
    if program.relay_url is not None:
        ends = airing.scheduled_at + timedelta(seconds=program.duration)
        until = time.time() + (ends - now).total_seconds()
        live = LiveFrames(silence(), standby=_standby(airing, program))
        play = Play(airing.id, title, NO_FRAMES, emergency, live=live, until=until)
        play.source = program.relay_url
        return airing.zone.slug, play
    frames = split_frames(read_intact(Path(program.mp3_path), program.hash))
    return airing.zone.slug, Play(airing.id, title, frames, emergency=emergency, position=position)


def _standby(airing: Airing, program: Program) -> Frames | None:
    """The relay source's standby recording, checked against its hash; None (silence
    fills) when it has none, or its audio is gone: a standby never stops a relay."""
    db = object_session(airing)
    source = (
        db.get(RelaySource, program.relay_source_id) if db and program.relay_source_id else None
    )
    standby = (
        db.get(Program, source.standby_hash) if db and source and source.standby_hash else None
    )
    if standby is None:
        return None
    try:
        return split_frames(read_intact(Path(standby.mp3_path), standby.hash))
    except (Damaged, OSError):
        return None
