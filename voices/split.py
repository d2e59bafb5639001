"""Splitting text into the segments that are synthesized (and cached) one by one.

A segment is one sentence, or one clause group of a long sentence. The same sentence must
always give the same segment text whatever surrounds it, since segments are the grain of
the synthesis cache: splitting looks only inside a paragraph, never at its neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SEGMENT_CHARS = 200

# Dotted abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "tp",
        "tx",
        "tt",
        "q",
        "p",
        "ths",
        "ts",
        "pgs",
        "gs",
        "bs",
        "ks",
        "cn",
        "đc",
        "ông",
        "bà",
        "st",
        "tr",
        "vd",
        "v.v",
        "no",
        "nxb",
    ]
)
# A sentence end: terminal punctuation, optional closing quotes/brackets, then a space.
_END = re.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s)")
_CLAUSE = re.compile(r"(?<=[,;:])\s+")
# Items of a list in one sentence ("gồm: trưởng thôn; bí thư chi bộ; công an viên"): each
# its own segment, so each is followed by a sentence's pause.
_ITEM = re.compile(r"(?<=;)\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    text: str
    ends_paragraph: bool


def split(text: str) -> list[Segment]:
    """Segments of a text, in order; each line of the text is a paragraph."""
    segments: list[Segment] = []
    for line in text.splitlines():
        paragraph = _SPACE.sub(" ", line).strip()
        if not paragraph:
            continue
        pieces = [
            piece
            for sentence in _sentences(paragraph)
            for item in _ITEM.split(sentence)
            for piece in _limit(item)
        ]
        segments += [Segment(p, i == len(pieces) - 1) for i, p in enumerate(pieces)]
    return segments


def _sentences(paragraph: str) -> list[str]:
    sentences, start = [], 0
    for match in _END.finditer(paragraph):
        if _is_abbreviation(paragraph, match.start()) or not _starts_sentence(
            paragraph, match.end()
        ):
            continue
        sentences.append(paragraph[start : match.end()].strip())
        start = match.end()
    rest = paragraph[start:].strip()
    return [*sentences, rest] if rest else sentences


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = text[:dot].rsplit(" ", 1)[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _starts_sentence(text: str, end: int) -> bool:
    """Whether what follows a terminal mark can begin a sentence (upper case, digit, quote)."""
    following = text[end:].lstrip()
    return (
        not following
        or following[0].isupper()
        or following[0].isdigit()
        or (following[0] in "\"'“‘(-–—")
    )


def _limit(sentence: str) -> list[str]:
    """A long sentence as clause groups of at most MAX_SEGMENT_CHARS, each split where
    a reader would breathe: after a comma, semicolon or colon, else between words."""
    if len(sentence) <= MAX_SEGMENT_CHARS:
        return [sentence]
    units = [
        unit
        for clause in _CLAUSE.split(sentence)
        for unit in ([clause] if len(clause) <= MAX_SEGMENT_CHARS else clause.split(" "))
    ]
    groups: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + 1 + len(unit) > MAX_SEGMENT_CHARS:
            groups.append(current)
            current = unit
        else:
            current = f"{current} {unit}" if current else unit
    return [*groups, current] if current else groups
