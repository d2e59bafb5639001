"""A commune's own pronunciation lexicon: place names, people, brands ("Nà Héo",
"VNeID"). It overrides every built-in rule, and its version is part of the cache key, so
editing an entry re-synthesizes exactly the sentences that contain it."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path


class LexiconError(ValueError):
    """A lexicon file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, source: str = "lexicon") -> Lexicon:
        """Lines of `written = spoken`; blank lines and `#` comments are ignored."""
        entries: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = unicodedata.normalize("NFC", raw.split("#", 1)[0]).strip()
            if not line:
                continue
            written, sep, spoken = (part.strip() for part in line.partition("="))
            if not sep or not written or not spoken:
                raise LexiconError(f"{source}:{number}: expected 'written = spoken', got {raw!r}")
            entries[written] = spoken
        return cls(entries)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """The lexicon at path, or an empty one when the file does not exist yet."""
        if not path.exists():
            return cls()
        return cls.parse(path.read_text("utf-8-sig"), str(path))

    @cached_property
    def version(self) -> str:
        canonical = "\n".join(f"{k}\t{v}" for k, v in sorted(self.entries.items()))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @cached_property
    def pattern(self) -> str | None:
        """Whole-word, case-insensitive, longest entry first."""
        if not self.entries:
            return None
        words = sorted(self.entries, key=len, reverse=True)
        return r"(?<![\w])(?i:" + "|".join(re.escape(w) for w in words) + r")(?![\w])"

    def reading(self, written: str) -> str:
        folded = written.casefold()
        return next(v for k, v in self.entries.items() if k.casefold() == folded)
