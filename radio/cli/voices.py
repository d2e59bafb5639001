"""`radio voices list|pull|add|remove`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from radio.cli.progress import ProgressBar
from radio.settings import Settings
from voices import Catalog, VoiceInfo


def register(commands: argparse._SubParsersAction[Any]) -> None:
    group = commands.add_parser("voices", help="list, download, add and remove voices")
    sub = group.add_subparsers(dest="voices_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", help="installed and available voices")
    listing.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    listing.add_argument(
        "--speakers", action="store_true", help="one line per speaker of multi-speaker voices"
    )
    listing.set_defaults(handler=run_list)

    pull = sub.add_parser("pull", help="download a voice from the Piper voice repository")
    pull.add_argument("id")
    pull.set_defaults(handler=run_pull)

    add = sub.add_parser("add", help="install a Piper voice from local files")
    add.add_argument("model", type=Path, help="MODEL.onnx")
    add.add_argument("--config", type=Path, help="MODEL.onnx.json (default: beside the model)")
    add.add_argument("--id", help="voice id (default: the model file name)")
    add.set_defaults(handler=run_add)

    remove = sub.add_parser("remove", help="uninstall a downloaded or added voice")
    remove.add_argument("id")
    remove.set_defaults(handler=run_remove)


def _catalog(settings: Settings) -> Catalog:
    return Catalog(settings.data_dir, settings.voices_url)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(settings)
    voices = catalog.selectable() if args.speakers else catalog.voices()
    if args.json:
        json.dump([v.to_json() for v in voices], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    rows: list[tuple[str, ...]] = [
        ("ID", "NAME", "ENGINE", "DIALECT", "GENDER", "SIZE", "STATE", "LICENCE")
    ]
    rows += [_row(v) for v in voices]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = (cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True))
        print("  ".join(cells) + "  " + row[-1])
    return 0


_USE_NOTE = {True: "", False: " [non-commercial]", None: " [commercial use unclear]"}


def _row(v: VoiceInfo) -> tuple[str, ...]:
    size = f"{v.size_bytes / 1e6:.1f} MB" if v.size_bytes else "-"
    state = "built-in" if v.source == "built-in" else ("installed" if v.installed else "available")
    speakers = f", {len(v.speakers)} speakers" if len(v.speakers) > 1 else ""
    licence = v.licence + _USE_NOTE[v.commercial_use]
    return (
        v.id,
        v.name,
        v.engine,
        v.dialect or "-",
        v.gender or "-",
        size,
        state + speakers,
        licence,
    )


def run_pull(args: argparse.Namespace, settings: Settings) -> int:
    with ProgressBar(args.id) as bar:
        _catalog(settings).pull(args.id, bar.update)
    print(f"installed {args.id}")
    return 0


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    info = _catalog(settings).add(args.model, args.config, args.id)
    print(f"installed {info.id} ({info.sample_rate} Hz, {max(1, len(info.speakers))} speaker(s))")
    return 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    _catalog(settings).remove(args.id)
    print(f"removed {args.id}")
    return 0
