"""Vietnamese text normalization: written forms to the words an announcer reads aloud.

`Normalizer(lexicon, dialect).normalize(text)` keeps the text's lines (one output line per
input line) and rewrites numbers, dates, times, phone numbers, money, units, Roman numerals,
document numbers, abbreviations and loanwords; `explain` returns each rewritten span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from voices.normalize.lexicon import Lexicon, LexiconError
from voices.normalize.numbers import NORTH, SOUTH, Dialect
from voices.normalize.rules import RULES
from voices.normalize.scanner import Rewrite, Rule, Scanner


def _source_version() -> str:
    """Derived from the rules' own source and data files (the built-in lexicon, the toned
    words of addresses), so it changes whenever output can change."""
    digest = hashlib.sha256()
    data = Path(__file__).parent.parent / "data"
    sources = sorted(Path(__file__).parent.glob("*.py"))
    for path in [*sources, data / "lexicon.txt", data / "syllables.txt"]:
        digest.update(path.read_bytes())
    return "1." + digest.hexdigest()[:12]


NORMALIZER_VERSION = _source_version()

# Control and formatting characters, emoji and other pictographs are not read; the few
# symbols that the rules read (the degree sign) are kept.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk"})
_KEEP = frozenset("°")
# Printable ASCII and the Latin letters Vietnamese is written with need no look-up.
_UNUSUAL = re.compile(r"[^\x20-\x7e\n\u00c0-\u024f\u1e00-\u1eff]")
_TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # colour codes pasted from a terminal
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_TIDY = [
    (re.compile(r"\s+([,.;:!?])"), r"\1"),
    (re.compile(r",(\s*,)+"), ","),
    (re.compile(r"([.;:!?])\s*,"), r"\1"),
    (re.compile(r",\s*([.;:!?])"), r"\1"),
    (re.compile(r"^\s*,\s*"), ""),
    (re.compile(r" {2,}"), " "),
]


@dataclass(frozen=True)
class Normalizer:
    lexicon: Lexicon = field(default_factory=Lexicon)
    dialect: Dialect = NORTH

    @property
    def version(self) -> str:
        """What the synthesis cache keys on: the rules and this commune's lexicon."""
        return f"{NORMALIZER_VERSION}+{self.lexicon.version}"

    @cached_property
    def _scanner(self) -> Scanner:
        if self.lexicon.pattern is None:
            return _DEFAULT_SCANNER
        entry = Rule(
            "lexicon", re.compile(self.lexicon.pattern), lambda m: self.lexicon.reading(m.group(0))
        )
        return Scanner([entry, *RULES])

    def normalize(self, text: str) -> str:
        return "\n".join(self.normalize_line(line) for line in _clean(text).split("\n"))

    def normalize_line(self, line: str) -> str:
        out, _ = self._scanner.scan(line, self.dialect)
        return _tidy(out)

    def explain(self, line: str) -> tuple[str, list[Rewrite]]:
        """The normalized line and each span that was rewritten, with offsets into the
        cleaned line (NFC, control characters and emoji removed)."""
        out, rewrites = self._scanner.scan(clean_line(line), self.dialect)
        return _tidy(out), rewrites


_DEFAULT_SCANNER = Scanner(RULES)


def clean_line(line: str) -> str:
    """A line as the normalizer sees it: what the offsets of `explain` point into."""
    return _clean(line).replace("\n", " ")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _TERMINAL_CODES.sub(" ", text)
    return _SPACES.sub(" ", _UNUSUAL.sub(_drop_unreadable, text))


def _drop_unreadable(m: re.Match[str]) -> str:
    c = m.group(0)
    return " " if unicodedata.category(c) in _DROP_CATEGORIES and c not in _KEEP else c


def _tidy(line: str) -> str:
    for pattern, replacement in _TIDY:
        line = pattern.sub(replacement, line)
    return line.strip()


def normalize(text: str, dialect: Dialect = NORTH) -> str:
    return Normalizer(dialect=dialect).normalize(text)


__all__ = [
    "NORMALIZER_VERSION",
    "NORTH",
    "SOUTH",
    "Dialect",
    "Lexicon",
    "LexiconError",
    "Normalizer",
    "Rewrite",
    "clean_line",
    "normalize",
]
