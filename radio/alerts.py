"""Faults of the station itself (a slot that cannot be materialized, an on-air job that
fails, the database gone, the playout leader changing): raised as alerts once, until the
fault is resolved, so that a fault repeating every second is one alert and not thousands.

An alert that cannot be written (the database is the fault) is kept in memory and written
by the first flush that succeeds: nothing raised is lost.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from radio.models import Alert
from schedules import Clock

log = logging.getLogger("radio.alerts")


@dataclass(frozen=True)
class Problem:
    """What went wrong, where (`target`, e.g. "slot:12"), in both languages."""

    kind: str
    target: str
    vi: str
    en: str
    commune_id: int | None = None


class Alarms:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._open: set[tuple[str, str]] = set()
        self._unsaved: list[tuple[datetime, Problem]] = []
        self._lock = threading.Lock()

    def report(self, problem: Problem) -> bool:
        """Raise it, unless the same fault on the same target is open already. True when
        this call raised it (the caller may log it then, once)."""
        key = (problem.kind, problem.target)
        with self._lock:
            if key in self._open:
                return False
            self._open.add(key)
            self._unsaved.append((self.clock.now(), problem))
        log.warning("alert %s %s: %s", problem.kind, problem.target, problem.en)
        return True

    def resolve(self, kind: str, target: str) -> None:
        """The fault is over: the next time it happens is a new alert."""
        with self._lock:
            self._open.discard((kind, target))

    def is_open(self, kind: str, target: str) -> bool:
        with self._lock:
            return (kind, target) in self._open

    def flush(self) -> int:
        """Write the alerts raised since the last flush; on failure keep them for the next."""
        with self._lock:
            pending, self._unsaved = self._unsaved, []
        if not pending:
            return 0
        try:
            with self.sessions.begin() as db:
                for at, p in pending:
                    db.add(
                        Alert(
                            at=at,
                            kind=p.kind,
                            target=p.target,
                            commune_id=p.commune_id,
                            vi=p.vi,
                            en=p.en,
                        )
                    )
        except Exception:
            with self._lock:
                self._unsaved[:0] = pending
            raise
        return len(pending)
