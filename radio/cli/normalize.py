"""`radio normalize`: one normalized line per input line, or the reading preview."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from radio.settings import Settings
from voices.normalize import NORTH, SOUTH, Lexicon, Normalizer


def register(commands: argparse._SubParsersAction[Any]) -> None:
    cmd = commands.add_parser(
        "normalize", help="read lines on stdin, write how each will be read aloud"
    )
    cmd.add_argument(
        "--explain", action="store_true", help="show each rewritten span and its reading"
    )
    cmd.add_argument("--south", action="store_true", help="southern readings (ngàn, lẻ)")
    cmd.add_argument("--lexicon", type=Path, help="lexicon file (default: the installation's)")
    cmd.set_defaults(handler=run_normalize)


def run_normalize(args: argparse.Namespace, settings: Settings) -> int:
    lexicon = Lexicon.load(args.lexicon or settings.lexicon_path).checked()
    normalizer = Normalizer(lexicon, SOUTH if args.south else NORTH)
    # Undecodable bytes must not cost the line its place: one line out per line in.
    with open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False) as stdin:
        for raw in stdin:
            reading, rewrites = normalizer.explain(raw.rstrip("\n"))
            print(reading)
            if args.explain:
                for rw in rewrites:
                    print(f"    {rw.original!r} → {rw.reading!r} ({rw.kind})")
    return 0
