"""`radio bench NAME …`: the benchmarks of the source checkout's `bench/` (development
tools, not part of the installed package), run with the installation's own code."""

from __future__ import annotations

import argparse
from typing import Any

from radio.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    group = commands.add_parser(
        "bench",
        help="run a benchmark and print its table (from a source checkout)",
        description="engines, normalize, cache, fanout, estimate, emergency, fuzz; "
        "`radio bench NAME --help` for one",
        add_help=False,
    )
    group.add_argument("arguments", nargs=argparse.REMAINDER)
    group.set_defaults(handler=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bench.cli import main
    except ModuleNotFoundError:
        raise ValueError(
            "the benchmarks are in the source checkout (bench/), not in the installed "
            "package: run `uv run radio bench …` in a clone of the project"
        ) from None
    return main(args.arguments)
