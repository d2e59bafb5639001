"""Playout in its own process: `radio worker` beside the API (which redirects receivers'
stream requests to it), on the real clock, sharing the database. It is killed with
SIGKILL mid-program and restarted; an emergency made through the API reaches it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from radio.models import Airing, AiringStatus
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import LOCAL_TZ
from tests.apiclient import TEXT, approved_slot, client, setup_zone
from tests.audio_checks import loud_seconds
from tests.clirun import RADIO
from tests.test_live import VOICE_HZ, signed_in, speak
from tests.test_recordings import dominant_hz
from tests.test_relay_onair import Ear


@dataclass
class Split:
    api: str
    worker_port: int
    db_url: str
    process: subprocess.Popen[bytes] | None = None
    operator: httpx.Client | None = None

    @property
    def worker(self) -> str:
        return f"http://127.0.0.1:{self.worker_port}"

    def start_worker(self) -> None:
        env = {**os.environ, "RADIO_DATABASE_URL": self.db_url}
        self.process = subprocess.Popen(
            [RADIO, "worker", "--port", str(self.worker_port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{self.worker}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)

    def kill_worker(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def zones(self) -> dict[str, dict[str, object]]:
        """What the worker has on air, as the station's operator sees it (a console session
        is good on the worker too: one database)."""
        if self.operator is None:
            self.operator = client(self.api, "vanhanh")
        zones: dict[str, dict[str, object]] = self.operator.get(f"{self.worker}/zones").json()
        return zones


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def split(live_services: Services, db_url: str) -> Iterator[Split]:
    port = free_port()
    with serving(create_app(live_services, worker_url=f"http://127.0.0.1:{port}")) as api:
        running = Split(api, port, db_url)
        yield running
        if running.process is not None and running.process.poll() is None:
            running.process.terminate()
            running.process.wait(10)


def soon(seconds: float) -> str:
    at = datetime.now(LOCAL_TZ) + timedelta(seconds=seconds)
    return at.replace(microsecond=0).isoformat()


def wait_for(condition: object, within: float, what: str) -> float:
    """Seconds until `condition()` held."""
    start = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - start < within, what
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_worker_killed_mid_program_comes_back_resumes_and_notes_the_gap(
    split: Split, live_services: Services, tmp_path: Path
) -> None:
    token, _ = setup_zone(split.api)
    split.start_worker()
    # long enough to outlast a restart on a busy machine (the worker imports the engines)
    _, duration = approved_slot(split.api, soon(6), " ".join([TEXT] * 3))
    assert duration > 15
    out = tmp_path / "loa.mp3"
    receiver = subprocess.Popen(
        [
            *(RADIO, "receiver", "--server", split.api, "--token", token),
            *("--out", str(out), "--seconds", str(6 + duration + 10)),
        ]
    )
    wait_for(lambda: split.zones().get("na-heo", {}).get("listeners"), 15, "no listener")
    wait_for(lambda: split.zones()["na-heo"]["on_air"] == "Họp thôn", 10, "never on air")
    time.sleep(2.0)  # into the program
    split.kill_worker()
    split.start_worker()  # a supervisor would restart it
    wait_for(lambda: split.zones().get("na-heo", {}).get("on_air"), 5, "not resumed in 5 s")
    # the loudspeaker played its own copy meanwhile, then takes the stream again
    wait_for(lambda: split.zones()["na-heo"]["listeners"], duration, "the loudspeaker is lost")
    assert receiver.wait(timeout=duration + 30) == 0
    heard = loud_seconds(out.read_bytes())
    assert 2.0 <= heard <= duration  # the start, the gap, then the rest of it
    with live_services.sessions() as db:
        airing = db.query(Airing).one()
        assert airing.status == AiringStatus.AIRED
        assert airing.note is not None and "interrupted by a restart; resumed" in airing.note


def test_an_emergency_made_through_the_api_cuts_into_the_workers_stream_within_a_second(
    split: Split,
) -> None:
    token, _ = setup_zone(split.api)
    split.start_worker()
    with httpx.stream(
        "GET", f"{split.api}/stream/na-heo.mp3?token={token}", follow_redirects=True
    ) as response:
        assert response.status_code == 200 and str(response.url).startswith(split.worker)
        officer, operator = client(split.api, "canbo"), client(split.api, "vanhanh")
        alarm = officer.post(
            "/api/announcements",
            json={
                "title": "Cháy rừng",
                "text": "Thông báo khẩn! Cháy rừng.",
                "voice": "espeak-south-male",
            },
        )
        made = operator.post(
            "/api/emergency", json={"announcement_id": alarm.json()["id"], "zones": ["na-heo"]}
        )
        assert made.status_code == 201, made.text
        took = wait_for(lambda: split.zones()["na-heo"]["on_air"] == "Cháy rừng", 3, "no emergency")
        assert took < 1.0


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_playout_stops_at_once_on_sigterm_with_loudspeakers_listening(
    split: Split, command: str
) -> None:
    """A live stream never ends by itself, and uvicorn waits for every connection to close
    before it stops: a supervisor's SIGTERM (or Ctrl-C) waited forever while loudspeakers
    listened. The server hangs up on the streams first, then stops cleanly."""
    tokens = setup_zone(split.api)
    port = free_port()
    process = subprocess.Popen(
        [RADIO, command, "--port", str(port)],
        env={**os.environ, "RADIO_DATABASE_URL": split.db_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = f"{base}/healthz" if command == "worker" else f"{base}/api/health"
        wait_for(lambda: _answers(health), 30, f"radio {command} did not start")
        with contextlib.ExitStack() as streams:
            listening = [
                streams.enter_context(
                    httpx.stream("GET", f"{base}/stream/{zone}.mp3?token={token}", timeout=10)
                ).iter_raw()
                for zone, token in zip(("na-heo", "ban-cam"), tokens, strict=True)
            ]
            for stream in listening:
                assert next(stream)  # on the air
            asked = time.monotonic()
            process.send_signal(signal.SIGTERM)
            for stream in listening:
                for _ in stream:  # to the end of the stream, which must come
                    assert time.monotonic() - asked < 8, "the stream goes on after SIGTERM"
            _, log = process.communicate(timeout=15)
            took = time.monotonic() - asked
    finally:
        process.kill()
    # after a clean stop uvicorn dies of the signal it caught, as supervisors expect
    assert process.returncode == -signal.SIGTERM, log
    assert took < 5, f"stopped {took:.1f} s after SIGTERM"
    assert "Application shutdown complete" in log  # the on-air loop closed its books


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_workers_health_shows_no_titles_and_its_zones_only_to_their_operators(
    split: Split,
) -> None:
    """A supervisor asks /healthz without credentials: whether the process leads and how
    many listen. What is on air is the operators' (finding of issue 17)."""
    token, _ = setup_zone(split.api)
    officer = client(split.api, "canbo")
    alarm = officer.post(
        "/api/announcements",
        json={
            "title": "Sơ tán khẩn",
            "text": "Thông báo khẩn! Lũ quét.",
            "voice": "espeak-south-male",
        },
    )
    made = client(split.api, "vanhanh").post(
        "/api/emergency", json={"announcement_id": alarm.json()["id"], "zones": ["na-heo"]}
    )
    assert made.status_code == 201, made.text
    split.start_worker()
    wait_for(lambda: split.zones()["na-heo"]["on_air"] == "Sơ tán khẩn", 10, "never on air")
    public = httpx.get(f"{split.worker}/healthz")
    assert public.status_code == 200
    assert public.json() == {
        "leading": True,
        "zones": 1,
        "listeners": 0,
        "dropped": 0,
    }  # na-heo's channel
    assert "Sơ tán" not in public.text
    assert httpx.get(f"{split.worker}/zones").status_code == 401
    assert officer.get(f"{split.worker}/zones").status_code == 403
    assert httpx.get(f"{split.worker}/zones", params={"token": token}).status_code == 401


def test_live_speech_goes_to_the_worker_that_plays_out(split: Split) -> None:
    """The API's live page sends the microphone to the worker (the same session cookie is
    good there: one database); the worker's zone carries it."""
    token, _ = setup_zone(split.api)
    split.start_worker()
    operator = client(split.api, "vanhanh")
    operator.put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    officer, session, csrf = signed_in(split.api, "canbo")
    page = officer.get("/live").text
    target = f"ws://127.0.0.1:{split.worker_port}/api/live"
    assert f'data-url="{target}"' in page
    ear = Ear(f"{split.api}/stream/na-heo.mp3?token={token}")  # redirected to the worker
    threading.Thread(target=ear.run, daemon=True).start()
    with connect(target, additional_headers={"Cookie": f"loaxa_session={session}"}) as socket:
        socket.send(json.dumps({"csrf": csrf, "zones": ["na-heo"]}))
        assert json.loads(socket.recv(timeout=10))["state"] == "on-air"
        began = time.time()
        speak(socket, 4.0)
        socket.send("stop")
        ended = json.loads(socket.recv(timeout=30))
    time.sleep(1)
    ear.stop.set()
    assert ended["state"] == "off-air" and ended["program"]
    heard = ear.audio(began + 1.5, began + 3.5)
    assert dominant_hz(heard) == pytest.approx(VOICE_HZ, abs=3)
