"""`radio bench NAME`: the benchmarks of bench/, each printing a table (or --json)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from radio.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    from bench.table import DEFAULT_SHARED

    group = commands.add_parser("bench", help="run a benchmark and print its table")
    sub = group.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    engines = sub.add_parser("engines", help="real-time factor of each engine, MP3 cost")
    engines.add_argument("--corpus", type=Path, default=DEFAULT_SHARED / "corpus" / "news")
    engines.add_argument("--json", action="store_true")
    engines.set_defaults(handler=run_engines)


def run_engines(args: argparse.Namespace, settings: Settings) -> int:
    from bench import engines
    from bench.table import corpus_texts

    engines.report(engines.run(corpus_texts(args.corpus)), args.json)
    return 0
