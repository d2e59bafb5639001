"""Pronunciation lexicon entries, by level: the level above's (no commune), inherited by
every commune, and a commune's own, which override them. Who changed an entry last, and
when, is on the entry; every change is also in the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from radio.models.base import Base, utcnow


class LexiconEntry(Base):
    __tablename__ = "lexicon_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None, index=True
    )  # None: the level above's, which every commune inherits
    written: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))  # `written` case-folded: one per level
    spoken: Mapped[str] = mapped_column(String(300))
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
