"""`radio receiver`: the reference receiver (radio/receiver.py) on the command line."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from radio.settings import Settings
from receiver import FileSink, PlayerSink, ReceiverError, ReferenceReceiver, Sink


def register(commands: argparse._SubParsersAction[Any]) -> None:
    cmd = commands.add_parser("receiver", help="pull a zone's live stream, like a loudspeaker")
    cmd.add_argument("--server", required=True, help="http://host:port of the Loa Xã server")
    cmd.add_argument("--token", required=True, help="this receiver's token")
    sink = cmd.add_mutually_exclusive_group(required=True)
    sink.add_argument("--out", type=Path, help="append what it plays (MP3) to this file")
    sink.add_argument("--play", action="store_true", help="play it through an audio player")
    cmd.add_argument(
        "--player", help="the player command reading MP3 on stdin (default: mpv, ffplay, mpg123)"
    )
    cmd.add_argument(
        "--cache", type=Path, help="where prefetched programs are kept (default: in the data dir)"
    )
    cmd.add_argument("--seconds", type=float, help="stop after this long (default: never)")
    cmd.add_argument(
        "--heartbeat", type=float, default=30.0, help="seconds between heartbeats (default 30)"
    )
    cmd.set_defaults(handler=run_receiver)


def run_receiver(args: argparse.Namespace, settings: Settings) -> int:
    sink: Sink = FileSink(args.out) if args.out else PlayerSink(args.player)
    cache = args.cache or settings.data_dir / "receiver-cache"
    receiver = ReferenceReceiver(args.server, args.token, sink, cache, args.heartbeat)
    if args.seconds is not None:
        threading.Timer(args.seconds, receiver.stop.set).start()
    print(f"receiving from {args.server}", file=sys.stderr)
    try:
        receiver.run()
    except ReceiverError as exc:
        raise ValueError(str(exc)) from None
    finally:
        receiver.stop.set()
    return 0
