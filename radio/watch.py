"""The dead-air and health watch, run by the on-air loop after each scheduler tick.

It raises an alert when:
- a zone is silent while the database says one of its airings is on air (dead air);
- a receiver that was heard stops sending heartbeats (offline);
- an airing is missed or fails.
Alerts are kept (the dashboard shows them) and posted as JSON to RADIO_WEBHOOK_URL, from a
thread of their own so that a slow webhook never holds up playout; undelivered ones are
retried on the next check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.airtime.scheduler import Tick
from radio.alerts import Alarms
from radio.models import Airing, AiringStatus, Alert, Receiver, Zone
from schedules import LOCAL_TZ

log = logging.getLogger("radio.watch")

DEAD_AIR_AFTER = timedelta(seconds=3)  # silent this long into an airing that should sound
WEBHOOK_TIMEOUT_S = 5.0

Sounding = Callable[[str], bool]  # whether a zone's channel is playing a program now


class Watch:
    def __init__(
        self, sessions: sessionmaker[Session], webhook_url: str = "", alarms: Alarms | None = None
    ) -> None:
        self.sessions = sessions
        self.alarms = alarms  # the station's own faults, raised elsewhere, delivered here
        self.webhook_url = webhook_url
        self._offline: set[int] = set()
        self._dead: set[int] = set()
        self._sending = threading.Lock()
        self._undelivered = True  # alerts left undelivered by an earlier process, perhaps

    def check(self, now: datetime, tick: Tick, sounding: Sounding) -> None:
        if self.alarms is not None and self.alarms.flush():
            self._undelivered = True
        with self.sessions.begin() as db:
            for airing_id in tick.missed:
                self._airing_alert(db, now, airing_id, "missed", "bị lỡ", "was missed")
            for airing_id in tick.failed:
                self._airing_alert(db, now, airing_id, "failed", "không phát được", "failed")
            self._dead_air(db, now, sounding)
            self._receivers(db, now)
        if self.webhook_url and self._undelivered:  # no thread a second when all is quiet
            threading.Thread(target=self._deliver, daemon=True).start()

    def _raise(
        self, db: Session, now: datetime, kind: str, target: str, zone: Zone, vi: str, en: str
    ) -> None:
        """An alert, kept with the zone's commune: each commune sees its own."""
        db.add(Alert(at=now, kind=kind, target=target, commune=zone.commune, vi=vi, en=en))
        self._undelivered = True

    def _airing_alert(
        self, db: Session, now: datetime, airing_id: int, kind: str, vi: str, en: str
    ) -> None:
        airing = db.get(Airing, airing_id)
        if airing is None:
            return
        title, zone = airing.announcement.title, airing.zone.name
        reason = f" ({airing.note})" if airing.note else ""
        self._raise(
            db,
            now,
            kind,
            f"airing:{airing.id}",
            airing.zone,
            f"Lượt phát «{title}» tại {zone} {vi}{reason}",
            f"The airing of «{title}» on {zone} {en}{reason}",
        )

    def _dead_air(self, db: Session, now: datetime, sounding: Sounding) -> None:
        on_air = db.scalars(
            select(Airing).where(
                Airing.status == AiringStatus.SCHEDULED,
                Airing.started_at.is_not(None),
                Airing.ended_at.is_(None),
                Airing.started_at <= now - DEAD_AIR_AFTER,
            )
        )
        for airing in on_air:
            if airing.id in self._dead or sounding(airing.zone.slug):
                continue
            self._dead.add(airing.id)
            title, zone = airing.announcement.title, airing.zone.name
            self._raise(
                db,
                now,
                "dead-air",
                f"zone:{airing.zone.slug}",
                airing.zone,
                f"Mất tiếng tại {zone}: «{title}» lẽ ra đang phát nhưng kênh im lặng",
                f"Dead air on {zone}: «{title}» should be on air but the channel is silent",
            )

    def _receivers(self, db: Session, now: datetime) -> None:
        """Only the ids of silent receivers are read each second: a province has
        thousands, and loading every row each second was half of the worker's time at
        3,000 (docs/benchmarks.md). One back online, or revoked, is forgotten."""
        silent = set(
            db.scalars(select(Receiver.id).where(Receiver.revoked.is_(False), Receiver.silent(now)))
        )
        self._offline &= silent
        for receiver in db.scalars(select(Receiver).where(Receiver.id.in_(silent - self._offline))):
            assert receiver.last_seen is not None  # silent: heard from once
            self._offline.add(receiver.id)
            last = receiver.last_seen.astimezone(LOCAL_TZ).strftime("%H:%M:%S")
            self._raise(
                db,
                now,
                "receiver-offline",
                f"receiver:{receiver.id}",
                receiver.zone,
                f"Loa «{receiver.name}» ({receiver.zone.name}) mất kết nối từ {last}",
                f"Receiver «{receiver.name}» ({receiver.zone.name}) silent since {last}",
            )

    def _deliver(self) -> None:
        """Post every undelivered alert, oldest first; stop at the first failure."""
        if not self._sending.acquire(blocking=False):
            return  # another delivery is under way; it will take these too
        try:
            self._undelivered = False  # alerts raised from here on start another round
            with self.sessions() as db:
                pending = list(
                    db.scalars(select(Alert).where(Alert.delivered.is_(False)).order_by(Alert.id))
                )
                for alert in pending:
                    body = {
                        "kind": alert.kind,
                        "at": alert.at.isoformat(),
                        "target": alert.target,
                        "commune": alert.commune.slug if alert.commune else None,
                        "vi": alert.vi,
                        "en": alert.en,
                    }
                    try:
                        answer = httpx.post(self.webhook_url, json=body, timeout=WEBHOOK_TIMEOUT_S)
                        answer.raise_for_status()
                    except httpx.HTTPError as exc:
                        log.warning("webhook refused or unreachable: %s", exc)
                        self._undelivered = True  # try again on the next check
                        return
                    alert.delivered = True
                    db.commit()
        finally:
            self._sending.release()
