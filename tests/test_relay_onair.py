"""Relays on the air (issue 20, tiếp sóng): a relay of a source for a length of time is an
announcement like any other, reviewed, approved (bound to exactly that source and
length) and scheduled; at airtime the on-air loop pulls the source and a receiver's
stream carries it until its end, then the zone is silent again. Real HTTP station on
loopback, real on-air loop, a real receiver's stream decoded."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from radio.airtime.scheduler import HANDOVER
from radio.models import Airing, AiringStatus
from radio.onair import OnAir
from radio.retention import GRACE
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, client, error, setup_zone
from tests.audio_checks import decode_mp3
from tests.stations import TONE_HZ, Station
from tests.test_integrity import wait_for_alert
from tests.test_recordings import TONE_HZ as RECORDING_HZ
from tests.test_recordings import dominant_hz, phone_recording, upload
from voices.audio.pcm import Pcm

Live = tuple[str, Services, ManualClock, OnAir]


@pytest.fixture
def live(services: tuple[Services, ManualClock]) -> Iterator[Live]:
    onair = OnAir(services[0].scheduler)
    with serving(create_app(services[0], onair)) as base:
        yield base, services[0], services[1], onair


def relay(base: str, station: Station, seconds: int) -> tuple[int, int]:
    """A source of the station, and a relay of it approved: (announcement, source)."""
    url = f"http://127.0.0.1:{station.port}/vov1"
    source = client(base, "vanhanh").post("/api/relay-sources", json={"name": "VOV1", "url": url})
    assert source.status_code == 201, source.text
    officer = client(base, "canbo")
    body = {"title": "Tiếp sóng VOV1", "source_id": source.json()["id"], "seconds": seconds}
    made = officer.post("/api/announcements/relay", json=body)
    assert made.status_code == 201, made.text
    ann = made.json()["id"]
    assert made.json()["revision"]["source"] == "relay"
    assert officer.post(f"/api/announcements/{ann}/submit").status_code == 200
    approve(client(base, "chutich"), ann)
    return ann, source.json()["id"]


def schedule_now(live: Live, ann: int, ahead: timedelta = HANDOVER) -> None:
    """A slot a minute ahead on na-heo, then the test's clock moved to where it is handed
    to playout (HANDOVER before it), as the real clock would pass through."""
    base, station, clock, _ = live
    at = clock.now() + timedelta(minutes=1)
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": at.isoformat()}
    made = client(base, "canbo").post("/api/slots", json=slot)
    assert made.status_code == 201, made.text
    station.scheduler.tick()
    clock.advance(at - ahead - clock.now())


@dataclass
class Ear:
    """A receiver's stream, kept with the wall time each piece arrived."""

    url: str
    got: list[tuple[float, bytes]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.stream("GET", self.url, timeout=30, follow_redirects=True) as stream:
            for chunk in stream.iter_bytes():
                self.got.append((time.time(), chunk))
                if self.stop.is_set():
                    return

    def audio(self, start: float, end: float) -> Pcm:
        return decode_mp3(b"".join(d for at, d in list(self.got) if start <= at < end))


def rms_db(pcm: Pcm) -> float:
    return float(20 * np.log10(np.sqrt(np.mean((pcm.samples / 32768.0) ** 2)) + 1e-9))


def seconds_of_sound(pcm: Pcm, window_s: float = 0.25) -> float:
    step = round(window_s * pcm.sample_rate)
    windows = [pcm.samples[i : i + step] for i in range(0, len(pcm.samples) - step, step)]
    loud = [w for w in windows if rms_db(Pcm(w, pcm.sample_rate)) > -40]
    return len(loud) * window_s


def settled(station: Services, ann: int, within: float) -> Airing:
    deadline = time.monotonic() + within
    while True:
        with station.sessions() as db:
            airing = db.scalars(select(Airing).where(Airing.announcement_id == ann)).one()
            if airing.status != AiringStatus.SCHEDULED and airing.note:
                return airing
        assert time.monotonic() < deadline, f"not settled: {airing.status} {airing.note}"
        time.sleep(0.2)


def test_a_scheduled_relay_airs_the_station_until_its_end(live: Live, station: Station) -> None:
    base, services, _, _ = live
    token, _ = setup_zone(base)
    ear = Ear(f"{base}/stream/na-heo.mp3?token={token}")
    threading.Thread(target=ear.run, daemon=True).start()
    ann, _ = relay(base, station, seconds=12)
    started = time.time()
    schedule_now(live, ann)
    upcoming = httpx.get(f"{base}/api/receivers/upcoming", params={"token": token})
    assert upcoming.json() == []  # live: a receiver has nothing to fetch ahead
    try:
        airing = settled(services, ann, within=40)
        ended = time.time()
        time.sleep(2.5)  # and a little more of the zone after it
    finally:
        ear.stop.set()
    assert airing.status == AiringStatus.AIRED, airing.note
    assert airing.note == f"relayed http://127.0.0.1:{station.port}/vov1 without a break"
    everything = ear.audio(0, time.time())
    assert seconds_of_sound(everything) == pytest.approx(12, abs=1)  # its length, no more
    heard = ear.audio(started + 4, started + 10)  # well inside the relay
    assert dominant_hz(heard) == pytest.approx(TONE_HZ, abs=3)
    assert rms_db(heard) == pytest.approx(-18.0, abs=3.0)  # levelled, as a program is
    after = ear.audio(ended + 0.5, time.time())
    assert rms_db(after) < -60  # the zone silent again


def test_approval_binds_to_the_source_and_a_removed_source_does_not_air(
    live: Live, station: Station
) -> None:
    base, services, _, _ = live
    setup_zone(base)
    ann, source = relay(base, station, seconds=10)
    reviewer = client(base, "chutich")
    shown = reviewer.get(f"/api/announcements/{ann}").json()
    assert shown["approved_program"] == shown["revision"]["program"]
    other = client(base, "canbo").post(
        f"/api/announcements/{ann}/relay",
        json={"title": "Tiếp sóng VOV1", "source_id": source, "seconds": 20},
    )
    assert other.status_code == 200 and other.json()["status"] == "pending"  # back to review
    assert other.json()["revision"]["program"] != shown["revision"]["program"]
    stale = {"revision": 2, "program": shown["revision"]["program"]}
    error(reviewer.post(f"/api/announcements/{ann}/approve", json=stale), 409)
    approve(reviewer, ann)
    assert client(base, "vanhanh").delete(f"/api/relay-sources/{source}").status_code == 204
    schedule_now(live, ann, ahead=timedelta(0))  # its airtime: refused now
    airing = settled(services, ann, within=20)
    assert airing.status == AiringStatus.FAILED
    assert airing.note == "its relay source was removed: not aired"


def test_a_relay_needs_a_known_source_and_a_sane_length(live: Live, station: Station) -> None:
    base = live[0]
    officer = client(base, "canbo")
    body = {"title": "Tiếp sóng", "source_id": 999, "seconds": 60}
    assert "nguồn" in error(officer.post("/api/announcements/relay", json=body), 404)["vi"]
    url = f"http://127.0.0.1:{station.port}/vov1"
    source = client(base, "vanhanh").post("/api/relay-sources", json={"name": "VOV1", "url": url})
    for seconds in (5, 6 * 3600 + 1):
        body = {"title": "Tiếp sóng", "source_id": source.json()["id"], "seconds": seconds}
        error(officer.post("/api/announcements/relay", json=body), 422)


def test_a_source_lost_mid_relay_is_filled_alerted_logged_and_rejoined(
    live: Live, station: Station, tmp_path: Path
) -> None:
    base, services, _, onair = live
    token, _ = setup_zone(base)
    ear = Ear(f"{base}/stream/na-heo.mp3?token={token}")
    threading.Thread(target=ear.run, daemon=True).start()
    ann, source = relay(base, station, seconds=28)
    operator = client(base, "vanhanh")
    recorded = upload(client(base, "canbo"), "tay.m4a", phone_recording(tmp_path, "m4a"))
    standby = recorded.json()["revision"]["program"]
    said = operator.put(f"/api/relay-sources/{source}/standby", json={"program": standby})
    assert "đã được duyệt" in error(said, 422)["vi"]  # only approved audio goes on air
    client(base, "canbo").post(f"/api/announcements/{recorded.json()['id']}/submit")
    approve(client(base, "chutich"), recorded.json()["id"])
    said = operator.put(f"/api/relay-sources/{source}/standby", json={"program": standby})
    assert said.status_code == 200 and said.json()["standby"] == standby
    start = time.time() + HANDOVER.total_seconds()
    schedule_now(live, ann)
    try:
        time.sleep(max(0.0, start + 6 - time.time()))
        station.kill()
        killed = time.time()
        lost = wait_for_alert(base, "relay-lost")
        assert f"127.0.0.1:{station.port}" in lost["en"] and lost["vi"]
        time.sleep(max(0.0, killed + 8 - time.time()))
        station.start()  # back on the same port
        back = time.time()
        airing = settled(services, ann, within=40)
    finally:
        ear.stop.set()
    assert airing.status == AiringStatus.AIRED
    assert "source lost" in airing.note and "(ended)" in airing.note, airing.note
    outage = re.search(r"off air \+(\d+\.\d)–(\d+\.\d) s$", airing.note or "")
    assert outage is not None, airing.note  # one outage, however many retries it took
    assert float(outage.group(1)) == pytest.approx(killed - start, abs=4)  # buffers play out
    assert float(outage.group(2)) == pytest.approx(back - start, abs=5)
    assert dominant_hz(ear.audio(start + 1, killed - 0.5)) == pytest.approx(TONE_HZ, abs=3)
    # What the source had sent plays out (ffmpeg's and the live input's buffers, a few
    # seconds), then the standby (the approved Tày recording, looped) fills until it is back
    assert dominant_hz(ear.audio(killed + 5, back)) == pytest.approx(RECORDING_HZ, abs=3)
    rejoined = ear.audio(back + 5, start + 27)  # within 5 s of the source's return
    assert dominant_hz(rejoined) == pytest.approx(TONE_HZ, abs=3)
    assert rms_db(rejoined) > -25
    target = f"relay:http://127.0.0.1:{station.port}/vov1"
    assert not onair.alarms.is_open("relay-lost", target)  # resolved once it was back


def test_a_sources_test_and_standby_are_kept_by_the_store_sweep(
    live: Live, station: Station, tmp_path: Path
) -> None:
    """Found in review: a source's test, which a relay's reviewer listens to, was swept
    from the program store an hour after it was made."""
    base, services, _, onair = live
    operator = client(base, "vanhanh")
    url = f"http://127.0.0.1:{station.port}/vov1"
    source = operator.post("/api/relay-sources", json={"name": "VOV1", "url": url}).json()
    tested = operator.post(f"/api/relay-sources/{source['id']}/test", timeout=60).json()
    recorded = upload(client(base, "canbo"), "tay.m4a", phone_recording(tmp_path, "m4a")).json()
    client(base, "canbo").post(f"/api/announcements/{recorded['id']}/submit")
    approve(client(base, "chutich"), recorded["id"])
    standby = recorded["revision"]["program"]
    operator.put(f"/api/relay-sources/{source['id']}/standby", json={"program": standby})
    assert client(base, "canbo").delete(f"/api/announcements/{recorded['id']}").status_code == 204
    store = services.settings.cache_dir / "programs"
    past = time.time() - GRACE.total_seconds() - 60
    for path in store.glob("*.mp3"):
        os.utime(path, (past, past))
    onair.retention.sweep()
    assert operator.get(tested["sample_url"]).status_code == 200
    assert operator.get(f"/api/programs/{standby}.mp3").status_code == 200
