"""When and where things air: slots, the airings they become (the as-run log), what
receivers report they played, emergencies that repeat, and the watch's alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, enum_column, utcnow
from radio.models.kinds import AiringStatus, Priority

if TYPE_CHECKING:
    from radio.models.content import Announcement
    from radio.models.places import Commune, Receiver, Zone

slot_zones = Table(
    "slot_zones",
    Base.metadata,
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True),
)


class Slot(Base):
    """When an announcement airs: once (`at`), or at `times` on `weekdays` (0 = Monday)
    between `start_date` and `end_date`, local time; each time `repeats` times with
    `repeat_gap_s` of quiet between the end of one and the start of the next."""

    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    at: Mapped[datetime | None] = mapped_column(default=None)
    weekdays: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    times: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # "06:00"
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    # Items due at the same moment on a zone play one after another, lowest first.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    repeats: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    repeat_gap_s: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who scheduled it: an emergency-priority slot airs only while they hold the right.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="fk_slots_created_by_id_users"),
        default=None,
    )
    # The next moment the scheduler must look at this slot again (its first occurrence past
    # the horizon it has materialized): a pass reads only slots that are due, not history.
    next_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    announcement: Mapped[Announcement] = relationship()
    zones: Mapped[list[Zone]] = relationship(secondary=slot_zones)


class Airing(Base):
    """One occurrence of a slot on one zone: what the as-run log is made of."""

    __tablename__ = "airings"
    __table_args__ = (
        UniqueConstraint("slot_id", "zone_id", "scheduled_at"),
        Index("ix_airings_open", "status", "started_at", "scheduled_at"),
        Index("ix_airings_slot", "slot_id", "scheduled_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    program_hash: Mapped[str | None] = mapped_column(ForeignKey("programs.hash"), default=None)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
    scheduled_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[AiringStatus] = mapped_column(
        enum_column(AiringStatus), default=AiringStatus.SCHEDULED
    )
    note: Mapped[str | None] = mapped_column(Text, default=None)
    listeners_at_start: Mapped[int | None] = mapped_column(Integer, default=None)
    zone: Mapped[Zone] = relationship()
    announcement: Mapped[Announcement] = relationship()

    @property
    def on_air(self) -> bool:
        """Started and not ended: what the zone's channel plays now (or resumes after a
        restart)."""
        return (
            self.status == AiringStatus.SCHEDULED
            and self.started_at is not None
            and self.ended_at is None
        )

    @property
    def approved_audio(self) -> str | None:
        """The program the airing plays: its own once handed to playout, else the one
        approved; what every receipt is checked against."""
        return self.program_hash or self.announcement.approved_program_hash


class Receipt(Base):
    """A receiver's own report of an airing it played: from the live stream, or from its
    prefetched copy when its link was down. The content hash is what it actually played."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("airing_id", "receiver_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    airing_id: Mapped[int] = mapped_column(ForeignKey("airings.id", ondelete="CASCADE"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("receivers.id", ondelete="CASCADE"))
    program_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))  # "stream", "local" or "stream+local"
    started_at: Mapped[datetime] = mapped_column()
    completed: Mapped[bool] = mapped_column(default=False)
    volume: Mapped[int | None] = mapped_column(Integer, default=None)
    reported_at: Mapped[datetime] = mapped_column()
    receiver: Mapped[Receiver] = relationship()


class Alert(Base):
    """Something an operator must know: dead air, a receiver gone quiet, a missed or
    failed airing. Shown on the dashboard and sent to the webhook."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32))  # dead-air, receiver-offline, missed, failed
    target: Mapped[str] = mapped_column(String(120))
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None
    )
    vi: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    commune: Mapped[Commune | None] = relationship()


class Repeat(Base):
    """An emergency aired again every `every_minutes` on its zones until cancelled (or
    `until`, when what it announces expires)."""

    __tablename__ = "repeats"
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    program_hash: Mapped[str] = mapped_column(ForeignKey("programs.hash"))
    zone_ids: Mapped[list[int]] = mapped_column(JSON)
    every_minutes: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    until: Mapped[datetime | None] = mapped_column(default=None)  # an alert's expiry
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    announcement: Mapped[Announcement] = relationship()
