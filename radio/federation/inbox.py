"""A commune takes a bulletin its source sent: the program is fetched from the source
(signed), checked against the hash sent and kept byte for byte, then delivered to this
installation's communes as a bulletin from the link's account, at its level: normal to
the inbox, priority first in the next slot, emergency on every zone at once (audited as
every bulletin is). The message's key makes it stored once, however often it comes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.airtime import bulletins
from radio.airtime.bulletins import Outgoing
from radio.airtime.timeline import Length
from radio.audit import audit
from radio.errors import Invalid
from radio.federation.links import SOURCE
from radio.models import Bulletin, Commune, FederationLink, FederationReceived, Level
from radio.speech import Speech


@dataclass(frozen=True)
class Message:
    key: str
    title: str
    text: str
    voice: str
    level: Level
    program: str  # the SHA-256 of the MP3 the source made
    valid_until: datetime | None


def receive(
    db: Session,
    link: FederationLink,
    message: Message,
    fetch: Callable[[str], bytes],
    speech: Speech,
    now: datetime,
    length: Length,
) -> tuple[FederationReceived, Bulletin | None]:
    """The received row and, the first time only, the bulletin made of it."""
    if link.role != SOURCE or link.user is None:
        raise Invalid("this link does not send bulletins here", "liên kết này không gửi bản tin")
    held = db.scalar(
        select(FederationReceived).where(
            FederationReceived.link_id == link.id, FederationReceived.key == message.key
        )
    )
    if held is not None:
        return held, None
    if message.valid_until is not None and message.valid_until < now:
        raise Invalid("the bulletin has expired", "bản tin đã hết hạn")
    mp3 = fetch(message.program)
    if hashlib.sha256(mp3).hexdigest() != message.program:
        raise Invalid(
            "the program fetched is not the one the message names",
            "âm thanh tải về không đúng với bản tin",
        )
    program = speech.adopt(db, mp3)
    communes = list(db.scalars(select(Commune.slug).order_by(Commune.id)))
    outgoing = Outgoing(message.title, message.level, communes, message.text, message.voice)
    bulletin = bulletins.send(db, link.user, outgoing, program, now, length)
    row = FederationReceived(link_id=link.id, key=message.key, bulletin_id=bulletin.id)
    db.add(row)
    db.flush()
    audit(db, link.user, "federation-received", f"bulletin:{bulletin.id}", key=message.key)
    return row, bulletin
