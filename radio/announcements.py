"""The life of an announcement: draft -> pending -> approved / rejected -> archived.

Every edit makes a new revision; editing approved or pending text sends it back to review,
since approval binds to one revision's audio (the content hash of its program).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from radio.errors import ApiError
from radio.models import (
    Announcement,
    AuditEvent,
    Priority,
    Program,
    Revision,
    Role,
    Status,
    User,
)
from voices import (
    Assembly,
    Catalog,
    EmptyTextError,
    Lexicon,
    Renderer,
    SynthesisParams,
    Synthesizer,
    VoiceError,
    normalizer_for,
)
from voices import Program as RenderedProgram
from voices.estimate import Estimate
from voices.normalize import Normalizer

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


def audit(db: Session, actor: User | None, action: str, target: str, **detail: object) -> None:
    db.add(
        AuditEvent(
            actor_id=actor.id if actor else None, action=action, target=target, detail=detail
        )
    )


def check(draft: Draft, catalog: Catalog) -> None:
    if not draft.title.strip():
        raise ApiError(422, "the title is empty", "tiêu đề đang để trống")
    if not draft.text.strip():
        raise ApiError(422, "the text is empty", "nội dung thông báo đang để trống")
    if len(draft.text) > MAX_TEXT:
        raise ApiError(
            413,
            f"the text is longer than {MAX_TEXT:,} characters",
            f"nội dung dài quá {MAX_TEXT:,} ký tự",
        )
    if not 0.5 <= draft.rate <= 2.0:
        raise ApiError(
            422, "the speaking rate must be between 0.5 and 2.0", "tốc độ đọc phải từ 0,5 đến 2,0"
        )
    try:
        catalog.synthesizer(draft.voice)
    except VoiceError as exc:
        raise ApiError(
            422, f"unknown voice: {exc}", f"giọng đọc không dùng được: {draft.voice}", field="voice"
        ) from None


def create(db: Session, user: User, draft: Draft, catalog: Catalog) -> Announcement:
    check(draft, catalog)
    announcement = Announcement(
        title=draft.title.strip(),
        priority=draft.priority,
        created_by_id=user.id,
        commune_id=user.commune_id,
    )
    announcement.revisions.append(_revision(draft, user, 1))
    db.add(announcement)
    db.flush()
    audit(db, user, "create", f"announcement:{announcement.id}")
    return announcement


def made_elsewhere(
    db: Session,
    author: User,
    title: str,
    text: str,
    speech: Speech,
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
            voice=speech.voice,
            rate=speech.rate,
            chime=speech.chime,
            program_hash=program_hash,
            created_by_id=author.id,
        )
    )
    db.add(announcement)
    db.flush()
    announcement.approved_revision_id = announcement.current.id
    return announcement


def revise(
    db: Session, user: User, announcement: Announcement, draft: Draft, catalog: Catalog
) -> Announcement:
    if announcement.status == Status.ARCHIVED:
        raise ApiError(
            409, "an archived announcement cannot be edited", "thông báo đã lưu trữ, không sửa được"
        )
    if announcement.fixed_audio:
        raise ApiError(
            409,
            "a bulletin from above or a filled template cannot be edited here",
            "bản tin của cấp trên hoặc thông báo theo mẫu không sửa được ở đây",
        )
    check(draft, catalog)
    announcement.title = draft.title.strip()
    announcement.priority = draft.priority
    announcement.revisions.append(_revision(draft, user, announcement.current.number + 1))
    if announcement.status in (Status.APPROVED, Status.PENDING):
        announcement.status = Status.PENDING  # the new text needs a new approval
    elif announcement.status == Status.REJECTED:
        announcement.status = Status.DRAFT
    announcement.approved_revision_id = None
    announcement.approved_program_hash = None
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


def render(
    db: Session, revision: Revision, catalog: Catalog, renderer: Renderer, lexicon: Lexicon
) -> Program:
    """The revision's program, rendered through the caches (free when previewed before).
    Audio fixed elsewhere (from above, from a template) is what it is: never re-rendered."""
    fixed = db.get(Program, revision.program_hash) if revision.program_hash else None
    if fixed is not None and revision.announcement.fixed_audio:
        return fixed
    speech = Speech(revision.voice, revision.rate, revision.chime)
    program = program_row(db, render_parts([revision.text], speech, catalog, renderer, lexicon))
    revision.program_hash = program.hash
    db.flush()
    return program


@dataclass(frozen=True)
class Speech:
    """How a text is read: the settings a revision, a bulletin or a template carries."""

    voice: str
    rate: float = 1.0
    chime: bool = False


def render_parts(
    parts: list[str], speech: Speech, catalog: Catalog, renderer: Renderer, lexicon: Lexicon
) -> RenderedProgram:
    try:
        return renderer.render_parts(parts, *_speech(speech, catalog, lexicon))
    except EmptyTextError:
        raise ApiError(
            422, "the text has nothing to read aloud", "nội dung không có gì để đọc"
        ) from None


def program_row(db: Session, rendered: RenderedProgram) -> Program:
    """The database's record of a rendered program (one per content hash)."""
    program = db.get(Program, rendered.hash)
    if program is None:
        program = Program(
            hash=rendered.hash,
            duration=rendered.duration,
            loudness_lufs=rendered.loudness.integrated_lufs,
            mp3_path=str(rendered.mp3_path),
        )
        db.add(program)
        db.flush()
    return program


def estimate(
    revision: Revision, catalog: Catalog, renderer: Renderer, lexicon: Lexicon
) -> Estimate:
    """How long the revision's program will be, without rendering it."""
    speech = Speech(revision.voice, revision.rate, revision.chime)
    return renderer.estimate(revision.text, *_speech(speech, catalog, lexicon))


def _speech(
    speech: Speech, catalog: Catalog, lexicon: Lexicon
) -> tuple[Synthesizer, SynthesisParams, Normalizer, Assembly]:
    return (
        catalog.synthesizer(speech.voice),
        SynthesisParams(rate=speech.rate),
        normalizer_for(catalog.info(speech.voice), lexicon),
        Assembly(chime=speech.chime),
    )


def submit(db: Session, user: User, announcement: Announcement) -> None:
    _expect(announcement, (Status.DRAFT, Status.REJECTED), "submitted", "gửi duyệt")
    announcement.status = Status.PENDING
    announcement.reject_reason = None
    audit(db, user, "submit", f"announcement:{announcement.id}")


def approve(db: Session, user: User, announcement: Announcement, program: Program) -> None:
    if user.role not in (Role.REVIEWER, Role.OPERATOR):
        raise ApiError(403, "only a reviewer can approve", "chỉ người duyệt mới được phê duyệt")
    _expect(announcement, (Status.PENDING,), "approved", "phê duyệt")
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
    if user.role not in (Role.REVIEWER, Role.OPERATOR):
        raise ApiError(403, "only a reviewer can reject", "chỉ người duyệt mới được từ chối")
    if not reason.strip():
        raise ApiError(422, "say why it is rejected", "cần ghi lý do từ chối")
    _expect(announcement, (Status.PENDING, Status.APPROVED), "rejected", "từ chối")
    announcement.status = Status.REJECTED
    announcement.reject_reason = reason.strip()
    announcement.approved_revision_id = None
    announcement.approved_program_hash = None
    audit(db, user, "reject", f"announcement:{announcement.id}", reason=reason.strip())


def archive(db: Session, user: User, announcement: Announcement) -> None:
    announcement.status = Status.ARCHIVED
    announcement.approved_program_hash = None
    audit(db, user, "archive", f"announcement:{announcement.id}")


def _expect(announcement: Announcement, allowed: tuple[Status, ...], en: str, vi: str) -> None:
    if announcement.status not in allowed:
        raise ApiError(
            409,
            f"an announcement that is {announcement.status.value} cannot be {en}",
            f"thông báo ở trạng thái '{announcement.status.value}' không thể {vi}",
        )
