"""`radio bench NAME`: the benchmarks of bench/, each printing a table (or --json)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from radio.settings import Settings

_BENCHES = {
    "engines": ("real-time factor of each engine, MP3 encoding cost", "news"),
    "normalize": ("normalizer time on the news corpus", "news"),
    "cache": ("what the synthesis cache saves on the announcements", "announcements"),
    "fanout": ("receivers one server feeds, lateness, airtime accuracy", ""),
    "estimate": ("duration estimate against the rendered length", "announcements"),
    "emergency": ("emergency templates: filled fields to a program, against the whole text", ""),
    "fuzz": ("10,000 requests generated from the OpenAPI schema: any 5xx?", ""),
}


def register(commands: argparse._SubParsersAction[Any]) -> None:
    from bench.table import DEFAULT_SHARED

    group = commands.add_parser("bench", help="run a benchmark and print its table")
    sub = group.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    for name, (summary, corpus) in _BENCHES.items():
        bench = sub.add_parser(name, help=summary)
        if corpus:
            bench.add_argument("--corpus", type=Path, default=DEFAULT_SHARED / "corpus" / corpus)
        bench.add_argument("--json", action="store_true", help="the figures as one JSON object")
        bench.set_defaults(handler=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from bench.table import corpus_texts, print_json

    module = importlib.import_module(f"bench.{args.bench_command}")
    texts = corpus_texts(args.corpus) if "corpus" in args else []
    figures = module.run(texts)
    if args.json:
        print_json(figures)
    else:
        module.report(figures)
    return 0
