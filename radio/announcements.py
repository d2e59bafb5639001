"""The life of an announcement: draft -> pending -> approved / rejected -> archived.

A revision is a text read by a voice or a recording (uploaded or recorded in the console,
in any language the station labels). Every edit makes a new revision; editing approved or
pending work sends it back to review, since approval binds to one revision's audio (the
content hash of its program). Rendering is the speech service's; who may do what is the
access layer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio.access.roles import Permission, require
from radio.audit import audit
from radio.errors import Conflict, Invalid, TooLarge
from radio.languages import checked as language
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    Priority,
    Program,
    Repeat,
    Revision,
    Source,
    Status,
    User,
    utcnow,
)
from radio.speech import Speech, Voicing

MAX_TEXT = 20_000


@dataclass(frozen=True)
class Draft:
    """What an officer writes: the fields a revision is made of."""

    title: str
    text: str
    voice: str
    rate: float = 1.0
    chime: bool = False
    priority: Priority = Priority.NORMAL


@dataclass(frozen=True)
class Recording:
    """What an officer uploads instead of text: the recording, the language it is in, and
    what it says in a line (the public page and the reviewer read it)."""

    title: str
    data: bytes
    language: str = "vi"
    summary: str = ""
    priority: Priority = Priority.NORMAL


def check_title(title: str) -> None:
    if not title.strip():
        raise Invalid("the title is empty", "tiêu đề đang để trống", field="title")


def check(draft: Draft, speech: Speech) -> None:
    check_title(draft.title)
    if not draft.text.strip():
        raise Invalid("the text is empty", "nội dung thông báo đang để trống")
    if len(draft.text) > MAX_TEXT:
        raise TooLarge(
            f"the text is longer than {MAX_TEXT:,} characters",
            f"nội dung dài quá {MAX_TEXT:,} ký tự",
        )
    if not 0.5 <= draft.rate <= 2.0:
        raise Invalid(
            "the speaking rate must be between 0.5 and 2.0", "tốc độ đọc phải từ 0,5 đến 2,0"
        )
    speech.reading(Voicing(draft.voice, draft.rate))  # the voice can be used as asked
    speech.check_length(draft.text, Voicing(draft.voice, draft.rate))


def create(db: Session, user: User, draft: Draft, speech: Speech) -> Announcement:
    check(draft, speech)
    may_set_priority(user, draft.priority)
    return created(db, user, draft.title, draft.priority, _revision(draft, user, 1))


def create_recorded(db: Session, user: User, recording: Recording, speech: Speech) -> Announcement:
    """An announcement whose first revision is a recording, decoded, trimmed and levelled
    now: a file that is not audio, or too long, is a 422 and nothing is saved."""
    may_set_priority(user, recording.priority)  # before the work of decoding
    revision = _recorded(db, user, recording, speech, 1)
    return created(db, user, recording.title, recording.priority, revision)


def created(
    db: Session, user: User, title: str, priority: Priority, revision: Revision
) -> Announcement:
    announcement = Announcement(
        title=title.strip(), priority=priority, created_by_id=user.id, commune_id=user.commune_id
    )
    announcement.revisions.append(revision)
    db.add(announcement)
    db.flush()
    audit(db, user, "create", f"announcement:{announcement.id}", source=revision.source.value)
    if priority == Priority.EMERGENCY:
        audit(db, user, "emergency-priority", f"announcement:{announcement.id}")
    return announcement


def _recorded(
    db: Session, user: User, recording: Recording, speech: Speech, number: int
) -> Revision:
    check_title(recording.title)
    if len(recording.summary) > MAX_TEXT:
        raise TooLarge(
            f"the summary is longer than {MAX_TEXT:,} characters",
            f"phần tóm tắt dài quá {MAX_TEXT:,} ký tự",
        )
    spoken_in = language(recording.language)  # every check before the work of decoding
    program = speech.import_audio(db, recording.data)
    return Revision(
        number=number,
        source=Source.RECORDING,
        text=recording.summary.strip(),
        language=spoken_in,
        voice="",
        program_hash=program.hash,
        created_by_id=user.id,
    )


def made_elsewhere(
    db: Session,
    author: User,
    title: str,
    text: str,
    voicing: Voicing,
    program_hash: str,
    **origin: Any,
) -> Announcement:
    """An announcement whose audio was approved where it was made: a bulletin from above
    (approved by its sender) or an emergency from a template (the emergency right is the
    approval). `origin` says which (bulletin=..., template_id=...), with commune_id and
    priority."""
    announcement = Announcement(
        title=title,
        status=Status.APPROVED,
        created_by_id=author.id,
        approved_program_hash=program_hash,
        **origin,
    )
    announcement.revisions.append(
        Revision(
            number=1,
            text=text,
            voice=voicing.voice,
            rate=voicing.rate,
            chime=voicing.chime,
            program_hash=program_hash,
            created_by_id=author.id,
        )
    )
    db.add(announcement)
    db.flush()
    announcement.approved_revision_id = announcement.current.id
    return announcement


def revise(
    db: Session, user: User, announcement: Announcement, draft: Draft, speech: Speech
) -> Announcement:
    editable(announcement)
    check(draft, speech)
    revision = _revision(draft, user, announcement.current.number + 1)
    return revised(db, user, announcement, draft.title, draft.priority, revision)


def rerecord(
    db: Session, user: User, announcement: Announcement, recording: Recording, speech: Speech
) -> Announcement:
    """A new recording as the next revision: back to review, like edited text."""
    editable(announcement)
    revision = _recorded(db, user, recording, speech, announcement.current.number + 1)
    return revised(db, user, announcement, recording.title, recording.priority, revision)


def editable(announcement: Announcement) -> None:
    if announcement.status == Status.ARCHIVED:
        raise Conflict(
            "an archived announcement cannot be edited", "thông báo đã lưu trữ, không sửa được"
        )
    if announcement.fixed_audio:
        raise Conflict(
            "a bulletin from above or a filled template cannot be edited here",
            "bản tin của cấp trên hoặc thông báo theo mẫu không sửa được ở đây",
        )


def revised(
    db: Session,
    user: User,
    announcement: Announcement,
    title: str,
    priority: Priority,
    revision: Revision,
) -> Announcement:
    """The new revision in place, and what editing undoes: an approval (the audio
    changed), a rejection (it is a draft again)."""
    if priority != announcement.priority:
        may_set_priority(user, priority)
        if priority == Priority.EMERGENCY:
            audit(db, user, "emergency-priority", f"announcement:{announcement.id}")
    announcement.title = title.strip()
    announcement.priority = priority
    announcement.revisions.append(revision)
    if announcement.status in (Status.APPROVED, Status.PENDING):
        announcement.status = Status.PENDING  # the new audio needs a new approval
    elif announcement.status == Status.REJECTED:
        announcement.status = Status.DRAFT
    announcement.approved_revision_id = None
    announcement.approved_program_hash = None
    withdraw(db, announcement, "its text was edited after approval")
    db.flush()
    audit(
        db, user, "revise", f"announcement:{announcement.id}", revision=announcement.current.number
    )
    return announcement


def _revision(draft: Draft, user: User, number: int) -> Revision:
    return Revision(
        number=number,
        text=draft.text,
        voice=draft.voice,
        rate=draft.rate,
        chime=draft.chime,
        created_by_id=user.id,
    )


def submit(db: Session, user: User, announcement: Announcement) -> None:
    _expect(announcement, (Status.DRAFT, Status.REJECTED), "submitted", "gửi duyệt")
    announcement.status = Status.PENDING
    announcement.reject_reason = None
    audit(db, user, "submit", f"announcement:{announcement.id}")


@dataclass(frozen=True)
class Heard:
    """What the reviewer listened to: the revision's number and its program's hash."""

    revision: int
    program: str


def approve(
    db: Session, user: User, announcement: Announcement, program: Program, heard: Heard
) -> None:
    """Approve exactly what the reviewer heard: if the text changed since (a newer
    revision) or its audio differs, nothing is approved and the 409 says what is newer."""
    require(user, Permission.REVIEW)
    _expect(announcement, (Status.PENDING,), "approved", "phê duyệt")
    current = announcement.current.number
    if heard.revision != current:
        raise Conflict(
            f"revision {current} is newer than revision {heard.revision} you heard:"
            " listen to it before approving",
            f"đã có bản sửa {current} mới hơn bản {heard.revision} bạn đã nghe:"
            " hãy nghe lại trước khi duyệt",
            revision=current,
        )
    if heard.program != program.hash:
        raise Conflict(
            f"the audio of revision {current} is not the audio you heard: listen again",
            f"âm thanh của bản {current} khác với bản bạn đã nghe: hãy nghe lại",
            revision=current,
            program=program.hash,
        )
    announcement.status = Status.APPROVED
    announcement.approved_revision_id = announcement.current.id
    announcement.approved_program_hash = program.hash
    audit(
        db,
        user,
        "approve",
        f"announcement:{announcement.id}",
        revision=announcement.current.number,
        program=program.hash,
    )


def reject(db: Session, user: User, announcement: Announcement, reason: str) -> None:
    require(user, Permission.REVIEW)
    if not reason.strip():
        raise Invalid("say why it is rejected", "cần ghi lý do từ chối")
    _expect(announcement, (Status.PENDING, Status.APPROVED), "rejected", "từ chối")
    announcement.status = Status.REJECTED
    announcement.reject_reason = reason.strip()
    announcement.approved_revision_id = None
    announcement.approved_program_hash = None
    withdraw(db, announcement, "its approval was withdrawn (rejected)")
    audit(db, user, "reject", f"announcement:{announcement.id}", reason=reason.strip())


def archive(db: Session, user: User, announcement: Announcement) -> None:
    announcement.status = Status.ARCHIVED
    announcement.approved_program_hash = None
    withdraw(db, announcement, "archived", every=True)
    audit(db, user, "archive", f"announcement:{announcement.id}")


def withdraw(db: Session, announcement: Announcement, why: str, every: bool = False) -> int:
    """With its approval gone, what was made to air without another check stops now: its
    direct emergencies not yet started and its repeats (and, with `every`, every pending
    airing). A slot's airings are checked against the approval at airtime anyway, and air
    again if it is approved again."""
    now = utcnow()
    for repeat in db.scalars(
        select(Repeat).where(
            Repeat.announcement_id == announcement.id, Repeat.cancelled_at.is_(None)
        )
    ):
        repeat.cancelled_at = now
    pending = select(Airing).where(
        Airing.announcement_id == announcement.id,
        Airing.status == AiringStatus.SCHEDULED,
        Airing.started_at.is_(None),
    )
    if not every:
        pending = pending.where(Airing.slot_id.is_(None))
    stopped = 0
    for airing in db.scalars(pending):
        airing.status, airing.ended_at = AiringStatus.CANCELLED, now
        airing.note = f"not aired: {why}"
        stopped += 1
    return stopped


def may_set_priority(user: User, priority: Priority) -> None:
    """Emergency priority airs at full volume through quiet hours: only for holders of
    the emergency right."""
    if priority == Priority.EMERGENCY:
        require(user, Permission.EMERGENCY)


def _expect(announcement: Announcement, allowed: tuple[Status, ...], en: str, vi: str) -> None:
    if announcement.status not in allowed:
        raise Conflict(
            f"an announcement that is {announcement.status.value} cannot be {en}",
            f"thông báo ở trạng thái '{announcement.status.value}' không thể {vi}",
        )
