"""How a text will be read (the reading preview) and the commune's pronunciation lexicon."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from radio.access.deps import Composer, Db, Me, Svc
from radio.lexicons import Level
from radio.web.errors import problems

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


class LexiconIn(BaseModel):
    written: str = Field(min_length=1, max_length=100)
    spoken: str = Field(min_length=1, max_length=300)


class LexiconEntryOut(LexiconIn):
    """An entry as the user's commune reads it, and the level it comes from."""

    level: Level
    id: int | None  # None: the installation's file (changed on the server's disk)
    changed_by: str | None
    changed_at: datetime | None
    mine: bool  # of the user's own level: they may change or delete it


@router.post("/reading")
def read_aloud(body: ReadingIn, user: Me, services: Svc) -> ReadingOut:
    """The text as the voice will read it, line by line, with every rewritten span
    (number, date, abbreviation…) and its reading: the console's reading preview."""
    info = services.speech.voice(body.voice)
    lines = services.speech.explain(body.text, info.id, user.commune_id)
    problems_now = list(services.speech.lexicons.base().problems)
    return ReadingOut.model_validate(
        {"voice": info.id, "lines": lines, "lexicon_problems": problems_now}
    )


@router.get("/lexicon")
def list_lexicon(user: Me, db: Db, services: Svc) -> list[LexiconEntryOut]:
    """The lexicon the user's commune reads with: the installation's file, the level
    above's entries and the commune's own, each from the highest level that has it."""
    own = "above" if user.commune_id is None else "commune"
    return [
        LexiconEntryOut.model_validate({**asdict(e), "mine": e.level == own})
        for e in services.speech.lexicons.entries(db, user.commune_id)
    ]


@router.post("/lexicon", status_code=201, responses=problems(403))
def put_lexicon_entry(body: LexiconIn, user: Composer, db: Db, services: Svc) -> LexiconEntryOut:
    """Add or change an entry of the user's own level (their commune's, or the level
    above's), audited. What is rendered from now on reads it; approved audio stays."""
    row = services.speech.lexicons.put(db, user, body.written, body.spoken)
    level: Level = "above" if row.commune_id is None else "commune"
    return LexiconEntryOut(
        written=row.written,
        spoken=row.spoken,
        level=level,
        id=row.id,
        changed_by=user.username,
        changed_at=row.changed_at,
        mine=True,
    )


@router.delete("/lexicon/{entry_id}", status_code=204, responses=problems(403, 404))
def delete_lexicon_entry(entry_id: int, user: Composer, db: Db, services: Svc) -> None:
    """Remove an entry of the user's own level (audited): an inherited one applies again."""
    services.speech.lexicons.delete(db, user, entry_id)
