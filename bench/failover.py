"""How long the loudspeakers go without playout when the leader dies.

Two `radio worker` processes on one PostgreSQL database (RADIO_BENCH_DATABASE_URL, by
default the local server; a database is made and dropped for the run), one long approved
program on air. Five times: the leader is killed with SIGKILL while the program plays,
and the benchmark measures from the kill until the standby leads (its /healthz says so)
and until a receiver's stream request to it (where the API's redirect sends receivers)
brings the program's audio back, decoded and loud. The killed worker is started again as
the next standby.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import miniaudio
import numpy as np

from bench.scratch import database
from bench.scratch import operator as station_operator
from bench.table import print_table
from radio import announcements as flow
from radio.access.sessions import issue
from radio.access.tokens import new_token
from radio.airtime.slots import Request, plan, schedule
from radio.models import Commune, Receiver, Zone
from radio.services import build
from radio.settings import Settings
from schedules import SystemClock

KILLS = 5
SERVER = "postgresql+psycopg://postgres@127.0.0.1/postgres"
TEXT = "Kính thưa bà con. Thôn Nà Héo họp bàn kế hoạch phòng chống lũ tại nhà văn hóa. " * 14


def run(texts: list[str]) -> dict[str, object]:
    del texts
    server = os.environ.get("RADIO_BENCH_DATABASE_URL", SERVER)
    with database(server) as url, tempfile.TemporaryDirectory() as home:
        token, watcher = _station(url, Path(home))
        env = {**os.environ, "RADIO_DATABASE_URL": url, "RADIO_DATA_DIR": home}
        workers = [_Worker(_free_port(), env, watcher), _Worker(_free_port(), env, watcher)]
        try:
            for worker in workers:
                worker.start()
            leads, back = [], []
            for _ in range(KILLS):
                lead, stream = _one_kill(workers, token)
                leads.append(lead)
                back.append(stream)
        finally:
            for worker in workers:
                worker.stop()
    return {
        "kills": KILLS,
        "leads_s": [round(x, 2) for x in leads],
        "stream_back_s": [round(x, 2) for x in back],
        "leads_median_s": round(statistics.median(leads), 2),
        "leads_worst_s": round(max(leads), 2),
        "stream_back_median_s": round(statistics.median(back), 2),
        "stream_back_worst_s": round(max(back), 2),
    }


def _one_kill(workers: list[_Worker], token: str) -> tuple[float, float]:
    _wait(lambda: any(w.leading() for w in workers), 15)
    leader = next(w for w in workers if w.leading())
    standby = next(w for w in workers if w is not leader)
    _wait(lambda: bool(leader.on_air()), 60)
    time.sleep(1.0)
    killed = time.monotonic()
    leader.kill()
    _wait(standby.leading, 15)
    lead = time.monotonic() - killed
    _loud_stream(standby.url, token)
    back = time.monotonic() - killed
    leader.start()  # the next standby
    return lead, back


def _loud_stream(base: str, token: str) -> None:
    """Until the stream brings loud audio (the resumed program)."""
    data = bytearray()
    with httpx.stream("GET", f"{base}/stream/na-heo.mp3?token={token}", timeout=15) as answer:
        for chunk in answer.iter_bytes():
            data += chunk
            if len(data) > 4000 and _loud(bytes(data)):
                return


def _loud(data: bytes) -> bool:
    decoded = miniaudio.decode(data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
    samples = np.asarray(decoded.samples, dtype=np.int16)[-2048:]
    return bool(len(samples) and np.abs(samples.astype(float)).mean() > 200)


def _station(url: str, home: Path) -> tuple[str, str]:
    """A zone, a receiver, and the long program on air from 20 s from now: the receiver's
    token, and an operator's API token (to ask a worker what is on air)."""
    services = build(Settings(home, "espeak-north-female", "", 1 << 30, url), SystemClock())
    token, digest = new_token()
    with services.sessions.begin() as db:
        operator = station_operator()
        commune = db.query(Commune).one()
        zone = Zone(slug="na-heo", name="Thôn Nà Héo", commune=commune)
        db.add_all([operator, zone, Receiver(name="Loa", zone=zone, token_hash=digest)])
        db.flush()
        draft = flow.Draft("Họp thôn", TEXT, "espeak-north-female")
        announcement = flow.create(db, operator, draft, services.speech)
        flow.submit(db, operator, announcement)
        program = services.speech.render_revision(db, announcement.current)
        heard = flow.Heard(announcement.current.number, program.hash)
        flow.approve(db, operator, announcement, program, heard)
        now = services.clock.now()
        slot = plan(announcement, [zone], Request(at=now + timedelta(seconds=20)), now)
        schedule(db, operator, slot, now, services.length)
        watcher = issue(db, operator, "api", None)
    services.close()
    return token, watcher


class _Worker:
    def __init__(self, port: int, env: dict[str, str], watcher: str) -> None:
        self.url, self.port, self.env = f"http://127.0.0.1:{port}", port, env
        self.watcher = {"Authorization": f"Bearer {watcher}"}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        radio = str(Path(sys.executable).with_name("radio"))
        self.process = subprocess.Popen(
            [radio, "worker", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self._answers, 30)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def leading(self) -> bool:
        try:
            return bool(httpx.get(f"{self.url}/healthz", timeout=1).json()["leading"])
        except httpx.HTTPError:
            return False

    def on_air(self) -> str:
        zones = httpx.get(f"{self.url}/zones", headers=self.watcher, timeout=1).json()
        return str(zones.get("na-heo", {}).get("on_air", ""))

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _wait(condition: object, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {within} s")
        time.sleep(0.05)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def report(figures: dict[str, object]) -> None:
    print(f"Playout failover on PostgreSQL: {figures['kills']} kills of the leader (SIGKILL)")
    print_table(
        ["from the kill to", "median s", "worst s", "each"],
        [
            [
                "the standby leads",
                figures["leads_median_s"],
                figures["leads_worst_s"],
                figures["leads_s"],
            ],
            [
                "the program back on its stream",
                figures["stream_back_median_s"],
                figures["stream_back_worst_s"],
                figures["stream_back_s"],
            ],
        ],
    )
