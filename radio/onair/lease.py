"""One playout leader, elected through the database: a lease row that the leader renews
every second and that expires 3 s after the last renewal. Taking or renewing it is one
conditional UPDATE (held by me, released, or expired), so two processes can never both
hold it; the same code works on SQLite (one process, the default) and on PostgreSQL
(a leader and standbys). A standby takes over within TTL plus one renewal period after
the leader dies, even by `kill -9`, which gives no chance to release it.

Times are the machines' wall clocks, which the processes sharing a database are assumed
to agree on within a fraction of the TTL (NTP does far better).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from radio.models import Lease

PLAYOUT = "playout"
TTL = timedelta(seconds=3)
RENEW_EVERY_S = 1.0


class Leadership:
    def __init__(self, sessions: sessionmaker[Session], url: str = "") -> None:
        self.sessions = sessions
        self.url = url  # where receivers reach this process's streams
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.took_from = ""  # the holder this process last took the lease over from

    def hold(self) -> bool:
        """Take or renew the lease; True while this process leads. Its own lease, even
        expired, is renewed as long as no other process has taken it."""
        now = datetime.now(UTC)
        with self.sessions.begin() as db:
            before = db.scalar(select(Lease.holder).where(Lease.name == PLAYOUT))
            taken = db.execute(
                update(Lease)
                .where(
                    Lease.name == PLAYOUT,
                    or_(Lease.holder == self.holder, Lease.holder == "", Lease.expires_at <= now),
                )
                .values(holder=self.holder, url=self.url, expires_at=now + TTL)
                .execution_options(synchronize_session=False)
            )
            if getattr(taken, "rowcount", 0) == 1:
                if before and before != self.holder:
                    self.took_from = before  # a failover: another process led until now
                return True
            if db.get(Lease, PLAYOUT) is not None:
                return False
        try:  # the first process ever: make the row
            with self.sessions.begin() as db:
                db.add(Lease(name=PLAYOUT, holder=self.holder, url=self.url, expires_at=now + TTL))
        except IntegrityError:
            return False  # another made it at the same moment
        return True

    def release(self) -> None:
        """Stepping down cleanly (SIGTERM): a standby need not wait for the TTL."""
        with self.sessions.begin() as db:
            db.execute(
                update(Lease)
                .where(Lease.name == PLAYOUT, Lease.holder == self.holder)
                .values(holder="")
                .execution_options(synchronize_session=False)
            )


def leader_url(db: Session) -> str | None:
    """Where the current leader serves its streams, while its lease is valid."""
    lease = db.scalar(select(Lease).where(Lease.name == PLAYOUT))
    if lease is None or not lease.holder or lease.expires_at <= datetime.now(UTC):
        return None
    return lease.url or None
