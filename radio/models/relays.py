"""Outside stations a commune relays (tiếp sóng), registered by an operator, with what
the last test of each found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.models.base import Base, utcnow


class RelaySource(Base):
    __tablename__ = "relay_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None
    )  # None: the level above's, offered to every commune
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the last test: when, what it found, and the program of its seconds to listen to
    tested_at: Mapped[datetime | None] = mapped_column(default=None)
    codec: Mapped[str | None] = mapped_column(String(32), default=None)
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer, default=None)
    loudness_lufs: Mapped[float | None] = mapped_column(Float, default=None)
    sample_hash: Mapped[str | None] = mapped_column(ForeignKey("programs.hash"), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # What fills the air while the source is lost (a recording, looped); none: silence
    standby_hash: Mapped[str | None] = mapped_column(
        ForeignKey("programs.hash", name="fk_relay_sources_standby_hash_programs"), default=None
    )
