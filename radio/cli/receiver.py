"""`radio receiver`: the reference receiver. It stands in for a hamlet's loudspeaker in
tests and the demo: pulls its zone's stream to a file and sends heartbeats."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from radio.settings import Settings

HEARTBEAT_S = 30.0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    cmd = commands.add_parser("receiver", help="pull a zone's live stream, like a loudspeaker")
    cmd.add_argument("--server", required=True, help="http://host:port of the Loa Xã server")
    cmd.add_argument("--token", required=True, help="this receiver's token")
    cmd.add_argument("--out", required=True, type=Path, help="append the MP3 stream here")
    cmd.add_argument("--seconds", type=float, help="stop after this long (default: never)")
    cmd.set_defaults(handler=run_receiver)


def run_receiver(args: argparse.Namespace, settings: Settings) -> int:
    server = args.server.rstrip("/")
    client = httpx.Client(
        base_url=server, timeout=10, headers={"Authorization": f"Bearer {args.token}"}
    )
    zone = _heartbeat(client, "starting")
    stop = threading.Event()
    if args.seconds is not None:
        threading.Timer(args.seconds, stop.set).start()
    beats = threading.Thread(target=_beat_until, args=(client, stop), daemon=True)
    beats.start()
    print(f"receiving zone {zone} into {args.out}", file=sys.stderr)
    with args.out.open("ab") as out:
        while not stop.is_set():
            try:
                with client.stream(
                    "GET", f"/stream/{zone}.mp3", timeout=httpx.Timeout(10, read=15)
                ) as response:
                    if response.status_code != 200:
                        raise ValueError(
                            f"the server refused the stream: HTTP {response.status_code}"
                        )
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        if stop.is_set():
                            break
            except httpx.HTTPError as exc:  # a flaky link: reconnect
                print(
                    f"stream interrupted ({exc.__class__.__name__}); reconnecting", file=sys.stderr
                )
                stop.wait(1.0)
    return 0


def _heartbeat(client: httpx.Client, status: str) -> str:
    sent = datetime.now(UTC)
    response = client.post("/api/receivers/heartbeat", json={"status": status})
    if response.status_code != 200:
        raise ValueError(f"the server refused this receiver: HTTP {response.status_code}")
    body = response.json()
    offset = (datetime.fromisoformat(body["server_time"]) - sent).total_seconds() * 1000
    client.post("/api/receivers/heartbeat", json={"status": status, "clock_offset_ms": offset})
    return str(body["zone"])


def _beat_until(client: httpx.Client, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        try:
            _heartbeat(client, "playing")
        except (httpx.HTTPError, ValueError):
            time.sleep(1.0)
