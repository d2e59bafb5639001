"""A commune's own pronunciation lexicon: place names, people, brands ("Nà Héo",
"VNeID"). It overrides every built-in rule, and its version is part of the cache key, so
editing an entry re-synthesizes exactly the sentences that contain it."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path

from voices.normalize.scanner import alternation

BUILTIN_FILE = "data/lexicon.txt"


class LexiconError(ValueError):
    """A lexicon file with a line that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # the lines that could not be read, each named

    @classmethod
    def parse(cls, text: str, source: str = "lexicon") -> Lexicon:
        """Lines of `written = spoken`; blank lines and `#` comments are ignored. A line that
        is neither is left out and named in `problems`: one slip in a hand-edited file must
        not stop every render, least of all at airtime."""
        entries: dict[str, str] = {}
        problems: list[str] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            written, spoken = _entry(raw)
            if written is None:
                continue
            if not written or not spoken:
                problems.append(f"{source}:{number}: expected 'written = spoken', got {raw!r}")
                continue
            entries[written] = spoken
        return cls(entries, tuple(problems))

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """The lexicon at path, or an empty one when the file does not exist yet."""
        if not path.exists():
            return cls()
        return cls.parse(path.read_text("utf-8-sig"), str(path))

    def checked(self) -> Lexicon:
        """This lexicon, or LexiconError naming its first bad line: for commands, where the
        person running them is the one who can fix the file."""
        if self.problems:
            raise LexiconError(self.problems[0])
        return self

    @cached_property
    def version(self) -> str:
        canonical = "\n".join(f"{k}\t{v}" for k, v in sorted(self.entries.items()))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @cached_property
    def pattern(self) -> str | None:
        """Whole-word, case-insensitive, longest entry first."""
        if not self.entries:
            return None
        return r"(?<![\w])(?i:" + alternation(self.entries) + r")(?![\w])"

    def reading(self, written: str) -> str:
        folded = written.casefold()
        return next(v for k, v in self.entries.items() if k.casefold() == folded)


@cache
def builtin() -> Lexicon:
    """The lexicon shipped with Loa Xã (loanwords, brands, digital terms): the layer under
    every commune's own, part of NORMALIZER_VERSION. A bad line in it is a bug: it raises."""
    text = files("voices").joinpath(BUILTIN_FILE).read_text("utf-8")
    return Lexicon.parse(text, BUILTIN_FILE).checked()


def _entry(raw: str) -> tuple[str | None, str]:
    """(written, spoken) of a line; written is None for a blank or comment line and empty
    for a line that is not an entry."""
    line = unicodedata.normalize("NFC", raw.split("#", 1)[0]).strip()
    if not line:
        return None, ""
    written, sep, spoken = (part.strip() for part in line.partition("="))
    return (written, spoken) if sep else ("", "")


def with_entry(text: str, written: str, spoken: str) -> str:
    """The lexicon file's text with `written` read as `spoken`: its line replaced, or added
    at the end. Every other line (comments, and lines that cannot be read yet) stays as the
    person who wrote it left it."""
    kept = [raw for raw in text.splitlines() if _entry(raw)[0] != written]
    return "".join(f"{raw}\n" for raw in [*kept, f"{written} = {spoken}"])
