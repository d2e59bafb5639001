"""How a text will be read (the reading preview) and the commune's pronunciation lexicon."""

from __future__ import annotations

import unicodedata

from fastapi import APIRouter
from pydantic import BaseModel, Field

from radio.access.deps import Composer, Me, Svc
from radio.errors import Invalid
from radio.web.errors import problems
from voices import Lexicon

router = APIRouter(prefix="/api", tags=["speech"], responses=problems(401, 422, 503))

MAX_PREVIEW_CHARS = 20_000


class ReadingIn(BaseModel):
    text: str = Field(max_length=MAX_PREVIEW_CHARS)
    voice: str


class RewriteOut(BaseModel):
    """A span the reading rewrote: a number, date, abbreviation, lexicon entry…"""

    start: int  # offsets into the cleaned line
    end: int
    original: str
    reading: str
    kind: str


class LineOut(BaseModel):
    text: str
    cleaned: str
    reading: str  # what the voice will say
    rewrites: list[RewriteOut]


class ReadingOut(BaseModel):
    voice: str
    lines: list[LineOut]
    lexicon_problems: list[str]  # lines of the lexicon left out until someone fixes them


class LexiconEntry(BaseModel):
    written: str = Field(min_length=1, max_length=100)
    spoken: str = Field(min_length=1, max_length=300)


@router.post("/reading")
def read_aloud(body: ReadingIn, user: Me, services: Svc) -> ReadingOut:
    """The text as the voice will read it, line by line, with every rewritten span
    (number, date, abbreviation…) and its reading: the console's reading preview."""
    info = services.speech.voice(body.voice)
    lines = services.speech.explain(body.text, info.id)
    problems_now = list(services.speech.lexicon.current().problems)
    return ReadingOut.model_validate(
        {"voice": info.id, "lines": lines, "lexicon_problems": problems_now}
    )


@router.get("/lexicon")
def list_lexicon(user: Me, services: Svc) -> list[LexiconEntry]:
    entries = services.speech.lexicon.current().entries
    return [LexiconEntry(written=w, spoken=s) for w, s in entries.items()]


@router.post("/lexicon", status_code=201, responses=problems(403))
def add_lexicon_entry(body: LexiconEntry, user: Composer, services: Svc) -> LexiconEntry:
    """Add or replace an entry. Only the sentences containing it re-synthesize."""
    written = unicodedata.normalize("NFC", body.written).strip()
    spoken = unicodedata.normalize("NFC", body.spoken).strip()
    readable = Lexicon.parse(f"{written} = {spoken}\n").entries == {written: spoken}
    if not readable or "=" in written:
        raise Invalid(
            "an entry is one line, 'written = spoken', without '=' or '#' in the words",
            "mỗi mục là một dòng 'viết = đọc', không chứa '=' hoặc '#'",
            field="written",
        )
    services.speech.lexicon.put(written, spoken)
    return LexiconEntry(written=written, spoken=spoken)
