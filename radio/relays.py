"""Relay sources (tiếp sóng): the outside stations a commune relays, registered by an
operator and tested before they are scheduled: a test pulls ten seconds of the source,
says what it is (codec, bitrate) and how loud, and keeps those seconds, levelled as they
would air, to listen to. A dead source is a test result, not an error of the request."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from playout.sources import SCHEMES, SourceError, probe
from radio.access.roles import Permission, require
from radio.audit import audit
from radio.errors import Forbidden, Invalid
from radio.models import Announcement, Program, RelaySource, User
from radio.speech import Speech, program_row
from voices.assembly import at_broadcast_rate
from voices.audio.loudness import measure

MAX_URL = 2000
TEST_SECONDS = 10.0


def add(db: Session, user: User, name: str, url: str) -> RelaySource:
    require(user, Permission.OPERATE)
    if not name.strip():
        raise Invalid("the name is empty", "tên nguồn đang để trống", field="name")
    url = url.strip()
    if not url.startswith(SCHEMES) or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise Invalid(
            "a source is an http:// or https:// address (a stream or an HLS playlist)",
            "nguồn là một địa chỉ http:// hoặc https:// (luồng phát hoặc danh sách HLS)",
            field="url",
        )
    source = RelaySource(
        name=name.strip(), url=url, commune_id=user.commune_id, created_by_id=user.id
    )
    db.add(source)
    db.flush()
    audit(db, user, "relay-source-add", f"relay-source:{source.id}", url=url)
    return source


def remove(db: Session, user: User, source: RelaySource) -> None:
    require(user, Permission.OPERATE)
    if user.commune_id is not None and source.commune_id != user.commune_id:
        raise Forbidden(
            "a source of the level above is removed there", "nguồn của cấp trên do cấp trên xóa"
        )
    audit(db, user, "relay-source-remove", f"relay-source:{source.id}", url=source.url)
    db.delete(source)


def test(db: Session, user: User, source: RelaySource, speech: Speech, now: datetime) -> None:
    """Pull TEST_SECONDS of the source (a live stream takes that long) and keep what was
    found on the source's row."""
    require(user, Permission.OPERATE)
    url = source.url
    db.commit()  # no connection held while the source is read
    source.tested_at = now
    try:
        found = probe(url, TEST_SECONDS)
    except SourceError as exc:
        source.error, source.codec, source.bitrate_kbps = str(exc), None, None
        source.loudness_lufs, source.sample_hash = None, None
        return
    loudness = measure(at_broadcast_rate(found.pcm), found.pcm.sample_rate)
    sample = program_row(db, speech.renderer.import_pcm(found.pcm))
    source.error, source.codec, source.bitrate_kbps = None, found.codec, found.bitrate_kbps
    lufs = loudness.integrated_lufs if math.isfinite(loudness.integrated_lufs) else None
    source.loudness_lufs, source.sample_hash = lufs, sample.hash  # None: silent
    audit(db, user, "relay-source-test", f"relay-source:{source.id}", program=sample.hash)


def set_standby(db: Session, user: User, source: RelaySource, program: Program | None) -> None:
    """What fills the air while the source is lost: approved audio (a recording, looped),
    or silence. It is the operator's choice for the source, not part of any relay's
    approval, so it must itself have been approved."""
    require(user, Permission.OPERATE)
    if program is not None and (program.relayed or not _approved(db, program)):
        raise Invalid(
            "a standby is the approved audio of an announcement (a recording, say):"
            " only approved audio goes on air",
            "chương trình dự phòng phải là âm thanh đã được duyệt của một thông báo"
            " (ví dụ một bản ghi âm): chỉ âm thanh đã duyệt mới được phát",
            field="program",
        )
    source.standby_hash = program.hash if program is not None else None
    audit(
        db, user, "relay-source-standby", f"relay-source:{source.id}", program=source.standby_hash
    )


def _approved(db: Session, program: Program) -> bool:
    """Some announcement was approved with exactly this audio."""
    found = select(Announcement.id).where(Announcement.approved_program_hash == program.hash)
    return db.scalar(found.limit(1)) is not None
