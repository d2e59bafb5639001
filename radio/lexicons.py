"""Pronunciation lexicons by level. A commune reads with three layers, each overriding the
one before: the installation's file (`lexicon.txt`, kept by whoever runs the server), the
level above's entries (every commune inherits them) and the commune's own. An officer
changes only their own level's entries; every change is audited with who and what it was
before. A change alters what is rendered from then on, never audio already approved: an
approved announcement airs the program the reviewer heard (see airtime.readiness)."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from radio.audit import audit
from radio.errors import Invalid, NotFound
from radio.models import LexiconEntry, User, utcnow
from voices import Lexicon

KEPT = 256  # merged lexicons kept parsed, by their entries

Level = Literal["installation", "above", "commune"]


@dataclass(frozen=True)
class Entry:
    """An entry as a commune reads it, and where it comes from."""

    written: str
    spoken: str
    level: Level
    id: int | None = None  # None: the installation's file, changed on disk only
    changed_by: str | None = None
    changed_at: datetime | None = None


def key_of(written: str) -> str:
    return unicodedata.normalize("NFC", written).strip().casefold()


class Lexicons:
    """The lexicon each commune reads with, and the changes to it."""

    def __init__(self, base: Callable[[], Lexicon], sessions: Callable[[], Session]) -> None:
        self._base = base  # the installation's file, parsed again only when it changes
        self._sessions = sessions
        self._lock = threading.Lock()
        self._merged: dict[tuple[tuple[str, str], ...], Lexicon] = {}

    def base(self) -> Lexicon:
        return self._base()

    def of(self, commune_id: int | None) -> Lexicon:
        """The lexicon a commune reads with (None: the level above's)."""
        with self._sessions() as db:
            entries = self.entries(db, commune_id)
        pairs = tuple((e.written, e.spoken) for e in entries)
        with self._lock:
            if pairs not in self._merged:
                if len(self._merged) >= KEPT:
                    self._merged.clear()
                self._merged[pairs] = Lexicon(dict(pairs), self.base().problems)
            return self._merged[pairs]

    def entries(self, db: Session, commune_id: int | None) -> list[Entry]:
        """Every entry the commune reads with, each from the highest level that has it."""
        merged = {key_of(w): Entry(w, s, "installation") for w, s in self.base().entries.items()}
        levels: list[ColumnElement[bool]] = [LexiconEntry.commune_id.is_(None)]
        if commune_id is not None:
            levels.append(LexiconEntry.commune_id == commune_id)
        rows = db.execute(
            select(LexiconEntry, User.username)
            .outerjoin(User, User.id == LexiconEntry.changed_by_id)
            .where(or_(*levels))
            .order_by(LexiconEntry.commune_id.is_not(None), LexiconEntry.id)
        ).all()
        for row, username in rows:
            level: Level = "above" if row.commune_id is None else "commune"
            merged[row.key] = Entry(
                row.written, row.spoken, level, row.id, username, row.changed_at
            )
        return sorted(merged.values(), key=lambda e: key_of(e.written))

    def put(self, db: Session, user: User, written: str, spoken: str) -> LexiconEntry:
        """Add or change an entry of the user's own level (their commune, or the level
        above for its users)."""
        written, spoken = _checked(written, spoken)
        row = db.scalar(
            select(LexiconEntry).where(_level(user.commune_id), LexiconEntry.key == key_of(written))
        )
        before = row.spoken if row is not None else None
        if row is None:
            row = LexiconEntry(commune_id=user.commune_id, key=key_of(written))
            db.add(row)
        row.written, row.spoken = written, spoken
        row.changed_by_id, row.changed_at = user.id, utcnow()
        db.flush()
        audit(
            db,
            user,
            "lexicon-put",
            f"lexicon:{row.id}",
            written=written,
            spoken=spoken,
            before=before,
        )
        return row

    def delete(self, db: Session, user: User, entry_id: int) -> None:
        """Remove an entry of the user's own level; the level below reads the inherited
        one again, if there is one."""
        row = db.get(LexiconEntry, entry_id)
        if row is None or row.commune_id != user.commune_id:
            raise NotFound("no such lexicon entry here", "không có mục từ điển này")
        audit(
            db, user, "lexicon-delete", f"lexicon:{row.id}", written=row.written, spoken=row.spoken
        )
        db.delete(row)
        db.flush()


def _level(commune_id: int | None) -> ColumnElement[bool]:
    if commune_id is None:
        return LexiconEntry.commune_id.is_(None)
    return LexiconEntry.commune_id == commune_id


def _checked(written: str, spoken: str) -> tuple[str, str]:
    """One readable `written = spoken` line, or a refusal naming the field."""
    written = unicodedata.normalize("NFC", written).strip()
    spoken = unicodedata.normalize("NFC", spoken).strip()
    readable = Lexicon.parse(f"{written} = {spoken}\n").entries == {written: spoken}
    if not readable or "=" in written:
        raise Invalid(
            "an entry is one line, 'written = spoken', without '=' or '#' in the words",
            "mỗi mục là một dòng 'viết = đọc', không chứa '=' hoặc '#'",
            field="written",
        )
    return written, spoken
