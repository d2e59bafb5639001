"""State up the links: every few minutes a commune tells each source where each of its
bulletins stands (received, scheduled and when, on air, aired: when, on which zones, how
many loudspeakers reported playing it, and the hashes of what aired, to compare with what
was sent) and how its loudspeakers are. The source keeps the last report per message and
per commune: the province at a glance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.airtime import bulletins
from radio.federation.outbox import heard_from
from radio.models import (
    Airing,
    AiringStatus,
    Bulletin,
    FederationLink,
    FederationMessage,
    FederationReceived,
    Receipt,
    Receiver,
)

KEEP_REPORTING = timedelta(days=14)  # a bulletin's state goes up this long after it came


def report(db: Session, link: FederationLink, now: datetime) -> dict[str, Any]:
    """The commune's report for one source link."""
    received = db.scalars(
        select(FederationReceived).where(
            FederationReceived.link_id == link.id,
            FederationReceived.received_at >= now - KEEP_REPORTING,
        )
    )
    return {
        "messages": [_message(db, r, now) for r in received],
        "health": health(db, now),
        "at": now.isoformat(),
    }


def health(db: Session, now: datetime) -> dict[str, int]:
    receivers = list(db.scalars(select(Receiver).where(Receiver.revoked.is_(False))))
    return {"receivers": len(receivers), "online": sum(r.online(now) for r in receivers)}


def _message(db: Session, row: FederationReceived, now: datetime) -> dict[str, Any]:
    bulletin = db.get(Bulletin, row.bulletin_id) if row.bulletin_id else None
    state: dict[str, Any] = {"key": row.key, "received_at": row.received_at.isoformat()}
    if bulletin is None:
        return {**state, "state": "received"}
    communes = bulletins.report(db, bulletin, now).communes
    states = [c.state for c in communes]
    order = ["on-air", "aired", "scheduled", "inbox"]
    state["state"] = next((s for s in order if s in states), states[0] if states else "received")
    coming = [c.next_at for c in communes if c.next_at]
    first = [c.first_aired_at for c in communes if c.first_aired_at]
    state["next_at"] = min(coming).isoformat() if coming else None
    state["first_aired_at"] = min(first).isoformat() if first else None
    state["zones_aired"] = sorted({z for c in communes for z in c.zones_aired})
    aired = select(Airing).where(
        Airing.announcement_id.in_([c.announcement_id for c in communes]),
        Airing.status == AiringStatus.AIRED,
    )
    airings = list(db.scalars(aired))
    state["programs_aired"] = sorted({a.program_hash for a in airings if a.program_hash})
    state["receivers_played"] = db.scalar(
        select(func.count(func.distinct(Receipt.receiver_id))).where(
            Receipt.airing_id.in_([a.id for a in airings])
        )
    )
    return state


def take(db: Session, link: FederationLink, sent: dict[str, Any], now: datetime) -> int:
    """A commune's report, kept on the source; the number of messages it spoke of."""
    heard_from(db, link, now)
    link.health = sent.get("health")
    known = 0
    for item in sent.get("messages", []):
        message = db.scalar(
            select(FederationMessage).where(
                FederationMessage.link_id == link.id, FederationMessage.key == item.get("key")
            )
        )
        if message is not None:
            program = message.body.get("program")
            aired = item.get("programs_aired") or []
            message.status = {**item, "hash_matches": not aired or aired == [program]}
            known += 1
    return known
