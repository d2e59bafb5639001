"""Printing benchmark figures: a table for people, one JSON object for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        first, *rest = zip(row, widths, strict=True)
        print("  ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)]))


def print_json(figures: dict[str, object]) -> None:
    print(json.dumps(figures, ensure_ascii=False, indent=1))


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def corpus_texts(directory: Path) -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted(directory.glob("*.txt"))]
    if not texts:
        raise FileNotFoundError(f"no .txt files in {directory} (give the corpus with --corpus)")
    return texts


def rows(figures: dict[str, object], key: str) -> list[Any]:
    """A list the figures hold under `key` (the rows of a table)."""
    found = figures[key]
    if not isinstance(found, list):
        raise TypeError(f"{key} is not a list of rows")
    return found
