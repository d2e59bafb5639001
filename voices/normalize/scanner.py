"""One left-to-right pass over a line, trying rules in priority order at each position.

Every rule is a regular expression plus a handler that returns the reading, or None to
decline (a context check failed), in which case the next rule gets the same position.
What a rule emits is never scanned again, so rules cannot feed each other by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from voices.normalize.numbers import Dialect

Handler = Callable[["Match"], "str | None"]
# How far handlers look for the neighbouring word: bounded, so a megabyte-long line costs
# linear time.
_CONTEXT = 40
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
# Where a rule can begin: a digit, the start of a word, a symbol, or the space after a digit
# (a range: "80 - 150"). Trying the rules only there, not at every letter, keeps the scan
# fast; a rule that could start anywhere else would be missed, so rules start at these.
_STARTS = re.compile(r"\d|(?<!\w)\w|[^\w\s]|(?<=\d)\s")


_Tree = dict[str, "_Tree"]


def alternation(words: Iterable[str]) -> str:
    """The words as one prefix tree ("km2" and "km" as km(?:2)?): the longer word wins, as
    in a longest-first list, but a position where none starts is refused after a letter or
    two instead of after trying every word (the scan tries this at every word start)."""
    tree: _Tree = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: _Tree) -> str:
    ends = "" in node
    branches = [re.escape(char) + _branches(child) for char, child in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else f"(?:{'|'.join(branches)})"
    return f"{body}?" if ends else body


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    handler: Handler


@dataclass(frozen=True)
class Match:
    """A rule's match with what handlers need to judge their context."""

    m: re.Match[str]
    line: str
    dialect: Dialect

    def group(self, name: str | int) -> str:
        """The group's text; "" when it did not take part or the rule does not have it."""
        if isinstance(name, str) and name not in self.m.re.groupindex:
            return ""
        return self.m.group(name) or ""

    def word_before(self) -> str:
        start = self.m.start()
        words = self.line[max(0, start - _CONTEXT) : start].split()
        return words[-1].lower().strip("(\"'“") if words else ""

    def word_after(self) -> str:
        end = self.m.end()
        words = self.line[end : end + _CONTEXT].split()
        return words[0].lower().strip(".,;:!?)\"'”") if words else ""


@dataclass(frozen=True)
class Rewrite:
    """One span of the input and how it will be read: the console's reading preview."""

    start: int
    end: int
    original: str
    reading: str
    kind: str


class Scanner:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        # One alternation finds the next position where any rule applies. Group names
        # repeat across rules, so inside it they become plain groups (rules therefore use
        # no backreferences); each rule's own pattern is matched again for its groups.
        self.combined = re.compile(
            "|".join(
                f"(?P<r{i}>{_NAMED_GROUP.sub('(?:', rule.pattern.pattern)})"
                for i, rule in enumerate(self.rules)
            )
        )

    def scan(self, line: str, dialect: Dialect) -> tuple[str, list[Rewrite]]:
        out: list[str] = []
        rewrites: list[Rewrite] = []
        pos = 0
        for candidate in _STARTS.finditer(line):
            start = candidate.start()
            if start < pos:
                continue  # inside a span already rewritten
            found = self.combined.match(line, start)
            if found is None:
                continue
            hit = self._apply(line, start, int(str(found.lastgroup)[1:]), dialect)
            if hit is None or hit[0] == start:  # all declined, or an empty match
                continue
            end, reading, kind = hit
            out += [line[pos:start], reading]
            rewrites.append(Rewrite(start, end, line[start:end], reading.strip(), kind))
            pos = end
        out.append(line[pos:])
        return "".join(out), rewrites

    def _apply(
        self, line: str, start: int, first: int, dialect: Dialect
    ) -> tuple[int, str, str] | None:
        for rule in self.rules[first:]:
            m = rule.pattern.match(line, start)
            if m is None:
                continue
            reading = rule.handler(Match(m, line, dialect))
            if reading is not None:
                return m.end(), reading, rule.kind
        return None
