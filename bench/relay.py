"""What relaying costs: N relays of a station on loopback (an MP3 stream at 128 kbps,
stereo 44.1 kHz, served at its own pace) for SECONDS each, every relay decoding through
its own ffmpeg, levelling and re-encoding to the broadcast format; the CPU they take, in
this process (levelling, encoding) and in their ffmpeg processes (decoding, resampling),
per relay. 100 % is one core."""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.relay_load import held
from bench.table import print_table, rows
from playout.frames import silence
from playout.live import LiveFrames
from playout.relay import Relay
from voices.audio import ffmpeg

SECONDS = 20.0
COUNTS = (1, 4, 8)
LOADS = (0, 16, 32, 64, 96)  # relays on air while another zone airs programs
KBPS = 128


def run(texts: list[str]) -> dict[str, object]:
    del texts
    with tempfile.TemporaryDirectory() as tmp:
        mp3 = _station(Path(tmp))
        server = _serve(mp3)
        try:
            port = server.server_address[1]
            out = [_relays(f"http://127.0.0.1:{port}/live", n) for n in COUNTS]
            loaded = [held(f"http://127.0.0.1:{port}/live", n) for n in LOADS]
        finally:
            server.shutdown()
    return {"relays": out, "loaded": loaded, "seconds": SECONDS, "cores": os.cpu_count()}


def _relays(url: str, count: int) -> dict[str, object]:
    lives = [LiveFrames(silence()) for _ in range(count)]
    states: list[str] = []
    relays = [Relay(url, live, lambda s, _: states.append(s)) for live in lives]
    before = _cpu()
    for relay in relays:
        relay.start()
    started = time.monotonic()
    while time.monotonic() - started < SECONDS:
        time.sleep(0.1)
        for live in lives:
            live.take(4)
    for relay in relays:
        relay.stop()
    used = _cpu() - before
    elapsed = time.monotonic() - started
    return {
        "relays": count,
        "cpu_percent": 100 * used / elapsed,
        "per_relay_percent": 100 * used / elapsed / count,
        "lost": states.count("lost"),
    }


def _cpu() -> float:
    """This process's CPU and that of its children that have ended, in seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _station(tmp: Path) -> bytes:
    path = tmp / "station.mp3"
    wave = "0.1*sin(2*PI*440*t)*(1+0.5*sin(2*PI*3*t))"
    tone = ["-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s=44100:d=60"]
    encode = ["-c:a", "libmp3lame", "-b:a", f"{KBPS}k", str(path)]
    subprocess.run([ffmpeg.executable(), "-v", "error", "-y", *tone, *encode], check=True)
    return path.read_bytes()


def _serve(mp3: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.end_headers()
            step, at = KBPS * 1000 // 8 // 4, 0
            while True:
                try:
                    self.wfile.write(mp3[at : at + step])
                except OSError:
                    return
                at = at + step if at + step < len(mp3) else 0
                time.sleep(0.25)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def report(figures: dict[str, object]) -> None:
    _report_cpu(figures)
    print("\nairtime error of programs on another zone, with that many relays on air")
    print_table(
        ["relays", "programs", "worst error ms", "median sent at ms", "lost", "filled %"],
        [
            [
                r["relays"],
                r["programs"],
                r["worst_ms"],
                r["median_sent_ms"],
                r["lost"],
                r["filled_percent"],
            ]
            for r in rows(figures, "loaded")
        ],
    )


def _report_cpu(figures: dict[str, object]) -> None:
    print(f"relays of a 128 kbps station for {figures['seconds']:.0f} s, {figures['cores']} cores")
    print_table(
        ["relays", "CPU %", "per relay %", "connections lost"],
        [
            [r["relays"], r["cpu_percent"], r["per_relay_percent"], r["lost"]]
            for r in rows(figures, "relays")
        ],
    )
