"""Our own table of readings (tests/data/normalize_cases.tsv), beyond the public cases:
each row is one written form and the one reading Loa Xã gives it."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from voices.normalize import normalize

TABLE = Path(__file__).parent / "data" / "normalize_cases.tsv"


def load_cases() -> list[tuple[str, str, str]]:
    rows = []
    for line in TABLE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, written, reading = line.split("\t")
            rows.append((category, written, reading))
    return rows


def spoken(text: str) -> str:
    """Lower case, NFC, punctuation dropped: what a listener hears."""
    text = unicodedata.normalize("NFC", text).lower().replace("-", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


CASES = load_cases()


def test_the_table_is_large_and_covers_every_category() -> None:
    assert len(CASES) >= 390  # 237 before round two (issue 19), 157 added with it
    assert {c for c, _, _ in CASES} >= {
        "road",
        "people",
        "digital",
        "number",
        "decimal",
        "percent",
        "date",
        "time",
        "range",
        "unit",
        "currency",
        "phone",
        "abbr",
        "roman",
        "docno",
        "fraction",
        "ordinal",
        "mixed",
        "url",
        "plain",
    }


@pytest.mark.parametrize(
    ("category", "written", "reading"), CASES, ids=[f"{c}:{w}" for c, w, _ in CASES]
)
def test_reading(category: str, written: str, reading: str) -> None:
    assert spoken(normalize(written)) == spoken(reading)
