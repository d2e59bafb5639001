"""Bulletins sent from the level above, and their delivery to each commune."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, enum_column, utcnow
from radio.models.kinds import Level

if TYPE_CHECKING:
    from radio.models.content import Announcement
    from radio.models.people import User
    from radio.models.places import Commune


class Bulletin(Base):
    """A bulletin sent from the level above to chosen communes; each commune gets its own
    announcement of it (a Delivery), approved by the sender."""

    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str | None] = mapped_column(Text, default=None)  # None: uploaded audio
    voice: Mapped[str | None] = mapped_column(String(120), default=None)
    program_hash: Mapped[str] = mapped_column(ForeignKey("programs.hash"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sender: Mapped[User] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="bulletin", order_by="Delivery.id"
    )


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("bulletin_id", "commune_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id", ondelete="CASCADE"))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"))
    delivered_at: Mapped[datetime] = mapped_column()
    bulletin: Mapped[Bulletin] = relationship(back_populates="deliveries")
    commune: Mapped[Commune] = relationship()
    announcement: Mapped[Announcement] = relationship()
