"""`radio live`: speak live to zones from a machine's sound card (PulseAudio or PipeWire,
through the wheel's ffmpeg) or air an audio file as live speech at its own pace, over the
same WebSocket as the console (radio/web/routes/live.py), signed in with an API token."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from radio.settings import Settings
from voices.audio import ffmpeg
from voices.audio.format import SAMPLE_RATE

TENTH = SAMPLE_RATE // 10 * 2  # bytes of a tenth of a second of mono 16-bit PCM


def register(commands: argparse._SubParsersAction[Any]) -> None:
    cmd = commands.add_parser(
        "live", help="speak live to zones from this machine's microphone (or a file)"
    )
    cmd.add_argument("--server", required=True, help="http://host:port of the Loa Xã server")
    cmd.add_argument(
        "--token",
        default=os.environ.get("RADIO_TOKEN"),
        help="an API token of a user with the live right (POST /api/tokens); or RADIO_TOKEN",
    )
    cmd.add_argument("--zones", required=True, help="zone slugs, comma separated")
    source = cmd.add_mutually_exclusive_group()
    source.add_argument(
        "--device",
        default="default",
        help="the PulseAudio/PipeWire source to capture (default: the default microphone)",
    )
    source.add_argument("--file", type=Path, help="an audio file, aired at its own pace")
    cmd.add_argument("--seconds", type=float, help="end after this long (default: Ctrl-C)")
    cmd.set_defaults(handler=run_live)


def run_live(args: argparse.Namespace, settings: Settings) -> int:
    del settings
    if not args.token:
        raise ValueError("an API token is needed: --token or RADIO_TOKEN")
    if args.file is not None and not args.file.is_file():
        raise FileNotFoundError(2, "no such file", str(args.file))
    zones = [z.strip() for z in args.zones.split(",") if z.strip()]
    url = args.server.rstrip("/").replace("http://", "ws://").replace("https://", "wss://")
    headers = {"Authorization": f"Bearer {args.token}"}
    with connect(f"{url}/api/live", additional_headers=headers) as socket:
        socket.send(json.dumps({"zones": zones}))
        said = json.loads(socket.recv(timeout=30))
        if "error" in said:
            print(f"radio: {said['error']['vi']} / {said['error']['en']}", file=sys.stderr)
            return 1
        print(f"on air: {', '.join(zones)} (announcement {said['announcement']})", flush=True)
        _stream(socket, _capture(args), args.seconds)
        socket.send("stop")
        ended = json.loads(socket.recv(timeout=60))
    print(f"off air after {ended['seconds']} s; recording {ended['program']}")
    return 0


def _capture(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """ffmpeg giving mono 16-bit PCM at the broadcast rate, as it is spoken."""
    source = ["-re", "-i", str(args.file)] if args.file else ["-f", "pulse", "-i", args.device]
    out = ["-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    command = [ffmpeg.executable(), "-v", "error", "-nostdin", *source, *out]
    return subprocess.Popen(command, stdout=subprocess.PIPE)


def _stream(
    socket: ClientConnection, capture: subprocess.Popen[bytes], seconds: float | None
) -> None:
    """A tenth of a second at a time until the source ends, the time is up, or Ctrl-C."""
    ends = time.monotonic() + seconds if seconds is not None else float("inf")
    assert capture.stdout is not None
    try:
        while time.monotonic() < ends and (piece := capture.stdout.read(TENTH)):
            socket.send(piece)
    except KeyboardInterrupt:
        print("ending…", file=sys.stderr)
    finally:
        capture.kill()
        capture.wait()
