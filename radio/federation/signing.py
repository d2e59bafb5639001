"""Requests between linked installations are signed with the link's key (HMAC-SHA256):
over the method, the path with its query, a timestamp, a nonce and the body's SHA-256.
A request more than five minutes off the receiver's clock, or whose nonce was seen
before, is refused: a captured request cannot be played again.

Headers: X-Loaxa-Link (the receiver's id for the link), X-Loaxa-Time (Unix seconds),
X-Loaxa-Nonce (32 hex digits), X-Loaxa-Signature (hex).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radio.errors import Unauthenticated
from radio.models import FederationLink, FederationNonce

SKEW = timedelta(minutes=5)
LINK, TIME, NONCE, SIGNATURE = "X-Loaxa-Link", "X-Loaxa-Time", "X-Loaxa-Nonce", "X-Loaxa-Signature"


def new_key() -> str:
    return secrets.token_hex(32)


def signature(key: str, method: str, target: str, stamp: str, nonce: str, body: bytes) -> str:
    message = "\n".join([method.upper(), target, stamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(bytes.fromhex(key), message.encode(), hashlib.sha256).hexdigest()


def headers(
    link: FederationLink, method: str, target: str, body: bytes, now: datetime
) -> dict[str, str]:
    """The headers that sign a request to the other end of `link`."""
    stamp, nonce = str(int(now.timestamp())), secrets.token_hex(16)
    return {
        LINK: str(link.remote_id),
        TIME: stamp,
        NONCE: nonce,
        SIGNATURE: signature(link.secret, method, target, stamp, nonce, body),
    }


def verify(
    db: Session, given: Mapping[str, str], method: str, target: str, body: bytes, now: datetime
) -> FederationLink:
    """The link that signed this request, or Unauthenticated (401)."""
    try:
        link = db.get(FederationLink, int(given.get(LINK, "")))
        stamp = int(given.get(TIME, ""))
    except ValueError:
        raise _refused("the request is not signed") from None
    nonce, sent = given.get(NONCE, ""), given.get(SIGNATURE, "")
    if link is None or not link.secret or len(nonce) != 32:
        raise _refused("no such link, or it is not enrolled")
    if abs(now.timestamp() - stamp) > SKEW.total_seconds():
        raise _refused("the request's time is more than five minutes off")
    expected = signature(link.secret, method, target, str(stamp), nonce, body)
    if not hmac.compare_digest(expected, sent):
        raise _refused("the signature does not match")
    _remember(db, link.id, nonce, now)
    return link


def _remember(db: Session, link_id: int, nonce: str, now: datetime) -> None:
    db.execute(delete(FederationNonce).where(FederationNonce.seen_at < now - 2 * SKEW))
    try:
        with db.begin_nested():
            db.add(FederationNonce(link_id=link_id, nonce=nonce, seen_at=now))
    except IntegrityError:
        raise _refused("the request was seen before (a replay)") from None


def _refused(why: str) -> Unauthenticated:
    return Unauthenticated(f"federation: {why}", f"liên kết: yêu cầu bị từ chối ({why})")
