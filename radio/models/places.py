"""Communes, their zones (hamlets) and the loudspeakers (receivers) in them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, ColumnElement, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, utcnow

RECEIVER_ONLINE = timedelta(seconds=90)  # heard from within three 30-second heartbeats


class Commune(Base):
    """A commune station. One deployment may serve several (a district or a province);
    users with no commune belong to the level above and see them all."""

    __tablename__ = "communes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The administrative code (mã đơn vị hành chính) alerts name the commune by.
    geocode: Mapped[str | None] = mapped_column(String(32), default=None)


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
    # Retired zones keep their history (as-run rows, receipts) but take no new airings.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    # Where the zone's loudspeakers stand (WGS 84 degrees), for alert areas and the map.
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)


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
    # Where it stands (WGS 84 degrees), for the map.
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    zone: Mapped[Zone] = relationship()

    def online(self, now: datetime) -> bool:
        """Heard from within three 30-second heartbeats."""
        return self.last_seen is not None and now - self.last_seen <= RECEIVER_ONLINE

    @classmethod
    def silent(cls, now: datetime) -> ColumnElement[bool]:
        """The receivers heard from once but not `online` now, as a query's condition."""
        return cls.last_seen.is_not(None) & (cls.last_seen < now - RECEIVER_ONLINE)


class Lease(Base):
    """Who plays out: one row per role ("playout"), held by the process that renewed it
    last before `expires_at`, with the address its streams are served from."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    expires_at: Mapped[datetime] = mapped_column()
