"""Normalizer throughput on the news corpus: the goal is under 100 ms for all of it."""

from __future__ import annotations

import statistics
import time

from bench.table import print_table
from voices.normalize import Normalizer

RUNS = 20


def run(texts: list[str]) -> dict[str, object]:
    normalizer = Normalizer()
    text = "\n".join(texts)
    normalizer.normalize(text)  # compile and warm up outside the timing
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        normalizer.normalize(text)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "characters": len(text),
        "bytes": len(text.encode()),
        "runs": RUNS,
        "min_ms": min(times),
        "median_ms": statistics.median(times),
    }


def report(figures: dict[str, object]) -> None:
    print_table(
        ["corpus chars", "bytes", "runs", "min ms", "median ms"],
        [
            [
                figures["characters"],
                figures["bytes"],
                figures["runs"],
                figures["min_ms"],
                figures["median_ms"],
            ]
        ],
    )
