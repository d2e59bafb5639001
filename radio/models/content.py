"""What airs: rendered programs (by content hash), announcements and their revisions,
and emergency templates. Approval binds to one revision and the content hash of its
rendered program: only that audio can air."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.models.base import Base, enum_column, utcnow
from radio.models.kinds import Priority, Source, Status


class Program(Base):
    """A rendered program, by the content hash of its MP3; or a relay (`relay_url` set,
    no file): that source's sound for `duration` seconds, by the hash of those three
    facts (radio.relays), so approving it approves exactly that source and length."""

    __tablename__ = "programs"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    duration: Mapped[float] = mapped_column(Float)
    loudness_lufs: Mapped[float] = mapped_column(Float)
    mp3_path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    relay_source_id: Mapped[int | None] = mapped_column(Integer, default=None)
    relay_url: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def relayed(self) -> bool:
        return self.relay_url is not None


class Announcement(Base):
    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
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
        """Its audio came from above or from a template: never edited here."""
        return self.bulletin_id is not None or self.template_id is not None


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("announcement_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.TEXT)
    # What is read (text), or what the recording says, as its officer summed it up.
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="vi")  # radio.languages
    # A mixed revision's parts, in order (radio.mixes); none for the others.
    parts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
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

    @property
    def recorded(self) -> bool:
        """Its program is a recording or a relay, bound when the revision was made: never
        rendered."""
        return self.source in (Source.RECORDING, Source.RELAY)

    @property
    def languages(self) -> list[str]:
        """Every language heard in it, in the order first heard (the public page's label)."""
        if not self.parts:
            return [self.language]
        heard = [p.get("language", "vi") for p in self.parts if p["kind"] in ("text", "recording")]
        return list(dict.fromkeys(heard))

    @property
    def fixed(self) -> bool:
        """Its audio cannot be made again from its text: a recording, or audio from above
        or from a template. Such audio is never rendered, estimated or rebuilt."""
        return self.recorded or self.announcement.fixed_audio


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
