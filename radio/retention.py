"""Which programs' audio the station keeps, and the sweep that removes the rest.

Every preview of a new text writes a program; without a sweep the store grows for as long
as officers type (issue 17). A program's audio is kept while something may still play or
show it: the audio an announcement was approved with, the current revision's (what a
reviewer listens to), anything an airing not yet settled or a repeating emergency will
play, what aired in the last ARCHIVE (the public archive and its podcast feed), a
bulletin's for ARCHIVE after it was sent, and each relay source's last test (what its
relays are reviewed by) and standby. Audio written or found again within GRACE is kept
too: a render whose row is not saved yet. Program rows stay, so the as-run log and
receipts keep naming the hash; a preview of an old revision renders it again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from radio.alerts import Alarms, Problem
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Bulletin,
    RelaySource,
    Repeat,
    Revision,
    Source,
    Status,
)
from schedules import Clock
from voices.store.programs import ProgramStore, Swept

GRACE = timedelta(hours=1)
ARCHIVE = timedelta(days=30)
SWEEP_EVERY_S = 600.0

log = logging.getLogger("radio.retention")


def kept(db: Session, now: datetime) -> set[str]:
    """The hashes of every program whose audio is kept (see the module's docstring), and
    of the recordings the current mixed revisions are made of (rendered again from them
    when a voice or the lexicon changes)."""
    found = {h for query in _keeping(now) for h in db.scalars(query) if h is not None}
    for parts in db.scalars(_current(Revision.parts).where(Revision.source == Source.MIXED)):
        found |= {p["program"] for p in parts or [] if p["kind"] == "recording"}
    return found


def _current(column: Any) -> Select[Any]:
    """`column` of each live announcement's current revision."""
    latest = (
        select(Revision.announcement_id, func.max(Revision.number).label("number"))
        .group_by(Revision.announcement_id)
        .subquery()
    )
    return (
        select(column)
        .join(
            latest,
            (latest.c.announcement_id == Revision.announcement_id)
            & (latest.c.number == Revision.number),
        )
        .join(Announcement, Announcement.id == Revision.announcement_id)
        .where(Announcement.status != Status.ARCHIVED)
    )


def _keeping(now: datetime) -> list[Select[Any]]:
    live = Announcement.status != Status.ARCHIVED
    since = now - ARCHIVE
    return [
        select(Announcement.approved_program_hash).where(live),
        _current(Revision.program_hash),
        select(Airing.program_hash).where(
            or_(
                Airing.status == AiringStatus.SCHEDULED,
                (Airing.status == AiringStatus.AIRED) & (Airing.scheduled_at >= since),
            )
        ),
        select(Repeat.program_hash).where(Repeat.cancelled_at.is_(None)),
        select(Bulletin.program_hash).where(Bulletin.created_at >= since),
        select(RelaySource.sample_hash),  # what a relay's reviewer listens to
        select(RelaySource.standby_hash),  # what fills a lost relay
    ]


class Retention:
    """The sweep the on-air loop runs every SWEEP_EVERY_S, in every process: each sweeps
    its own store against the one database. Audio still kept past `budget` bytes is an
    alert: nothing may be removed, so the operator must give the store more room."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        programs: ProgramStore,
        clock: Clock,
        alarms: Alarms,
        budget: int,
    ) -> None:
        self.sessions = sessions
        self.programs = programs
        self.clock = clock
        self.alarms = alarms
        self.budget = budget

    def sweep(self) -> Swept:
        with self.sessions() as db:
            keep = kept(db, self.clock.now())
        swept = self.programs.sweep(keep, time.time() - GRACE.total_seconds())
        if swept.removed:
            log.info(
                "removed %d programs nothing refers to (%.1f MB); %d kept (%.1f MB)",
                swept.removed,
                swept.removed_bytes / 1e6,
                swept.kept,
                swept.kept_bytes / 1e6,
            )
        self._check_budget(swept)
        return swept

    def _check_budget(self, swept: Swept) -> None:
        if swept.kept_bytes <= self.budget:
            self.alarms.resolve("programs-over-budget", "programs")
            return
        kept_mb, budget_mb = swept.kept_bytes / 1e6, self.budget / 1e6
        self.alarms.report(
            Problem(
                "programs-over-budget",
                "programs",
                f"Kho bản tin giữ {kept_mb:.0f} MB đang dùng, vượt hạn mức {budget_mb:.0f} MB"
                " (RADIO_CACHE_MAX_BYTES): hãy tăng hạn mức hoặc lưu trữ bớt thông báo",
                f"The program store keeps {kept_mb:.0f} MB in use, over its {budget_mb:.0f} MB"
                " budget (RADIO_CACHE_MAX_BYTES): raise it or archive announcements",
            )
        )
