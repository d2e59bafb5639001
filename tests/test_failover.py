"""One playout leader with failover, with real processes on PostgreSQL (finding 6 of
issue 16): two `radio worker`s on one database, one leads and the other stands by; the
leader is killed with SIGKILL mid-program and the standby takes over within 5 s, resuming
the program where it would be now; receivers reach it through the API's redirect."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from radio.models import Airing, AiringStatus
from radio.onair.lease import TTL, Leadership, leader_url
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from tests.apiclient import TEXT, approved_slot, client, setup_zone
from tests.audio_checks import loud_seconds
from tests.clirun import RADIO
from tests.test_worker import free_port, soon, wait_for


@dataclass
class Worker:
    port: int
    db_url: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "RADIO_DATABASE_URL": self.db_url}
        self.process = subprocess.Popen(
            [RADIO, "worker", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, 30, "the worker did not start")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def health(self) -> dict[str, object]:
        found: dict[str, object] = httpx.get(f"{self.url}/healthz", timeout=2).json()
        return found

    def on_air(self, zone: str, watcher: httpx.Client) -> str:
        """The title on air in the zone, as the station's operator sees it."""
        zones: dict[str, dict[str, str]] = watcher.get(f"{self.url}/zones", timeout=2).json()
        return zones.get(zone, {}).get("on_air", "")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@dataclass
class Pair:
    api: str
    workers: list[Worker] = field(default_factory=list)


@pytest.fixture
def pair(live_services: Services, db_url: str) -> Iterator[Pair]:
    if db_url.startswith("sqlite"):
        pytest.skip("standby playout processes share a PostgreSQL server")
    workers = [Worker(free_port(), db_url), Worker(free_port(), db_url)]
    with serving(create_app(live_services, worker_url=workers[0].url)) as api:
        yield Pair(api, workers)
        for worker in workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.terminate()
                worker.process.wait(10)


def test_a_standby_takes_over_within_5_s_of_a_kill_and_resumes_the_program(
    pair: Pair, live_services: Services
) -> None:
    token, _ = setup_zone(pair.api)
    first, second = pair.workers
    first.start()
    wait_for(lambda: first.health()["leading"], 10, "the first worker never led")
    second.start()
    time.sleep(2)
    assert second.health()["leading"] is False  # exactly one leads
    standby = httpx.get(f"{second.url}/stream/na-heo.mp3?token={token}")
    assert standby.status_code == 307 and standby.headers["location"].startswith(first.url)

    _, duration = approved_slot(pair.api, soon(15), " ".join([TEXT] * 3))
    assert duration > 15
    operator = client(pair.api, "vanhanh")  # its session is good on the workers too
    wait_for(lambda: first.on_air("na-heo", operator) == "Họp thôn", 30, "never on air")
    assert second.on_air("na-heo", operator) == ""  # the standby plays nothing
    time.sleep(2.0)
    killed = time.monotonic()
    first.kill()
    wait_for(lambda: second.health()["leading"], 5, "the standby did not lead within 5 s")
    wait_for(
        lambda: second.on_air("na-heo", operator) == "Họp thôn",
        5 - (time.monotonic() - killed),
        "not resumed",
    )
    assert time.monotonic() - killed <= 5.0

    with httpx.stream(
        "GET", f"{pair.api}/stream/na-heo.mp3?token={token}", follow_redirects=True, timeout=10
    ) as heard:  # through the API's redirect, to the new leader
        assert str(heard.url).startswith(second.url)
        data = bytearray()
        started = time.monotonic()
        for chunk in heard.iter_bytes():
            data += chunk
            if time.monotonic() - started > 3:
                break
    assert loud_seconds(bytes(data)) > 1.5  # the program goes on, not silence

    def aired() -> bool:
        with live_services.sessions() as db:
            return db.query(Airing).one().status == AiringStatus.AIRED

    wait_for(aired, duration + 10, "the resumed program never ended")
    with live_services.sessions() as db:
        airing = db.query(Airing).one()  # one airing, aired once
        assert airing.note is not None and "resumed" in airing.note


def test_the_lease_has_one_holder_and_names_whom_it_was_taken_from(
    live_services: Services,
) -> None:
    """On SQLite as on PostgreSQL: one holder at a time; a lease released is taken
    quietly, one that expired (its holder died) is taken and says from whom."""
    first = Leadership(live_services.sessions, "http://a")
    second = Leadership(live_services.sessions, "http://b")
    assert first.hold() and not second.hold()
    assert first.hold()  # renewed
    with live_services.sessions() as db:
        assert leader_url(db) == "http://a"
    first.release()
    assert second.hold() and second.took_from == ""
    assert not first.hold()
    time.sleep(TTL.total_seconds() + 0.2)  # the second dies without releasing
    assert first.hold() and first.took_from == second.holder
    with live_services.sessions() as db:
        assert leader_url(db) == "http://a"
