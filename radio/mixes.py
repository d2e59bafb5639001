"""Mixed announcements: parts in order, as a bilingual notice is put together (a chime,
the Vietnamese text read by a voice, the same notice recorded in Tày, a pause, a chime).

Each recording part is a recording made a program when it is uploaded, named by its hash;
a later revision may reuse a recording of the same announcement by that hash, so editing
the Vietnamese text sends no file again (and re-renders only the edited sentence). A
mixed revision is rendered when it is saved: its length is then known and a part that
cannot be used is said at once. Review and approval bind to the whole program's hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio.errors import Invalid, TooLarge
from radio.languages import checked as language
from radio.models import Announcement, Priority, Revision, Source, User
from radio.speech import Speech, Voicing

MAX_PARTS = 20


@dataclass(frozen=True)
class Mix:
    """What an officer sends: the parts (as the API's models dump them: `kind` and its
    fields; a recording part names an uploaded file by index, or an earlier recording of
    the same announcement by `program`) and the uploaded files."""

    title: str
    voice: str
    parts: list[dict[str, Any]]
    files: list[bytes]
    rate: float = 1.0
    priority: Priority = Priority.NORMAL


def create(db: Session, user: User, mix: Mix, speech: Speech) -> Announcement:
    flow.may_set_priority(user, mix.priority)
    revision = _revision(db, user, mix, speech, 1, reusable=set())
    announcement = flow.created(db, user, mix.title, mix.priority, revision)
    speech.render_revision(db, revision)
    return announcement


def remix(
    db: Session, user: User, announcement: Announcement, mix: Mix, speech: Speech
) -> Announcement:
    """The next revision of the parts: back to review, like edited text."""
    flow.editable(announcement)
    if mix.priority != announcement.priority:
        flow.may_set_priority(user, mix.priority)
    revision = _revision(
        db, user, mix, speech, announcement.current.number + 1, _recordings_of(db, announcement)
    )
    flow.revised(db, user, announcement, mix.title, mix.priority, revision)
    speech.render_revision(db, revision)
    return announcement


def _revision(
    db: Session, user: User, mix: Mix, speech: Speech, number: int, reusable: set[str]
) -> Revision:
    """Every check first (title, parts, languages, the voice), then the uploads decoded."""
    flow.check_title(mix.title)
    _check(mix, reusable)
    texts = [p["text"].strip() for p in mix.parts if p["kind"] == "text"]
    voicing = Voicing(mix.voice, mix.rate)
    if texts:
        speech.reading(voicing)  # the voice can be used as asked
        speech.check_length("\n".join(texts), voicing)
    made = [speech.import_audio(db, data).hash for data in mix.files]
    parts = [_stored(part, made) for part in mix.parts]
    spoken_in = [p["language"] for p in parts if p["kind"] == "recording"]
    return Revision(
        number=number,
        source=Source.MIXED,
        parts=parts,
        text="\n".join(texts + [p["summary"] for p in parts if p.get("summary")]),
        language="vi" if texts else spoken_in[0],
        voice=mix.voice,
        rate=mix.rate,
        created_by_id=user.id,
    )


def _check(mix: Mix, reusable: set[str]) -> None:
    if not 1 <= len(mix.parts) <= MAX_PARTS:
        raise Invalid(
            f"a programme has 1 to {MAX_PARTS} parts",
            f"chương trình có từ 1 đến {MAX_PARTS} phần",
            field="parts",
        )
    if not any(p["kind"] in ("text", "recording") for p in mix.parts):
        raise Invalid(
            "a programme needs a text or a recording",
            "chương trình cần ít nhất một đoạn văn bản hoặc bản ghi",
            field="parts",
        )
    if sum(len(p.get("text", "")) for p in mix.parts) > flow.MAX_TEXT:
        raise TooLarge(
            f"the texts are longer than {flow.MAX_TEXT:,} characters",
            f"các đoạn văn bản dài quá {flow.MAX_TEXT:,} ký tự",
        )
    for part in mix.parts:
        _check_part(part, len(mix.files), reusable)


def _check_part(part: dict[str, Any], files: int, reusable: set[str]) -> None:
    if part["kind"] == "text" and not part["text"].strip():
        raise Invalid("a text part is empty", "một đoạn văn bản đang để trống", field="parts")
    if part["kind"] != "recording":
        return
    language(part["language"])
    index, program = part.get("file"), part.get("program")
    if index is not None and not 0 <= index < files:
        raise Invalid(
            f"no uploaded file number {index}", f"không có tệp tải lên số {index}", field="parts"
        )
    if index is None and program not in reusable:
        raise Invalid(
            "a recording part needs an uploaded file, or a recording of this announcement",
            "phần bản ghi cần một tệp tải lên, hoặc một bản ghi đã có của thông báo này",
            field="parts",
        )


def _stored(part: dict[str, Any], made: list[str]) -> dict[str, Any]:
    """The part as the revision keeps it: a recording by its program's hash."""
    if part["kind"] == "text":
        return {"kind": "text", "text": part["text"].strip()}
    if part["kind"] == "pause":
        return {"kind": "pause", "seconds": part["seconds"]}
    if part["kind"] == "chime":
        return {"kind": "chime", "rising": part.get("rising", True)}
    index = part.get("file")
    return {
        "kind": "recording",
        "program": made[index] if index is not None else part["program"],
        "language": part["language"],
        "summary": part.get("summary", "").strip(),
    }


def _recordings_of(db: Session, announcement: Announcement) -> set[str]:
    """The recordings this announcement has held: what a new revision may reuse."""
    found: set[str] = set()
    for source, program, parts in db.execute(
        select(Revision.source, Revision.program_hash, Revision.parts).where(
            Revision.announcement_id == announcement.id
        )
    ):
        if source == Source.RECORDING and program:
            found.add(program)
        found |= {p["program"] for p in parts or [] if p["kind"] == "recording"}
    return found
