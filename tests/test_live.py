"""Live speech (issue 20): an officer given the live right on a zone speaks over the
WebSocket; the loudspeakers of that zone carry it (a receiver's stream decoded), another
zone's do not, and what was said is archived with its hash on the as-run row (how live
speech ranks against programs and emergencies: tests/test_channel.py). Refusals close
the socket with the reason in both languages. Real server on loopback, real on-air
loop, a real WebSocket client."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import event, select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from radio.models import Airing, AiringStatus, AuditEvent
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.routes.live import QUIET_LINK_S
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, approved_slot
from tests.audio_checks import decode_mp3
from tests.clirun import radio
from tests.test_recordings import dominant_hz
from tests.test_relay_onair import Ear, rms_db, seconds_of_sound
from voices.audio.format import SAMPLE_RATE

VOICE_HZ = 330.0
Live = tuple[str, Services, OnAir]


@pytest.fixture
def live(services: tuple[Services, ManualClock]) -> Iterator[Live]:
    onair = OnAir(services[0].scheduler)
    with serving(create_app(services[0], onair)) as base:
        operator = signed_in(base, "vanhanh")[0]
        for slug in ("na-heo", "ban-cam"):
            operator.post("/api/zones", json={"slug": slug, "name": slug})
        yield base, services[0], onair


def signed_in(base: str, user: str) -> tuple[httpx.Client, str, str]:
    """A session: the client, its token (the cookie's value) and its CSRF token."""
    c = httpx.Client(base_url=base, timeout=60)
    answer = c.post("/api/auth/login", json={"username": user, "password": f"{user}-mat-khau"})
    assert answer.status_code == 200, answer.text
    c.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return c, answer.json()["token"], answer.json()["csrf"]


@contextlib.contextmanager
def go_live(
    base: str, user: str, zones: list[str], csrf: str | None = None
) -> Iterator[ClientConnection]:
    _, token, right = signed_in(base, user)
    with connect(
        base.replace("http://", "ws://") + "/api/live",
        additional_headers={"Cookie": f"loaxa_session={token}"},
    ) as socket:
        socket.send(json.dumps({"csrf": right if csrf is None else csrf, "zones": zones}))
        yield socket


def refused(base: str, user: str, zones: list[str], code: int, csrf: str | None = None) -> str:
    """Going live refused: the reason (in English; Vietnamese checked), the close code."""
    with go_live(base, user, zones, csrf) as socket:
        said = json.loads(socket.recv(timeout=10))["error"]
        assert said["vi"] and said["en"]
        with pytest.raises(ConnectionClosed):  # and the server closes it
            socket.recv(timeout=10)
        assert socket.close_code == code
    return str(said["en"])


def tone(seconds: float, hz: float = VOICE_HZ, level: float = 0.3) -> bytes:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()


def speak(socket: ClientConnection, seconds: float) -> None:
    """A tone as a microphone gives it: a tenth of a second at a time, in real time."""
    piece = tone(0.1)
    start = time.monotonic()
    for n in range(round(seconds * 10)):
        socket.send(piece)
        time.sleep(max(0.0, start + (n + 1) * 0.1 - time.monotonic()))


def test_only_a_user_given_the_zone_may_speak_live(live: Live) -> None:
    base = live[0]
    operator = signed_in(base, "vanhanh")[0]
    assert "speak live" in refused(base, "canbo", ["na-heo"], 4403)
    given = operator.put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    assert given.status_code == 200 and given.json() == {"zones": ["na-heo"]}
    assert "ban-cam" in refused(base, "canbo", ["ban-cam"], 4403)
    assert "CSRF" in refused(base, "canbo", ["na-heo"], 4403, csrf="x")
    assert refused(base, "canbo", [], 4400) == "choose at least one zone"
    officer = signed_in(base, "canbo")[0]
    assert officer.put("/api/users/canbo/live", json={"zones": ["ban-cam"]}).status_code == 403
    assert operator.put("/api/users/canbo/live", json={"zones": ["x"]}).status_code == 422


def test_live_speech_reaches_its_zone_only_and_is_archived_with_its_hash(live: Live) -> None:
    base, services, _ = live
    operator = signed_in(base, "vanhanh")[0]
    operator.put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    here = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()
    there = operator.post("/api/receivers", json={"name": "Loa 2", "zone": "ban-cam"}).json()
    ear = Ear(f"{base}/stream/na-heo.mp3?token={here['token']}")
    other = Ear(f"{base}/stream/ban-cam.mp3?token={there['token']}")
    for listening in (ear, other):
        threading.Thread(target=listening.run, daemon=True).start()
    time.sleep(1)
    with go_live(base, "canbo", ["na-heo"]) as socket:
        started = json.loads(socket.recv(timeout=10))
        assert started["state"] == "on-air"
        began = time.time()
        speak(socket, 5.0)
        socket.send("stop")
        ended = json.loads(socket.recv(timeout=30))
        stopped = time.time()
    time.sleep(2.5)
    ear.stop.set()
    other.stop.set()
    assert ended["state"] == "off-air" and ended["seconds"] == pytest.approx(5.0, abs=0.2)
    heard = ear.audio(began + 1.5, stopped)
    assert dominant_hz(heard) == pytest.approx(VOICE_HZ, abs=3)
    assert seconds_of_sound(ear.audio(0, time.time())) == pytest.approx(5.0, abs=0.75)
    assert rms_db(other.audio(began, stopped)) < -60  # not a zone it was spoken to
    archived = operator.get(f"/api/programs/{ended['program']}.mp3")
    assert archived.status_code == 200
    assert dominant_hz(decode_mp3(archived.content)) == pytest.approx(VOICE_HZ, abs=3)
    with services.sessions() as db:
        airing = db.scalars(
            select(Airing).where(Airing.announcement_id == started["announcement"])
        ).one()
        assert airing.program_hash == ended["program"] and airing.zone.slug == "na-heo"
        assert airing.status == AiringStatus.AIRED and airing.note == "live: canbo"
        target = f"announcement:{started['announcement']}"
        said = db.scalars(select(AuditEvent).where(AuditEvent.target == target))
        assert [(e.action, e.detail.get("program")) for e in said] == [
            ("live-start", None),
            ("live-end", ended["program"]),
        ]


def test_a_program_on_air_yields_to_live_speech_and_airs_again_after(
    live: Live, services: tuple[Services, ManualClock]
) -> None:
    base, station, onair = live
    clock = services[1]
    signed_in(base, "vanhanh")[0].put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    at = clock.now() + timedelta(minutes=1)
    ann, _ = approved_slot(base, at.isoformat(), text=TEXT + " " + TEXT)
    station.scheduler.tick()
    clock.advance(at - clock.now())
    program = on_air(station, ann)
    channel = onair.playout.channel("na-heo")
    deadline = time.monotonic() + 10
    while channel.current is None or channel.current.airing_id != program:  # playing now
        assert time.monotonic() < deadline, "the program never played"
        time.sleep(0.02)
    with go_live(base, "canbo", ["na-heo"]) as socket:
        assert json.loads(socket.recv(timeout=10))["state"] == "on-air"
        speak(socket, 2.0)
        socket.send("stop")
        assert json.loads(socket.recv(timeout=30))["state"] == "off-air"
    deadline = time.monotonic() + 60
    while (aired := _airing(station, program)).status != AiringStatus.AIRED:
        assert time.monotonic() < deadline, aired.note
        time.sleep(0.2)
    assert aired.note == "preempted by live speech; restarted after it"


def _airing(station: Services, airing_id: int) -> Airing:
    with station.sessions() as db:
        found = db.get(Airing, airing_id)
        assert found is not None
        return found


def on_air(station: Services, ann: int) -> int:
    """The announcement's airing, once the as-run log says it started."""
    deadline = time.monotonic() + 30
    while True:
        with station.sessions() as db:
            airing = db.scalars(select(Airing).where(Airing.announcement_id == ann)).one()
            if airing.started_at is not None:
                return airing.id
        assert time.monotonic() < deadline, "the program never went on air"
        time.sleep(0.1)


def test_radio_live_airs_a_file_as_speech_with_an_api_token(live: Live, tmp_path: Path) -> None:
    base = live[0]
    operator = signed_in(base, "vanhanh")[0]
    loudspeaker = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"})
    ear = Ear(f"{base}/stream/na-heo.mp3?token={loudspeaker.json()['token']}")
    threading.Thread(target=ear.run, daemon=True).start()
    officer = signed_in(base, "canbo")[0]
    token = officer.post("/api/tokens").json()["token"]
    speech = tmp_path / "speech.wav"
    with wave.open(str(speech), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(tone(3.0))
    args = ("live", "--server", base, "--token", token, "--zones", "na-heo", "--file", str(speech))
    refused = radio(*args)
    assert refused.returncode == 1 and "phát trực tiếp" in refused.stderr  # no right yet
    operator.put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    began = time.time()
    done = radio(*args)
    ear.stop.set()
    assert done.returncode == 0, done.stderr
    digest = re.search(r"recording ([0-9a-f]{64})", done.stdout)
    assert digest is not None and "on air: na-heo" in done.stdout
    assert dominant_hz(ear.audio(began + 1.5, began + 3.0)) == pytest.approx(VOICE_HZ, abs=3)
    archived = operator.get(f"/api/programs/{digest.group(1)}.mp3")
    assert decode_mp3(archived.content).duration == pytest.approx(3.0, abs=0.3)


def test_a_speaker_whose_link_goes_quiet_is_taken_off_the_air(live: Live) -> None:
    """A phone that loses its link without closing the socket: after QUIET_LINK_S with no
    audio the zones go back to their programs and what was said is archived."""
    base, services, onair = live
    signed_in(base, "vanhanh")[0].put("/api/users/canbo/live", json={"zones": ["na-heo"]})
    with go_live(base, "canbo", ["na-heo"]) as socket:
        started = json.loads(socket.recv(timeout=10))
        speak(socket, 1.0)
        quiet = time.monotonic()
        ended = json.loads(socket.recv(timeout=QUIET_LINK_S + 10))
        assert time.monotonic() - quiet == pytest.approx(QUIET_LINK_S, abs=1.5)
    assert ended["state"] == "off-air" and ended["seconds"] == pytest.approx(1.0, abs=0.15)
    channel = onair.playout.channel("na-heo")
    deadline = time.monotonic() + 5
    while channel.current is not None:  # off the air
        assert time.monotonic() < deadline, channel.current
        time.sleep(0.05)
    with services.sessions() as db:
        airing = db.scalars(
            select(Airing).where(Airing.announcement_id == started["announcement"])
        ).one()
        assert airing.program_hash == ended["program"]


def test_a_recording_that_cannot_be_archived_is_an_alert_and_the_speaker_is_told(
    live: Live,
) -> None:
    base, services, onair = live
    signed_in(base, "vanhanh")[0].put("/api/users/canbo/live", json={"zones": ["na-heo"]})

    def refuse(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO programs"):
            raise RuntimeError("injected: the disk is full")

    with go_live(base, "canbo", ["na-heo"]) as socket:
        started = json.loads(socket.recv(timeout=10))
        speak(socket, 1.0)
        event.listen(services.engine, "before_cursor_execute", refuse)
        try:
            socket.send("stop")
            ended = json.loads(socket.recv(timeout=30))
            with pytest.raises(ConnectionClosed):
                socket.recv(timeout=10)
        finally:
            event.remove(services.engine, "before_cursor_execute", refuse)
        assert socket.close_code == 1011
    assert ended["state"] == "off-air" and "disk is full" in ended["error"]["en"]
    assert ended["error"]["vi"].startswith("Không lưu được bản ghi")
    assert onair.alarms.is_open("live-not-archived", f"announcement:{started['announcement']}")
    deadline = time.monotonic() + 5
    while onair.playout.channel("na-heo").current is not None:  # off the air all the same
        assert time.monotonic() < deadline
        time.sleep(0.05)
