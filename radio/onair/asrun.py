"""The as-run log as the channels report it (started, ended, preempted), written in
batches. Events that cannot be written (the database is away) are kept, in order, and
written by the next write that succeeds: none is ever dropped."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from playout import Event
from radio.models import Airing, AiringStatus

Noted = tuple[Event, datetime, int]  # the event, when, listeners on the zone then


class AsRunLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._pending: list[Noted] = []
        self._remarks: list[tuple[int, str]] = []  # an airing's note, added to what it has
        self._lock = threading.Lock()
        self._writing = threading.Lock()

    def note(self, event: Event, at: datetime, listeners: int) -> None:
        with self._lock:
            self._pending.append((event, at, listeners))

    def remark(self, airing_id: int, text: str) -> None:
        with self._lock:
            self._remarks.append((airing_id, text))

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._pending) + len(self._remarks)

    def write(self) -> int:
        """Write what was noted; on failure put it back in front of anything newer."""
        with self._writing:
            with self._lock:
                events, self._pending = self._pending, []
                remarks, self._remarks = self._remarks, []
            if not events and not remarks:
                return 0
            try:
                with self.sessions.begin() as db:
                    for noted in events:
                        _apply(db, *noted)
                    for airing_id, text in remarks:
                        _add_note(db, airing_id, text)
            except Exception:
                with self._lock:
                    self._pending[:0] = events
                    self._remarks[:0] = remarks
                raise
            return len(events) + len(remarks)


def _apply(db: Session, event: Event, at: datetime, listeners: int) -> None:
    airing = db.get(Airing, event.airing_id)
    if airing is None:
        return
    if event.kind == "started":
        airing.started_at = at
        airing.listeners_at_start = listeners
    elif event.kind == "ended":
        airing.ended_at = at
        airing.status = AiringStatus.AIRED
    elif event.kind == "preempted":
        cause = "live speech" if event.by == "live" else "an emergency"
        airing.note = f"preempted by {cause}; restarted after it"


def _add_note(db: Session, airing_id: int, text: str) -> None:
    airing = db.get(Airing, airing_id)
    if airing is not None:
        airing.note = f"{airing.note}; {text}" if airing.note else text
