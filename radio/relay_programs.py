"""A relay (tiếp sóng) as a program: an outside station's sound for a length of time.

Such a program has no audio file. Its hash is the hash of what it is (which source, its
address, how long), so review and approval bind to exactly that, as they bind to a
rendered program's audio: a source removed or pointed elsewhere after approval does not
air. The reviewer listens to the source's last test (radio.relays) before approving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radio.announcements import created, editable, may_set_priority, revised
from radio.errors import Invalid
from radio.models import Announcement, Priority, Program, RelaySource, Revision, Source, User

RELAY_VERSION = "relay-1"
MIN_SECONDS, MAX_SECONDS = 10, 6 * 3600


@dataclass(frozen=True)
class RelayDraft:
    """What an officer asks for: a title, the source and how long to relay it."""

    title: str
    seconds: int
    priority: Priority = Priority.NORMAL


def relay_hash(source_id: int, url: str, seconds: float) -> str:
    facts = f"{RELAY_VERSION}\n{source_id}\n{url}\n{seconds:.3f}"
    return hashlib.sha256(facts.encode()).hexdigest()


def create(db: Session, user: User, source: RelaySource, draft: RelayDraft) -> Announcement:
    may_set_priority(user, draft.priority)
    revision = _revision(db, user, source, draft, 1)
    return created(db, user, draft.title, draft.priority, revision)


def retarget(
    db: Session, user: User, announcement: Announcement, source: RelaySource, draft: RelayDraft
) -> Announcement:
    """Another source or length as the next revision: back to review."""
    editable(announcement)
    revision = _revision(db, user, source, draft, announcement.current.number + 1)
    return revised(db, user, announcement, draft.title, draft.priority, revision)


def refusal(db: Session, program: Program) -> str | None:
    """Why a relay program may not air now: its source removed, or no longer the one
    approved. None when it may."""
    source = db.get(RelaySource, program.relay_source_id) if program.relay_source_id else None
    if source is None:
        return "its relay source was removed: not aired"
    if relay_hash(source.id, source.url, program.duration) != program.hash:
        return "its relay source is not the one approved: not aired"
    return None


def _revision(
    db: Session, user: User, source: RelaySource, draft: RelayDraft, number: int
) -> Revision:
    if not draft.title.strip():
        raise Invalid("the title is empty", "tiêu đề đang để trống", field="title")
    if not MIN_SECONDS <= draft.seconds <= MAX_SECONDS:
        raise Invalid(
            f"a relay lasts from {MIN_SECONDS} s to {MAX_SECONDS // 3600} hours",
            f"thời lượng tiếp sóng từ {MIN_SECONDS} giây đến {MAX_SECONDS // 3600} giờ",
            field="seconds",
        )
    program = _program(db, source, float(draft.seconds))
    return Revision(
        number=number,
        source=Source.RELAY,
        text=source.name,
        voice="",
        program_hash=program.hash,
        created_by_id=user.id,
    )


def _program(db: Session, source: RelaySource, seconds: float) -> Program:
    digest = relay_hash(source.id, source.url, seconds)
    found = db.get(Program, digest)
    if found is not None:
        return found
    try:
        with db.begin_nested():
            program = Program(
                hash=digest,
                duration=seconds,
                loudness_lufs=source.loudness_lufs or 0.0,
                mp3_path="",
                relay_source_id=source.id,
                relay_url=source.url,
            )
            db.add(program)
    except IntegrityError:  # the same relay asked for twice at once: the first's row
        again = db.get(Program, digest)
        if again is None:
            raise
        return again
    return program
