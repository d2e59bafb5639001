"""Bulletins down the links: the source renders a bulletin once, puts one message per
commune in its outbox and delivers each until the commune says it has it. A commune that
was away gets what it missed when it is back, in order, emergencies first; the message's
key makes a second delivery (a lost answer) harmless. Emergencies are tried every half
second, the rest with a backoff up to 30 s; hearing from a commune makes its messages due.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from radio.airtime.bulletins import Outgoing, may_send
from radio.audit import audit
from radio.errors import Invalid
from radio.federation import signing
from radio.federation.links import COMMUNE
from radio.models import FederationLink, FederationMessage, Level, User
from radio.speech import Speech, Voicing
from schedules import Clock

INBOX = "/api/federation/inbox"
EMERGENCY_RETRY = timedelta(seconds=0.5)
MAX_BACKOFF = timedelta(seconds=30)


def send(
    db: Session,
    user: User,
    outgoing: Outgoing,
    link_ids: list[int],
    speech: Speech,
    now: datetime,
    valid_until: datetime | None = None,
) -> list[FederationMessage]:
    """One message per chosen commune, all carrying the same program (read here once)."""
    may_send(user, outgoing.level)
    links = [db.get(FederationLink, i) for i in dict.fromkeys(link_ids)]
    if not links or any(k is None or k.role != COMMUNE or not k.secret for k in links):
        raise Invalid(
            "choose communes that have enrolled",
            "hãy chọn các xã đã đăng ký liên kết",
            field="communes",
        )
    text, voice = outgoing.text or "", outgoing.voice or ""
    program = speech.render_row(db, [text], Voicing(voice, outgoing.rate))
    made = []
    for link in links:
        assert link is not None
        key = uuid.uuid4().hex
        body = {
            "key": key,
            "title": outgoing.title,
            "text": text,
            "voice": voice,
            "level": outgoing.level.value,
            "program": program.hash,
            "duration": program.duration,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "sent_at": now.isoformat(),
        }
        message = FederationMessage(
            link=link,
            key=key,
            body=body,
            level=outgoing.level.value,
            program_hash=program.hash,
            next_try_at=now,
        )
        db.add(message)
        made.append(message)
    db.flush()
    audit(db, user, f"federation-{outgoing.level.value}", "federation", keys=[m.key for m in made])
    return made


def due(db: Session, now: datetime) -> list[int]:
    """Messages to deliver now: emergencies first, then in the order they were made."""
    emergency = FederationMessage.level == Level.EMERGENCY.value
    return list(
        db.scalars(
            select(FederationMessage.id)
            .where(FederationMessage.delivered_at.is_(None), FederationMessage.next_try_at <= now)
            .order_by(emergency.desc(), FederationMessage.id)
        )
    )


def deliver(sessions: sessionmaker[Session], message_id: int, clock: Clock) -> tuple[int, str]:
    """One attempt: the message's link, and "" when the commune has the message (now or
    before), else why not."""
    with sessions.begin() as db:
        message = db.get(FederationMessage, message_id)
        if message is None or message.delivered_at is not None:
            return (message.link_id if message else 0), ""
        link = message.link
        url, body = f"{link.url}{INBOX}", json.dumps(message.body).encode()
        signed = signing.headers(link, "POST", INBOX, body, clock.now())
        expired = _expired(message, clock.now())
    error = "expired before it could be delivered" if expired else _post(url, body, signed)
    with sessions.begin() as db:
        message = db.get(FederationMessage, message_id)
        if message is None:
            return 0, "gone"
        now = clock.now()
        if not error:
            message.delivered_at, message.last_error = now, ""
            return message.link_id, ""
        message.attempts += 1
        message.last_error = error
        message.next_try_at = now + (timedelta(days=3650) if expired else _backoff(message))
        return message.link_id, error


def _post(url: str, body: bytes, signed: dict[str, str]) -> str:
    """ "" when the commune took the message, else why not."""
    headers = {**signed, "Content-Type": "application/json"}
    try:
        answer = httpx.post(url, content=body, headers=headers, timeout=30.0)
    except httpx.HTTPError as e:
        return f"unreachable: {e}"
    return "" if answer.status_code == 200 else f"{answer.status_code}: {answer.text[:300]}"


def _expired(message: FederationMessage, now: datetime) -> bool:
    until = message.body.get("valid_until")
    return bool(until) and datetime.fromisoformat(str(until)) < now


def _backoff(message: FederationMessage) -> timedelta:
    if message.level == Level.EMERGENCY.value:
        return EMERGENCY_RETRY
    return min(timedelta(seconds=2 ** min(message.attempts, 5)), MAX_BACKOFF)


def heard_from(db: Session, link: FederationLink, now: datetime) -> None:
    """The commune is back: what waits for it is due now, not at its backoff."""
    link.last_heard_at = now
    db.execute(
        update(FederationMessage)
        .where(FederationMessage.link_id == link.id, FederationMessage.delivered_at.is_(None))
        .where(FederationMessage.attempts > 0, FederationMessage.next_try_at < now + MAX_BACKOFF)
        .values(next_try_at=now)
    )


def sent_program(db: Session, link: FederationLink, program_hash: str) -> bool:
    """Whether a message down this link carries the program (what the commune may fetch)."""
    found = select(FederationMessage.id).where(
        FederationMessage.link_id == link.id, FederationMessage.program_hash == program_hash
    )
    return db.scalar(found.limit(1)) is not None
