"""Making a link between two installations. The source's operator creates a one-time
enrolment code for a commune and gives it to the commune's operator (by phone, on paper);
the commune's operator enters the source's address and the code; the commune calls the
source with it, and the source answers with the link's key. From then on every request
either way is signed with that key (radio.federation.signing).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access.roles import Permission, require
from radio.access.sessions import hash_password
from radio.access.tokens import new_token, token_hash
from radio.audit import audit
from radio.errors import Invalid, Unauthenticated, Unavailable
from radio.federation.signing import new_key
from radio.models import FederationLink, Role, User

CODE_VALID = timedelta(days=7)
TIMEOUT_S = 10.0
SOURCE, COMMUNE = "source", "commune"  # what the other end is, seen from this one


def invite(db: Session, user: User, name: str, now: datetime) -> tuple[FederationLink, str]:
    """A link waiting for the commune `name` to enrol, and its one-time code (shown once)."""
    require(user, Permission.OPERATE, Permission.ABOVE)
    if not name.strip():
        raise Invalid("the commune's name is empty", "tên xã đang để trống", field="name")
    code, digest = new_token(12)
    link = FederationLink(
        role=COMMUNE, name=name.strip(), code_hash=digest, code_expires_at=now + CODE_VALID
    )
    db.add(link)
    db.flush()
    audit(db, user, "federation-invite", f"link:{link.id}", name=link.name)
    return link, code


def enrol(db: Session, code: str, remote_id: int, url: str, now: datetime) -> FederationLink:
    """The source's side of enrolment: the code, used once, gives the commune the key."""
    link = db.scalar(
        select(FederationLink).where(
            FederationLink.role == COMMUNE, FederationLink.code_hash == token_hash(code)
        )
    )
    if link is None or link.code_expires_at is None or link.code_expires_at < now:
        raise Unauthenticated(
            "the enrolment code is wrong, used already or expired",
            "mã đăng ký sai, đã dùng hoặc đã hết hạn",
        )
    link.code_hash, link.code_expires_at = None, None
    link.remote_id, link.url, link.secret = remote_id, url.rstrip("/"), new_key()
    link.enrolled_at = now
    audit(db, None, "federation-enrol", f"link:{link.id}", url=link.url)
    return link


def subscribe(
    db: Session, user: User, source_url: str, code: str, own_url: str, now: datetime
) -> FederationLink:
    """The commune's side: enrol with the source at `source_url`, telling it where this
    installation is reached (`own_url`); bulletins from it arrive as a new account."""
    require(user, Permission.OPERATE)
    for value, field in [(source_url, "url"), (own_url, "own_url")]:
        if not value.startswith(("http://", "https://")):
            raise Invalid(
                f"{field} must be an http(s) address",
                "địa chỉ phải bắt đầu bằng http(s)://",
                field=field,
            )
    link = FederationLink(role=SOURCE, name=source_url, url=source_url.rstrip("/"))
    db.add(link)
    db.flush()
    remote_id, key, name = _enrol_there(link, code.strip(), own_url)
    link.remote_id, link.secret, link.name = remote_id, key, name
    link.enrolled_at = now
    link.user = User(
        username=f"lienket-{link.id}",
        full_name=f"Liên kết: {link.name}"[:200],
        password_hash=hash_password(secrets.token_hex(32)),  # nobody signs in as it
        role=Role.OFFICER,
        can_emergency=True,
        active=False,
    )
    db.flush()
    audit(db, user, "federation-subscribe", f"link:{link.id}", source=link.url)
    return link


def _enrol_there(link: FederationLink, code: str, own_url: str) -> tuple[int, str, str]:
    """The source's id for the link, the link's key and the source's name."""
    body = {"code": code, "link": link.id, "url": own_url}
    try:
        answer = httpx.post(f"{link.url}/api/federation/enrol", json=body, timeout=TIMEOUT_S)
    except httpx.HTTPError as e:
        raise Unavailable(
            f"the source cannot be reached: {e}", f"không kết nối được nguồn: {e}"
        ) from None
    if answer.status_code != 200:
        raise Invalid(
            f"the source refused the enrolment ({answer.status_code}): {answer.text[:200]}",
            f"nguồn từ chối đăng ký ({answer.status_code})",
            field="code",
        )
    try:
        data = answer.json()
        key = str(data["key"])
        bytes.fromhex(key)
        return int(data["link"]), key, str(data["name"])[:200]
    except (ValueError, KeyError, TypeError):
        raise Invalid(
            "the source's answer is not an enrolment", "câu trả lời của nguồn không hợp lệ"
        ) from None
