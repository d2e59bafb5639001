"""Playout end to end: a receiver pulls its zone's live stream over HTTP on loopback and
hears the approved program at airtime, silence around it."""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from radio.models import Airing, AiringStatus, Program, Receipt
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import LOCAL_TZ, ManualClock
from tests.apiclient import approved_slot, asrun_rows, client, error, setup_zone
from tests.audio_checks import decode_mp3, loud_seconds, loud_seconds_of
from tests.clirun import RADIO
from tests.flaky import Link


@pytest.fixture
def base(services: tuple[Services, ManualClock], onair: OnAir) -> Iterator[str]:
    with serving(create_app(services[0], onair)) as url:
        yield url


class Receiver(threading.Thread):
    """Reads a stream into memory until told to stop."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.url, self.headers = url, headers or {}
        self.data = bytearray()
        self.stop = threading.Event()
        self.response_headers: dict[str, str] = {}

    def run(self) -> None:
        with httpx.stream("GET", self.url, headers=self.headers, timeout=30) as response:
            self.response_headers = dict(response.headers)
            for chunk in response.iter_bytes():
                self.data += chunk
                if self.stop.is_set():
                    return


def test_the_receiver_hears_the_program_at_airtime(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    receiver = Receiver(f"{base}/stream/na-heo.mp3?token={token}")
    receiver.start()
    time.sleep(2.0)  # silence first
    services[1].advance(timedelta(minutes=10))  # airtime
    time.sleep(duration + 3.5)
    receiver.stop.set()
    receiver.join(10)
    assert receiver.response_headers["content-type"] == "audio/mpeg"
    assert receiver.response_headers["icy-name"] == "Loa Xa - na-heo"
    heard = decode_mp3(bytes(receiver.data))
    window = 1024
    loud = np.array(
        [
            np.abs(heard.samples[i : i + window].astype(float)).mean() > 200
            for i in range(0, len(heard.samples) - window, window)
        ]
    )
    assert not loud[: int(1.5 * heard.sample_rate / window)].any()  # silence before airtime
    spoken = np.flatnonzero(loud)
    span = (spoken[-1] - spoken[0] + 1) * window / heard.sample_rate
    assert span == pytest.approx(duration, abs=0.8)  # the program, whole, once
    with services[0].sessions() as db:
        airing = db.query(Airing).one()
        assert airing.status == AiringStatus.AIRED
        assert airing.started_at is not None and airing.ended_at is not None


def test_stream_tokens_are_checked_and_scoped_to_the_zone(base: str) -> None:
    here, there = setup_zone(base)
    error(httpx.get(f"{base}/stream/na-heo.mp3"), 401)
    error(httpx.get(f"{base}/stream/na-heo.mp3?token=wrong"), 401)
    error(httpx.get(f"{base}/stream/na-heo.mp3", headers={"Authorization": f"Bearer {there}"}), 403)
    receiver = Receiver(
        f"{base}/stream/na-heo.mp3", {"Authorization": f"Bearer {here}", "Icy-MetaData": "1"}
    )
    receiver.start()
    time.sleep(1.5)
    receiver.stop.set()
    receiver.join(10)
    assert receiver.response_headers["icy-metaint"] == "8192"
    assert len(receiver.data) > 4000  # silence keeps flowing: about 6 kB a second


def test_a_revoked_receiver_is_refused(base: str) -> None:
    here, _ = setup_zone(base)
    operator = client(base, "vanhanh")
    receiver_id = operator.get("/api/receivers").json()[0]["id"]
    operator.delete(f"/api/receivers/{receiver_id}")
    error(httpx.get(f"{base}/stream/na-heo.mp3?token={here}"), 401)


def test_zones_are_isolated(base: str, services: tuple[Services, ManualClock]) -> None:
    _, other_zone = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")  # for na-heo only
    elsewhere = Receiver(f"{base}/stream/ban-cam.mp3?token={other_zone}")
    elsewhere.start()
    services[1].advance(timedelta(minutes=10))
    time.sleep(duration + 2.5)
    elsewhere.stop.set()
    elsewhere.join(10)
    assert len(elsewhere.data) > 10_000 and loud_seconds(bytes(elsewhere.data)) == 0.0


def test_an_emergency_cuts_in_within_a_second_and_the_program_restarts_after(
    base: str, services: tuple[Services, ManualClock], onair: OnAir
) -> None:
    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    operator = client(base, "vanhanh")
    alarm = (
        client(base, "canbo")
        .post(
            "/api/announcements",
            json={
                "title": "Cháy rừng",
                "text": "Thông báo khẩn! Cháy rừng.",
                "voice": "espeak-south-male",
            },
        )
        .json()["id"]
    )
    receiver = Receiver(f"{base}/stream/na-heo.mp3?token={token}")
    receiver.start()
    services[1].advance(timedelta(minutes=10))
    channel = onair.playout.channel("na-heo")
    deadline = time.monotonic() + 5
    while channel.current is None:
        assert time.monotonic() < deadline, "the program never started"
        time.sleep(0.02)
    time.sleep(1.0)  # well into the program
    made = operator.post("/api/emergency", json={"announcement_id": alarm, "zones": ["na-heo"]})
    assert made.status_code == 201
    asked = time.monotonic()
    while not (channel.current is not None and channel.current.emergency):
        assert time.monotonic() - asked < 1.0, "the emergency did not cut in within 1 s"
        time.sleep(0.01)
    deadline = time.monotonic() + duration + 15
    with services[0].sessions() as db:
        while True:
            statuses = {a.note: a.status for a in db.query(Airing).populate_existing()}
            if all(s == AiringStatus.AIRED for s in statuses.values()) and len(statuses) == 2:
                break
            assert time.monotonic() < deadline, statuses
            time.sleep(0.2)
            db.rollback()
        assert "preempted by an emergency; restarted after it" in statuses
    receiver.stop.set()
    receiver.join(10)
    assert loud_seconds(bytes(receiver.data)) > duration + 1.0  # the program, cut, then whole


def test_reference_receiver_heartbeats_and_the_as_run_log(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """With --play, through a stock player: ffmpeg (as in ffplay), writing what it
    plays to a WAV file instead of a sound card."""
    import imageio_ffmpeg

    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    out = tmp_path / "loa.wav"
    player = f"{imageio_ffmpeg.get_ffmpeg_exe()} -loglevel error -f mp3 -i pipe:0 -ac 1 {out}"
    receiver = subprocess.Popen(
        [
            *(RADIO, "receiver", "--server", base, "--token", token),
            *("--play", "--player", player, "--seconds", str(duration + 6)),
        ]
    )
    operator = client(base, "vanhanh")
    deadline = time.monotonic() + 20
    while not operator.get("/api/receivers").json()[0]["online"]:  # its first heartbeat
        assert time.monotonic() < deadline, "no heartbeat arrived"
        time.sleep(0.1)
    time.sleep(1.5)  # connected to the stream
    services[1].advance(timedelta(minutes=10))
    assert receiver.wait(timeout=duration + 30) == 0
    with wave.open(str(out)) as played:
        rate = played.getframerate()
        samples = np.frombuffer(played.readframes(played.getnframes()), dtype=np.int16)
    assert loud_seconds_of(samples, rate) == pytest.approx(duration, abs=1.0)
    listed = operator.get("/api/receivers").json()
    assert listed[0]["clock_offset_ms"] is not None and listed[0]["status"] == "starting"
    assert not listed[1]["online"]  # never reported
    assert not listed[0]["online"]  # ten minutes of server time without a heartbeat
    time.sleep(1.5)  # the last as-run events are written on the next tick
    rows = asrun_rows(operator, "2026-12-01")
    assert len(rows) == 1
    assert rows[0]["status"] == "aired" and rows[0]["receivers_at_start"] == "1"
    assert rows[0]["zone"] == "na-heo" and rows[0]["title"] == "Họp thôn"
    assert rows[0]["scheduled"] == "2026-12-01T05:10:00+07:00"


def test_a_restart_mid_program_resumes_it_and_notes_the_interruption(
    services: tuple[Services, ManualClock],
) -> None:
    first = OnAir(services[0].scheduler)
    with serving(create_app(services[0], first)) as base:
        setup_zone(base)
        _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
        services[1].advance(timedelta(minutes=10))
        deadline = time.monotonic() + 5
        while first.playout.channel("na-heo").current is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(1.5)  # the started event is in the log by the next tick
    services[1].advance(timedelta(seconds=2))  # the worker was away two seconds
    second = OnAir(services[0].scheduler)
    with serving(create_app(services[0], second)) as base:
        deadline = time.monotonic() + 3
        while second.playout.channel("na-heo").current is None:
            assert time.monotonic() < deadline, "the interrupted program did not resume"
            time.sleep(0.02)
        assert second.playout.channel("na-heo").current.position > 0  # type: ignore[union-attr]
        time.sleep(duration + 1.5)
    with services[0].sessions() as db:
        airing = db.query(Airing).one()
        assert airing.status == AiringStatus.AIRED
        assert airing.note is not None and "resumed" in airing.note


def test_a_receiver_prefetches_its_zones_programs_and_only_those(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    here, there = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T07:00:00+07:00")
    services[0].scheduler.tick()  # materialize the day's airings
    mine = httpx.get(f"{base}/api/receivers/upcoming", params={"token": here}).json()
    assert len(mine) == 1 and mine[0]["at"].startswith("2026-12-01T00:00:00")  # 07:00 local
    audio = httpx.get(f"{base}{mine[0]['url']}", headers={"Authorization": f"Bearer {here}"})
    assert decode_mp3(audio.content).duration == pytest.approx(duration, abs=0.01)
    assert hashlib.sha256(audio.content).hexdigest() == mine[0]["program"]
    assert httpx.get(f"{base}/api/receivers/upcoming", params={"token": there}).json() == []
    error(httpx.get(f"{base}{mine[0]['url']}", params={"token": there}), 404)
    error(httpx.get(f"{base}/api/receivers/upcoming", params={"token": "x"}), 401)


def test_a_stock_player_plays_the_live_stream(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """ffmpeg (the decoder inside ffplay and many players; from the imageio-ffmpeg wheel)
    reads the stream as an HTTP radio station, program and silence alike."""
    import imageio_ffmpeg

    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    services[1].advance(timedelta(minutes=10))
    out = tmp_path / "heard.wav"
    result = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            f"{base}/stream/na-heo.mp3?token={token}",
            "-t",
            str(duration + 2),
            "-ac",
            "1",
            "-ar",
            "22050",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as heard:
        samples = np.frombuffer(heard.readframes(heard.getnframes()), dtype=np.int16)
    assert len(samples) / 22050 == pytest.approx(duration + 2, abs=0.3)
    assert np.abs(samples.astype(float)).mean() > 100  # the program is in it


def test_a_receiver_cut_off_at_airtime_plays_its_own_copy_on_time_and_reports_it(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """The server's clock stands at 05:00:00; the receiver learns it from its first
    heartbeat and counts on by itself. Its link is cut before the 05:00:14 airing and
    restored after it: the program must still come out of it, whole, from the copy it
    fetched ahead, and the as-run log must hear about it once the link is back."""
    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:00:14+07:00")
    services[0].scheduler.tick()  # the airing exists and its program is rendered
    link = Link(int(base.rsplit(":", 1)[1]))
    out, cache = tmp_path / "loa.mp3", tmp_path / "copies"
    receiver = subprocess.Popen(
        [
            *(RADIO, "receiver", "--server", link.url, "--token", token),
            *("--out", str(out), "--cache", str(cache), "--seconds", str(14 + duration + 8)),
        ]
    )
    started = time.monotonic()
    operator = client(base, "vanhanh")
    while not list(cache.glob("*.mp3")):  # prefetched at start
        assert time.monotonic() - started < 10, "the program was not prefetched"
        time.sleep(0.1)
    heard_live = 0
    while time.monotonic() - started < 9:
        heard_live = out.stat().st_size if out.exists() else 0
        time.sleep(0.2)
    assert heard_live > 20_000  # the live stream (silence) was flowing
    link.cut()
    copy = (cache / next(cache.glob("*.mp3")).name).read_bytes()
    # The receiver counts airtime from the server time of its first heartbeat, which came
    # as soon as the process was up (a second or three after `started`, by the machine's
    # load): wait while cut off until its copy has played to the end of the airing (its
    # output then stands still: nothing else comes while the link is down), at most well
    # past airtime. Restored earlier, the stream would be heard inside the airing too.
    deadline, last, still_since = started + 14 + duration + 6, -1, time.monotonic()
    while time.monotonic() < deadline:
        size = out.stat().st_size
        if size != last:
            last, still_since = size, time.monotonic()
        elif size - heard_live >= len(copy) * 0.9 and time.monotonic() - still_since > 1.5:
            break
        time.sleep(0.1)
    cut_off = out.stat().st_size
    link.restore()
    assert receiver.wait(timeout=30) == 0
    link.close()
    assert cut_off - heard_live >= len(copy) * 0.9  # the copy was written while cut off
    assert loud_seconds(out.read_bytes()) == pytest.approx(duration, abs=1.0)
    rows = asrun_rows(operator, "2026-12-01")
    assert rows[0]["receipts"] == "Loa 1: local, completed, 100%"
    with services[0].sessions() as db:
        receipt = db.query(Receipt).one()
        scheduled = datetime(2026, 12, 1, 5, 0, 14, tzinfo=LOCAL_TZ)
        assert abs((receipt.started_at - scheduled).total_seconds()) < 0.3  # on time
        assert receipt.program_hash == hashlib.sha256(copy).hexdigest()


def _damage_program(services: Services) -> Path:
    services.scheduler.tick()  # materialized and rendered ahead
    with services.sessions() as db:
        airing = db.query(Airing).one()
        path = Path(db.get(Program, airing.program_hash).mp3_path)  # type: ignore[union-attr]
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # a damaged stretch of disk
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_program_file_is_rebuilt_from_the_cache_and_the_approved_audio_airs(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    path = _damage_program(services[0])
    receiver = Receiver(f"{base}/stream/na-heo.mp3?token={token}")
    receiver.start()
    services[1].advance(timedelta(minutes=10))
    time.sleep(duration + 3.0)
    receiver.stop.set()
    receiver.join(10)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem  # whole again
    assert loud_seconds(bytes(receiver.data)) == pytest.approx(duration, abs=1.0)
    with services[0].sessions() as db:
        assert db.query(Airing).one().status == AiringStatus.AIRED


def test_a_damaged_program_that_cannot_be_rebuilt_exactly_never_airs(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """With the segment cache gone too, a re-synthesis differs (eSpeak adds noise), so it
    is not the approved audio: the airing fails, loudly, and nothing is played."""
    token, _ = setup_zone(base)
    _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
    _damage_program(services[0])
    services[0].speech.renderer.cache.clear()
    receiver = Receiver(f"{base}/stream/na-heo.mp3?token={token}")
    receiver.start()
    services[1].advance(timedelta(minutes=10))
    time.sleep(duration + 2.0)
    receiver.stop.set()
    receiver.join(10)
    assert loud_seconds(bytes(receiver.data)) == 0.0
    with services[0].sessions() as db:
        airing = db.query(Airing).one()
        assert airing.status == AiringStatus.FAILED
        assert airing.note == "approved audio could not be rebuilt"


def test_receipts_from_two_loudspeakers_show_in_the_as_run_log(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """The server's clock is moved on as real time passes, so that the receivers, which
    keep time by themselves after their first heartbeat, agree with it."""
    token, _ = setup_zone(base)
    operator = client(base, "vanhanh")
    second = operator.post("/api/receivers", json={"name": "Loa 3", "zone": "na-heo"}).json()
    _, duration = approved_slot(base, "2026-12-01T05:00:12+07:00")
    services[0].scheduler.tick()  # the airing exists: both will know it is coming
    started = time.monotonic()
    receivers = [
        subprocess.Popen(
            [
                *(RADIO, "receiver", "--server", base, "--token", t),
                *("--out", str(tmp_path / f"{i}.mp3"), "--cache", str(tmp_path / f"c{i}")),
                *("--seconds", str(12 + duration + 6)),
            ]
        )
        for i, t in enumerate((token, second["token"]))
    ]
    moved = 0.0
    while (elapsed := time.monotonic() - started) < 12 + duration + 3:
        services[1].advance(timedelta(seconds=elapsed - moved))  # keep up with real time
        moved = elapsed
        time.sleep(0.1)
    for receiver in receivers:
        assert receiver.wait(timeout=30) == 0
    time.sleep(1.5)  # the as-run events of the end are written on the next tick
    row = asrun_rows(operator, "2026-12-01")[0]
    assert row["status"] == "aired"
    assert sorted(row["receipts"].split("; ")) == [
        "Loa 1: stream, completed, 100%",
        "Loa 3: stream, completed, 100%",
    ]


def test_a_receipt_for_other_audio_than_the_approved_is_flagged(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """What the server airs is checked against the approved hash before it airs (see the
    damaged-program tests); what a receiver says it played is checked when it reports."""
    token, _ = setup_zone(base)
    approved_slot(base, "2026-12-01T07:00:00+07:00")
    services[0].scheduler.tick()
    upcoming = httpx.get(f"{base}/api/receivers/upcoming", params={"token": token}).json()[0]
    report = {
        "airing_id": upcoming["airing_id"],
        "program": "0" * 64,
        "source": "local",
        "started_at": "2026-12-01T07:00:00+07:00",
        "completed": True,
        "volume": 80,
    }
    answer = httpx.post(f"{base}/api/receivers/played", json=report, params={"token": token})
    assert answer.json() == {"airing_id": upcoming["airing_id"], "matches": False}
    operator = client(base, "vanhanh")
    row = asrun_rows(operator, "2026-12-01")[0]
    assert row["receipts"] == "Loa 1: local, completed, 80%, NOT THE APPROVED AUDIO"
    assert _console_receipts(operator) == [
        "Loa 1: từ bản lưu trên loa, trọn vẹn, 80% KHÔNG PHẢI BẢN ĐÃ DUYỆT"
    ]
    report["program"] = upcoming["program"]
    answer = httpx.post(f"{base}/api/receivers/played", json=report, params={"token": token})
    assert answer.json()["matches"] is True  # a repeated report replaces the earlier one
    row = asrun_rows(operator, "2026-12-01")[0]
    assert row["receipts"] == "Loa 1: local, completed, 80%"
    assert _console_receipts(operator) == ["Loa 1: từ bản lưu trên loa, trọn vẹn, 80%"]


def _console_receipts(user: httpx.Client) -> list[str]:
    """The receipts column of the console's as-run page, as text."""
    page = user.get("/asrun", params={"start": "2026-12-01", "end": "2026-12-01"})
    assert page.status_code == 200
    found = re.findall(r'<div class="receipt">(.*?)</div>', page.text)
    return [" ".join(re.sub(r"<[^>]+>", "", f).split()) for f in found]


def test_a_loudspeaker_up_before_its_server_waits_for_it(
    services: tuple[Services, ManualClock], onair: OnAir, tmp_path: Path
) -> None:
    """After a power cut the loudspeakers often come up before the server: each keeps
    calling until the server answers, then plays, instead of giving up at once."""
    with serving(create_app(services[0])) as first:
        token, _ = setup_zone(first)
    with socket.socket() as sock:  # a port nothing listens on, for now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    receiver = subprocess.Popen(
        [
            *(RADIO, "receiver", "--server", f"http://127.0.0.1:{port}", "--token", token),
            *("--out", str(tmp_path / "loa.mp3"), "--heartbeat", "1", "--seconds", "60"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(receiver.stderr or []), daemon=True)
    reader.start()
    try:
        # Refused twice (again after 1 s, then 2 s) and still calling. Waited for by what it
        # says, not by the clock: on a loaded machine the process can take seconds to start.
        deadline = time.monotonic() + 60
        while sum("server not reachable" in line for line in said) < 2:
            assert receiver.poll() is None, f"the loudspeaker gave up: {said}"
            assert time.monotonic() < deadline, f"the loudspeaker never called: {said}"
            time.sleep(0.1)
        with serving(create_app(services[0], onair), port=port) as base:
            operator = client(base, "vanhanh")
            deadline = time.monotonic() + 20  # its next try comes within 2 s
            while not operator.get("/api/receivers").json()[0]["online"]:
                assert time.monotonic() < deadline, "the loudspeaker never came back"
                time.sleep(0.2)
            while not onair.playout.channel("na-heo").listeners:  # and it listens
                assert time.monotonic() < deadline, "the loudspeaker never took the stream"
                time.sleep(0.2)
    finally:
        receiver.kill()
        receiver.wait(10)
        reader.join(10)
    assert said[1:3] == [
        "server not reachable (ConnectError); again in 1 s\n",
        "server not reachable (ConnectError); again in 2 s\n",
    ], said
