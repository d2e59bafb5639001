"""A real HTTP station on loopback for relay tests: an endless MP3 of a known tone, at
its own pace, that can be killed (its connections cut) and started again on its port."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from voices.audio import ffmpeg

TONE_HZ = 440.0
KBPS = 64


@dataclass
class Station:
    """An endless MP3 station that can be killed (its connections cut) and restarted."""

    mp3: bytes
    port: int = 0
    server: ThreadingHTTPServer | None = None
    alive: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        station = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.end_headers()
                step, at = KBPS * 1000 // 8 // 4, 0  # a quarter second at a time
                while station.alive.is_set():
                    piece = station.mp3[at : at + step] or station.mp3[:step]
                    at = at + step if at + step < len(station.mp3) else 0
                    try:
                        self.wfile.write(piece)
                    except OSError:
                        return
                    time.sleep(0.2)  # a little faster than real time, as servers burst

        self.alive.set()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kill(self) -> None:
        self.alive.clear()
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def running_station(tmp_path: Path, wave: str = "0.05*sin(2*PI*440*t)") -> Iterator[Station]:
    """A station on a free port, playing `wave` for 30 s and again (by default a −29 dBFS
    tone of TONE_HZ); killed after."""
    path = tmp_path / "station.mp3"
    tone = ["-f", "lavfi", "-i", f"aevalsrc={wave}:s=44100:d=30"]
    encode = ["-c:a", "libmp3lame", "-b:a", f"{KBPS}k", str(path)]
    subprocess.run([ffmpeg.executable(), "-v", "error", "-y", *tone, *encode], check=True)
    made = Station(path.read_bytes())
    made.start()
    yield made
    if made.alive.is_set():
        made.kill()
