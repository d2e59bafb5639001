"""Links between installations (a province's and a commune's, say, often from different
vendors): who the other side is, the key both sign with, and what went down and came up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, utcnow
from radio.models.people import User


class FederationLink(Base):
    """One end of a link. On a source (`role` "commune") it stands for a commune that
    enrolled with a one-time code; on a commune (`role` "source") for a source it
    subscribed to, with the account its bulletins arrive as. `remote_id` is the other
    end's id for the link: what a signed request names."""

    __tablename__ = "federation_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text, default="")
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    code_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    remote_id: Mapped[int | None] = mapped_column(Integer, default=None)
    secret: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_heard_at: Mapped[datetime | None] = mapped_column(default=None)
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    user: Mapped[User | None] = relationship()


class FederationMessage(Base):
    """A bulletin on its way down one link (the source's outbox): delivered once the other
    end said so, tried again until then; `status` is what the commune last reported."""

    __tablename__ = "federation_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("federation_links.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the idempotency key
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(16))
    program_hash: Mapped[str] = mapped_column(String(64), index=True)  # what it carries
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletins.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    link: Mapped[FederationLink] = relationship()


class FederationReceived(Base):
    """A message a commune took from a source: stored once however often it came."""

    __tablename__ = "federation_received"
    __table_args__ = (UniqueConstraint("link_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("federation_links.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletins.id", ondelete="SET NULL"), default=None
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class FederationNonce(Base):
    """Nonces of signed requests seen lately: the same request again is a replay."""

    __tablename__ = "federation_nonces"
    __table_args__ = (UniqueConstraint("link_id", "nonce"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column()
