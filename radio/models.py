"""The data model: who works here, what they announce, where and when it airs.

Times are stored in UTC (timezone-aware) and shown in Asia/Ho_Chi_Minh. Approval binds to
one revision and the content hash of its rendered program: only that audio can air.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

RECEIVER_ONLINE = timedelta(seconds=90)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone and gives naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Role(enum.StrEnum):
    OFFICER = "officer"
    REVIEWER = "reviewer"
    OPERATOR = "operator"


class Status(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class Priority(enum.StrEnum):
    FILLER = "filler"
    NORMAL = "normal"
    EMERGENCY = "emergency"


class AiringStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    AIRED = "aired"
    MISSED = "missed"
    PREEMPTED = "preempted"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Level(enum.StrEnum):
    """A bulletin's level from above (Circular 39/2020/TT-BTTTT)."""

    NORMAL = "normal"  # the commune schedules it
    PRIORITY = "priority"  # at the front of the commune's next slot
    EMERGENCY = "emergency"  # at once, on every zone


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Commune(Base):
    """A commune station. One deployment may serve several (a district or a province);
    users with no commune belong to the level above and see them all."""

    __tablename__ = "communes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Zone(Base):
    """A hamlet (thôn, bản) or a cluster of loudspeakers that hears the same channel."""

    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    commune: Mapped[Commune] = relationship()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    volume: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    quiet_from: Mapped[str | None] = mapped_column(String(5), default=None)  # "22:00"
    quiet_until: Mapped[str | None] = mapped_column(String(5), default=None)  # "05:30"
    quiet_volume: Mapped[int | None] = mapped_column(Integer, default=None)


class Receiver(Base):
    __tablename__ = "receivers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the receiver said in its last heartbeat.
    last_seen: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str | None] = mapped_column(String(64), default=None)
    volume: Mapped[int | None] = mapped_column(Integer, default=None)
    clock_offset_ms: Mapped[float | None] = mapped_column(Float, default=None)
    playing: Mapped[str | None] = mapped_column(String(200), default=None)
    volume_set: Mapped[int | None] = mapped_column(Integer, default=None)  # over the zone's
    zone: Mapped[Zone] = relationship()

    def online(self, now: datetime) -> bool:
        """Heard from within three 30-second heartbeats."""
        return self.last_seen is not None and now - self.last_seen <= RECEIVER_ONLINE


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None
    )  # None: the level above the communes
    can_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Credential(Base):
    """A console session or an API token: only its hash is stored."""

    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "session" or "api"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()


class Program(Base):
    """A rendered program, by the content hash of its MP3."""

    __tablename__ = "programs"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    duration: Mapped[float] = mapped_column(Float)
    loudness_lufs: Mapped[float] = mapped_column(Float)
    mp3_path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Announcement(Base):
    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.DRAFT)
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_announcements_approved_revision"),
        default=None,
    )
    approved_program_hash: Mapped[str | None] = mapped_column(
        ForeignKey("programs.hash"), default=None
    )
    reject_reason: Mapped[str | None] = mapped_column(Text, default=None)
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None
    )  # None: made at the level above
    # Audio fixed elsewhere (a bulletin from above, an emergency template): never
    # re-rendered or edited here.
    bulletin_id: Mapped[int | None] = mapped_column(
        ForeignKey("bulletins.id", ondelete="SET NULL"), default=None
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("templates.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="announcement",
        order_by="Revision.number",
        foreign_keys="Revision.announcement_id",
    )

    @property
    def current(self) -> Revision:
        return self.revisions[-1]

    @property
    def fixed_audio(self) -> bool:
        return self.bulletin_id is not None or self.template_id is not None


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("announcement_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    voice: Mapped[str] = mapped_column(String(120))
    rate: Mapped[float] = mapped_column(Float, default=1.0)
    chime: Mapped[bool] = mapped_column(Boolean, default=False)
    program_hash: Mapped[str | None] = mapped_column(ForeignKey("programs.hash"), default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    announcement: Mapped[Announcement] = relationship(
        back_populates="revisions", foreign_keys=[announcement_id]
    )
    program: Mapped[Program | None] = relationship()


slot_zones = Table(
    "slot_zones",
    Base.metadata,
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True),
)


class Slot(Base):
    """When an announcement airs: once (`at`), or at `times` on `weekdays` (0 = Monday)
    between `start_date` and `end_date`, local time."""

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    announcement: Mapped[Announcement] = relationship()
    zones: Mapped[list[Zone]] = relationship(secondary=slot_zones)


class Airing(Base):
    """One occurrence of a slot on one zone: what the as-run log is made of."""

    __tablename__ = "airings"
    __table_args__ = (UniqueConstraint("slot_id", "zone_id", "scheduled_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    program_hash: Mapped[str | None] = mapped_column(ForeignKey("programs.hash"), default=None)
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)
    scheduled_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[AiringStatus] = mapped_column(
        _enum(AiringStatus), default=AiringStatus.SCHEDULED
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


class Bulletin(Base):
    """A bulletin sent from the level above to chosen communes; each commune gets its own
    announcement of it (a Delivery), approved by the sender."""

    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[Level] = mapped_column(_enum(Level))
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


class Template(Base):
    """An emergency message with fields: «Lũ quét tại thôn {thôn} lúc {giờ}». Its fixed
    parts are synthesized when it is saved, so that using it synthesizes only the fields."""

    __tablename__ = "templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    voice: Mapped[str] = mapped_column(String(120))
    rate: Mapped[float] = mapped_column(Float, default=1.0)
    chime: Mapped[bool] = mapped_column(Boolean, default=True)
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), default=None
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Repeat(Base):
    """An emergency aired again every `every_minutes` on its zones until cancelled."""

    __tablename__ = "repeats"
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    program_hash: Mapped[str] = mapped_column(ForeignKey("programs.hash"))
    zone_ids: Mapped[list[int]] = mapped_column(JSON)
    every_minutes: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    announcement: Mapped[Announcement] = relationship()


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(120))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
