"""Mouth to loudspeaker: how long a word spoken live takes to reach a receiver.

A station in this process (SQLite, the on-air loop, the HTTP server on loopback); an
officer given the live right speaks over the WebSocket as the console does (a tenth of a
second of PCM at a time, in real time): silence with a short tone every GAP_S. A receiver
reads the zone's stream over HTTP as a loudspeaker does; each MP3 frame is timed by when
its last byte arrived. The latency of a burst is from the moment its first PCM was sent
to the arrival of the first frame in which it is heard. What the browser adds before the
WebSocket (its capture buffer and the worklet's tenth of a second) is not in it.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import miniaudio
import numpy as np
from websockets.sync.client import connect

from bench.scratch import operator
from bench.table import print_table
from playout import split_frames
from radio.access.tokens import new_token
from radio.models import Commune, Receiver, Zone
from radio.onair import OnAir
from radio.services import Services, build
from radio.settings import Settings
from radio.web.app import create_app
from radio.web.server import serving
from schedules import SystemClock
from voices.audio.format import FRAME_SECONDS, SAMPLE_RATE

BURSTS = 12
GAP_S = 1.5
BURST_S = 0.3
PASSWORD = "mat-khau-bench"


def run(texts: list[str]) -> dict[str, object]:
    del texts
    with tempfile.TemporaryDirectory() as tmp, station(Path(tmp)) as (base, token):
        latencies = _measure(base, token)
    return {"bursts": len(latencies), **figures(latencies)}


def figures(latencies: list[float]) -> dict[str, float]:
    return {
        "median_s": statistics.median(latencies),
        "worst_s": max(latencies),
        "best_s": min(latencies),
    }


@contextlib.contextmanager
def station(home: Path) -> Iterator[tuple[str, str]]:
    """A station in this process (SQLite in `home`, the on-air loop, HTTP on loopback) with
    a zone, its receiver and an operator with the live right on it: the server's address
    and the receiver's token."""
    services = build(Settings(home, "espeak-north-female", "", 1 << 30, ""), SystemClock())
    token = _seed(services)
    try:
        with serving(create_app(services, OnAir(services.scheduler))) as base:
            yield base, token
    finally:
        services.close()


def _seed(services: Services) -> str:
    token, digest = new_token()
    with services.sessions.begin() as db:
        speaker = operator(PASSWORD)
        speaker.live_zones = ["na-heo"]
        zone = Zone(slug="na-heo", name="Thôn Nà Héo", commune=db.query(Commune).one())
        db.add_all([speaker, zone, Receiver(name="Loa", zone=zone, token_hash=digest)])
    return token


def _measure(base: str, receiver: str) -> list[float]:
    got: list[tuple[float, bytes]] = []
    stop = threading.Event()
    ear = threading.Thread(target=_listen, args=(f"{base}/stream/na-heo.mp3", receiver, got, stop))
    ear.start()
    login = httpx.post(
        f"{base}/api/auth/login", json={"username": "vanhanh", "password": PASSWORD}
    ).json()
    sent = _speak(base, login["token"], login["csrf"])
    time.sleep(2.0)
    stop.set()
    ear.join()
    heard = _onsets(got)
    return [min((h for h in heard if h > s), default=float("inf")) - s for s in sent]


def _listen(url: str, token: str, got: list[tuple[float, bytes]], stop: threading.Event) -> None:
    with httpx.stream("GET", url, params={"token": token}, timeout=30) as stream:
        for chunk in stream.iter_bytes():
            got.append((time.time(), chunk))
            if stop.is_set():
                return


def _speak(base: str, session: str, csrf: str) -> list[float]:
    """Speak the pattern in real time; when each burst's first PCM was sent."""
    tenth = round(SAMPLE_RATE / 10)
    t = np.arange(round(BURST_S * SAMPLE_RATE)) / SAMPLE_RATE
    burst = (0.3 * np.sin(2 * np.pi * 330 * t) * 32767).astype("<i2")
    quiet = np.zeros(round(GAP_S * SAMPLE_RATE) - len(burst), "<i2")
    pattern = np.concatenate([np.zeros(SAMPLE_RATE * 2, "<i2"), *([burst, quiet] * BURSTS)])
    starts = {2 * SAMPLE_RATE + n * round(GAP_S * SAMPLE_RATE) for n in range(BURSTS)}
    sent: list[float] = []
    url = base.replace("http://", "ws://") + "/api/live"
    with connect(url, additional_headers={"Cookie": f"loaxa_session={session}"}) as socket:
        socket.send(json.dumps({"csrf": csrf, "zones": ["na-heo"]}))
        assert json.loads(socket.recv(timeout=10))["state"] == "on-air"
        began = time.monotonic()
        for n, at in enumerate(range(0, len(pattern), tenth)):
            time.sleep(max(0.0, began + n * 0.1 - time.monotonic()))
            if any(at <= s < at + tenth for s in starts):
                sent.append(time.time())
            socket.send(pattern[at : at + tenth].tobytes())
        socket.send("stop")
        socket.recv(timeout=30)
    return sent


def _onsets(got: list[tuple[float, bytes]]) -> list[float]:
    """When each burst was first heard: the arrival of the first loud frame after quiet."""
    data = b"".join(chunk for _, chunk in got)
    ends, arrivals, total = [], [], 0
    for at, chunk in got:
        total += len(chunk)
        ends.append(total)
        arrivals.append(at)
    frames = split_frames(data).frames
    decoded = miniaudio.decode(
        data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
    )
    samples = np.asarray(decoded.samples, dtype=np.float64) / 32768.0
    size = round(FRAME_SECONDS * SAMPLE_RATE)
    onsets, offset, quiet = [], len(data) - sum(len(f) for f in frames), 10
    for index, frame in enumerate(frames):
        offset += len(frame)
        piece = samples[index * size : (index + 1) * size]
        loud = len(piece) > 0 and float(np.sqrt(np.mean(piece**2))) > 0.05
        if loud and quiet >= 10:
            arrived = next(i for i, end in enumerate(ends) if end >= offset)
            onsets.append(arrivals[arrived])
        quiet = 0 if loud else quiet + 1
    return onsets


def report(figures: dict[str, object]) -> None:
    print(f"live speech to a receiver's decoded stream, {figures['bursts']} bursts")
    print_table(
        ["median s", "best s", "worst s"],
        [[figures["median_s"], figures["best_s"], figures["worst_s"]]],
    )
