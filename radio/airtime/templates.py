"""Emergency templates: «Thông báo khẩn: lũ quét tại thôn {thôn} lúc {giờ}.»

The text is cut at its fields; the fixed parts are synthesized into the segment cache when
the template is saved, and each part is read as its own segment, so filling the template
synthesizes only what was typed into the fields. When the fixed parts end mid-sentence
they are joined to the fields without a pause.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from radio import announcements as flow
from radio.access.roles import Permission, require, require_owner
from radio.airtime import emergencies
from radio.audit import audit
from radio.errors import Invalid
from radio.models import Airing, Announcement, Priority, Program, Repeat, Template, User, Zone
from radio.speech import Speech, Voicing, program_row
from voices import RenderedProgram

_FIELD = re.compile(r"\{([^{}]*)\}")
MAX_VALUE = 200


_LEADING_PUNCTUATION = re.compile(r"^[.,!?;:…]+")
_SENTENCE_END = (".", ",", "!", "?", ";", ":", "…")


@dataclass(frozen=True)
class Field:
    """A field, read with the word before it ("lúc {giờ}", "ngày {ngày}"), since how a
    value is read depends on it: 12/9 alone is read as a date with its own "ngày"."""

    name: str
    prefix: str = ""  # the fixed word right before the field, unless a sentence ends there
    suffix: str = ""  # punctuation right after the field ("{giờ}."): read with its value


@dataclass(frozen=True)
class Parsed:
    """The template as parts: fixed text, and fields in their places."""

    parts: tuple[str | Field, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.name for p in self.parts if isinstance(p, Field)))

    @property
    def fixed(self) -> tuple[str, ...]:
        return tuple(p for p in self.parts if isinstance(p, str))


def parse(text: str) -> Parsed:
    """Refuses braces that are not a field, and empty or repeated-brace field names."""
    names = [name.strip() for name in _FIELD.findall(text)]
    if any(not name for name in names):
        raise Invalid("a field {} has no name", "có trường {} chưa đặt tên", field="text")
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        raise Invalid(
            "a brace is not closed: fields are written {name}",
            "thiếu dấu ngoặc: trường được viết {tên}",
            field="text",
        )
    pieces = _FIELD.split(text)  # fixed, name, fixed, name, ..., fixed
    parts: list[str | Field] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            parts.append(Field(piece.strip(), _take_last_word(parts)))
            continue
        after = parts[-1] if parts else None
        if isinstance(after, Field) and (lead := _LEADING_PUNCTUATION.match(piece.lstrip())):
            parts[-1] = Field(after.name, after.prefix, lead.group())
            piece = piece.lstrip()[lead.end() :]
        if piece.strip():
            parts.append(piece.strip())
    if not names:
        raise Invalid(
            "a template needs at least one field, written {name}",
            "mẫu cần ít nhất một trường, viết dạng {tên}",
            field="text",
        )
    return Parsed(tuple(parts))


def fill(parsed: Parsed, values: dict[str, str]) -> list[str]:
    """The parts to read, fields filled; refuses missing or odd values."""
    missing = [name for name in parsed.fields if not values.get(name, "").strip()]
    if missing:
        raise Invalid(
            f"fill in: {', '.join(missing)}",
            f"cần điền: {', '.join(missing)}",
            field="fields",
        )
    for name, value in values.items():
        if len(value) > MAX_VALUE or "{" in value or "}" in value:
            raise Invalid(
                f"the value of {name!r} is too long or holds braces",
                f"giá trị của '{name}' quá dài hoặc có dấu ngoặc nhọn",
                field="fields",
            )
    return [
        part
        if isinstance(part, str)
        else f"{part.prefix} {values[part.name].strip()}".strip() + part.suffix
        for part in parsed.parts
    ]


def _take_last_word(parts: list[str | Field]) -> str:
    """Move the last word of the fixed part before a field into the field."""
    before = parts[-1] if parts else None
    if not isinstance(before, str) or before.endswith(_SENTENCE_END):
        return ""
    rest, _, word = before.rpartition(" ")
    if rest.strip():
        parts[-1] = rest.strip()
    else:
        parts.pop()
    return word


def filled_text(parts: list[str]) -> str:
    """The filled template as one text, for the record and the public page."""
    return re.sub(r"\s+([.,!?;:…])", r"\1", " ".join(parts))


def owner(template: Template) -> str:
    """What keeps the template's fixed parts in the cache while it exists."""
    return f"template:{template.id}"


def voicing(template: Template) -> Voicing:
    return Voicing(template.voice, template.rate, template.chime, template.commune_id)


def save(db: Session, user: User, template: Template, speech: Speech) -> int:
    """Saved, and its fixed parts synthesized into the cache now, not in an emergency;
    the number of segments that had to be synthesized."""
    require(user, Permission.COMPOSE)
    flow.check(flow.Draft(template.name, template.text, template.voice, template.rate), speech)
    parsed = parse(template.text)
    template.name = template.name.strip()
    template.commune_id, template.created_by_id = user.commune_id, user.id
    db.add(template)
    db.flush()
    synthesized = speech.warm(list(parsed.fixed), voicing(template), keep_for=owner(template))
    audit(db, user, "add-template", owner(template))
    return synthesized


def delete(db: Session, user: User, template: Template, speech: Speech) -> None:
    require(user, Permission.COMPOSE)
    require_owner(user, template.commune_id)
    audit(db, user, "delete-template", owner(template))
    speech.renderer.cache.release(owner(template))
    db.delete(template)


@dataclass(frozen=True)
class Used:
    """A template filled and on air: what was made, and what it cost."""

    announcement: Announcement
    airings: list[Airing]
    repeat: Repeat | None
    program: Program
    rendered: RenderedProgram
    render_seconds: float


def use(
    db: Session,
    user: User,
    template: Template,
    values: dict[str, str],
    zones: list[Zone],
    now: datetime,
    repeat_minutes: int | None,
    speech: Speech,
) -> Used:
    """Filled and on air: only the fields are synthesized, then it cuts into the zones like
    any emergency (again every `repeat_minutes` if asked)."""
    require(user, Permission.EMERGENCY)
    parts = fill(parse(template.text), values)
    started = time.perf_counter()
    rendered = speech.render(parts, voicing(template), urgent=True)
    took = time.perf_counter() - started
    program = program_row(db, rendered)
    announcement = flow.made_elsewhere(
        db,
        user,
        template.name,
        filled_text(parts),
        voicing(template),
        program.hash,
        template_id=template.id,
        commune_id=user.commune_id,
        priority=Priority.EMERGENCY,
    )
    airings, repeat = emergencies.start(
        db, user, announcement, program.hash, zones, now, repeat_minutes
    )
    return Used(announcement, airings, repeat, program, rendered, took)
