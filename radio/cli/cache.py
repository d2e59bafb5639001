"""`radio cache stats|clear|warm FILE...`."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from radio.cli.speech import render_text
from radio.settings import Settings
from radio.textfiles import read_text
from voices import SynthesisParams
from voices.store.programs import SUBDIRECTORY, ProgramStore
from voices.store.segments import SegmentCache


def register(commands: argparse._SubParsersAction[Any]) -> None:
    group = commands.add_parser("cache", help="the synthesis cache: stats, clear, warm")
    sub = group.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    stats = sub.add_parser("stats", help="hits, misses, size, evictions, time saved")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=run_stats)
    sub.add_parser("clear", help="remove every cached segment").set_defaults(handler=run_clear)
    warm = sub.add_parser("warm", help="render files ahead of time so airing costs nothing")
    warm.add_argument("files", nargs="+")
    warm.add_argument("--voice", help="voice id (default: the configured default voice)")
    warm.add_argument("--rate", type=float, default=1.0)
    warm.set_defaults(handler=run_warm)


def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    stats = SegmentCache(settings.cache_dir, settings.cache_max_bytes).stats()
    programs, program_bytes = ProgramStore(settings.cache_dir / SUBDIRECTORY).usage()
    if args.json:
        print(json.dumps({**asdict(stats), "programs": programs, "program_bytes": program_bytes}))
        return 0
    print(f"entries            {stats.entries}")
    print(f"size               {stats.bytes / 1e6:.1f} MB of {stats.max_bytes / 1e6:.0f} MB")
    print(f"hits / misses      {stats.hits} / {stats.misses} ({stats.hit_rate:.0%} hits)")
    print(f"evictions          {stats.evictions}")
    print(f"corrupt discarded  {stats.corrupt}")
    print(f"synthesis saved    {stats.seconds_saved:.1f} s")
    print(f"programs           {programs} ({program_bytes / 1e6:.1f} MB; unused ones are swept)")
    return 0


def run_clear(args: argparse.Namespace, settings: Settings) -> int:
    removed = SegmentCache(settings.cache_dir, settings.cache_max_bytes).clear()
    print(f"removed {removed} cached segments")
    return 0


def run_warm(args: argparse.Namespace, settings: Settings) -> int:
    params = SynthesisParams(rate=args.rate)
    for name in args.files:
        program = render_text(settings, read_text(name), args.voice, params)
        fresh = sum(not s.hit for s in program.segments)
        print(f"{name}: {len(program.segments)} segments, {fresh} synthesized, {program.hash[:12]}")
    return 0
