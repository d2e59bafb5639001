"""The federation's background work in each `radio serve`: delivering the outbox (every
half second) and, on a commune, reporting up each source link (every
RADIO_FEDERATION_STATUS_S). It starts with the first link, so a station with none pays
nothing. A link that cannot be reached is an alert until it answers again.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field

import httpx
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.alerts import Alarms, Problem
from radio.federation import outbox, signing, status
from radio.federation.links import SOURCE
from radio.models import FederationLink
from schedules import Clock

log = logging.getLogger("radio.federation")
STATUS = "/api/federation/status"
DELIVER_EVERY_S = 0.5


@dataclass
class Federation:
    sessions: sessionmaker[Session]
    clock: Clock
    alarms: Alarms
    status_every_s: float
    _jobs: BackgroundScheduler | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _delivering: threading.Lock = field(default_factory=threading.Lock)

    def start_if_linked(self) -> None:
        with self.sessions() as db:
            if db.scalar(select(FederationLink.id).limit(1)) is not None:
                self.ensure_running()

    def ensure_running(self) -> None:
        with self._lock:
            if self._jobs is not None:
                return
            self._jobs = BackgroundScheduler(timezone="UTC")
            for job, every in [
                (self.deliver_due, DELIVER_EVERY_S),
                (self.report_up, self.status_every_s),
            ]:
                self._jobs.add_job(job, "interval", seconds=every, max_instances=1, coalesce=True)
            self._jobs.start()

    def stop(self) -> None:
        with self._lock:
            if self._jobs is not None:
                self._jobs.shutdown(wait=True)
                self._jobs = None

    def deliver_soon(self) -> None:
        """Deliver now rather than within half a second (a bulletin was just sent, or a
        commune is back)."""
        threading.Thread(target=self.deliver_due, daemon=True).start()

    def deliver_due(self) -> None:
        if not self._delivering.acquire(blocking=False):
            return  # a pass is on it
        try:
            with self.sessions() as db:
                waiting = outbox.due(db, self.clock.now())
            for message_id in waiting:
                link_id, error = outbox.deliver(self.sessions, message_id, self.clock)
                self._delivered(link_id, error)
        except Exception:
            log.exception("federation: the outbox could not be delivered")
        finally:
            self._delivering.release()

    def _delivered(self, link_id: int, error: str) -> None:
        """A link whose deliveries fail is an alert (once) until one gets through."""
        target = f"link:{link_id}"
        if not error:
            self.alarms.resolve("federation-undelivered", target)
        elif self.alarms.report(
            Problem(
                "federation-undelivered",
                target,
                f"không gửi được bản tin xuống liên kết {link_id}: {error}",
                f"bulletins cannot be delivered down link {link_id}: {error}",
            )
        ):
            self.alarms.flush()

    def report_up(self) -> None:
        with self.sessions() as db:
            links = list(db.scalars(select(FederationLink.id).where(FederationLink.role == SOURCE)))
        for link_id in links:
            try:
                self._report(link_id)
            except Exception as e:
                self._unreachable(link_id, e)
            else:
                self.alarms.resolve("federation-unreachable", f"link:{link_id}")
        self.alarms.flush()

    def _report(self, link_id: int) -> None:
        with self.sessions() as db:
            link = db.get(FederationLink, link_id)
            if link is None or not link.secret:
                return
            now = self.clock.now()
            body = json.dumps(status.report(db, link, now)).encode()
            url, signed = link.url + STATUS, signing.headers(link, "POST", STATUS, body, now)
        answer = httpx.post(
            url, content=body, headers={**signed, "Content-Type": "application/json"}, timeout=30
        )
        answer.raise_for_status()

    def _unreachable(self, link_id: int, e: Exception) -> None:
        self.alarms.report(
            Problem(
                "federation-unreachable",
                f"link:{link_id}",
                f"không gửi được trạng thái lên nguồn (liên kết {link_id}): {e}",
                f"the state could not be reported up link {link_id}: {e}",
            )
        )
