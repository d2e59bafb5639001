"""`radio bench NAME`: each benchmark prints a table, or its figures as one JSON object.

The benchmarks are development tools: they live in the source checkout, not in the
installed package, and `radio bench` hands its arguments here."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import (
    cache,
    emergency,
    engines,
    estimate,
    failover,
    fanout,
    fuzz,
    live,
    live_browser,
    mixed,
    normalize,
    relay,
    scheduler,
)
from bench.table import DEFAULT_SHARED, corpus_texts, print_json

Figures = dict[str, object]


@dataclass(frozen=True)
class Bench:
    summary: str
    corpus: str  # the shared corpus it reads ("" for none)
    run: Callable[[list[str]], Figures]
    report: Callable[[Figures], None]


BENCHES = {
    "engines": Bench(
        "real-time factor of each engine, MP3 encoding cost", "news", engines.run, engines.report
    ),
    "normalize": Bench(
        "normalizer time on the news corpus", "news", normalize.run, normalize.report
    ),
    "cache": Bench(
        "what the synthesis cache saves on the announcements",
        "announcements",
        cache.run,
        cache.report,
    ),
    "fanout": Bench(
        "receivers one server feeds, lateness, airtime accuracy", "", fanout.run, fanout.report
    ),
    "estimate": Bench(
        "duration estimate against the rendered length",
        "announcements",
        estimate.run,
        estimate.report,
    ),
    "emergency": Bench(
        "emergency templates: filled fields to a program, against the whole text",
        "",
        emergency.run,
        emergency.report,
    ),
    "mixed": Bench(
        "a bilingual programme: cold render, and again after editing one sentence",
        "announcements",
        mixed.run,
        mixed.report,
    ),
    "relay": Bench(
        "CPU of relaying a station (decode, level, re-encode), per relay",
        "",
        relay.run,
        relay.report,
    ),
    "live": Bench(
        "live speech: from the WebSocket to a receiver's decoded stream, latency",
        "",
        live.run,
        live.report,
    ),
    "live-browser": Bench(
        "live speech: from Chromium's (fake) microphone to a receiver's stream, latency",
        "",
        live_browser.run,
        live_browser.report,
    ),
    "scheduler": Bench(
        "one scheduler pass on a year of history, 1 to 100 communes",
        "",
        scheduler.run,
        scheduler.report,
    ),
    "failover": Bench(
        "kill -9 of the playout leader: until the standby leads and the stream is back",
        "",
        failover.run,
        failover.report,
    ),
    "fuzz": Bench(
        "10,000 requests generated from the OpenAPI schema: any 5xx?", "", fuzz.run, fuzz.report
    ),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="radio bench", description=__doc__)
    sub = top.add_subparsers(dest="name", required=True, metavar="NAME")
    for name, bench in BENCHES.items():
        one = sub.add_parser(name, help=bench.summary)
        if bench.corpus:
            default = DEFAULT_SHARED / "corpus" / bench.corpus
            one.add_argument("--corpus", type=Path, default=default)
        one.add_argument("--json", action="store_true", help="the figures as one JSON object")
    return top


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    bench = BENCHES[args.name]
    figures = bench.run(corpus_texts(args.corpus) if bench.corpus else [])
    if args.json:
        print_json(figures)
    else:
        bench.report(figures)
    return 0
