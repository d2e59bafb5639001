"""CAP alerts the station received (pushed to it or read from a feed), kept whole with
what became of each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, enum_column, utcnow
from radio.models.kinds import Level

if TYPE_CHECKING:
    from radio.models.bulletins import Bulletin


class CapAlert(Base):
    """One CAP message. `state` says what the station did with it: sent (a bulletin at
    `level` on `zone_ids`), waiting (for an operator), not-actual (an exercise or test,
    never aired), cancelled or replaced (by a later message of its sender)."""

    __tablename__ = "cap_alerts"
    __table_args__ = (UniqueConstraint("sender", "identifier"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(200))
    sent: Mapped[datetime] = mapped_column()
    msg_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[str] = mapped_column(String(16), default="")
    urgency: Mapped[str] = mapped_column(String(16), default="")
    certainty: Mapped[str] = mapped_column(String(16), default="")
    expires: Mapped[datetime | None] = mapped_column(default=None)
    level: Mapped[Level | None] = mapped_column(enum_column(Level), default=None)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    zone_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    xml: Mapped[str] = mapped_column(Text)
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletins.id", ondelete="SET NULL"), default=None
    )
    received_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    bulletin: Mapped[Bulletin | None] = relationship()
