"""Volume: per zone with quiet hours, per receiver, full for emergencies; delivered with
heartbeats and applied by the reference receiver to the frames themselves."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from playout import FrameGain, split_frames
from radio.models import Program
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approved_slot, client, error, setup_zone
from tests.audio_checks import decode_mp3
from tests.clirun import RADIO
from voices import Pcm, encode_mp3


def rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples.astype(float) ** 2)) + 1e-9))


@pytest.mark.parametrize("volume", [100, 71, 50, 25, 10])
def test_volume_on_the_frames_matches_the_decibels(volume: int) -> None:
    t = np.arange(22050 * 2) / 22050
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    mp3 = b"".join(split_frames(encode_mp3(Pcm(tone, 22050))).frames)
    gain = FrameGain()
    gain.volume = volume
    quieter = gain.feed(mp3[:1000]) + gain.feed(mp3[1000:])  # cut anywhere: re-framed
    change = rms_db(decode_mp3(quieter).samples) - rms_db(decode_mp3(mp3).samples)
    assert change == pytest.approx(20 * np.log10(volume / 100), abs=0.8)


def beat(base: str, token: str) -> int:
    answer = httpx.post(f"{base}/api/receivers/heartbeat", json={}, params={"token": token})
    return int(answer.json()["volume"])


def test_quiet_hours_receiver_settings_and_emergencies(
    services: tuple[Services, ManualClock],
) -> None:
    with serving(create_app(services[0])) as base:
        token, _ = setup_zone(base)
        operator = client(base, "vanhanh")
        assert beat(base, token) == 100
        quiet = {"volume": 90, "quiet_from": "22:00", "quiet_until": "05:30", "quiet_volume": 30}
        assert operator.put("/api/zones/na-heo/volume", json=quiet).status_code == 200
        assert beat(base, token) == 30  # 05:00 is within the night's quiet hours
        receiver = operator.get("/api/receivers").json()[0]["id"]
        operator.put(f"/api/receivers/{receiver}/volume", json={"volume": 60})
        assert beat(base, token) == 30
        services[1].advance(timedelta(hours=1))  # 06:00
        assert beat(base, token) == 60
        operator.put(f"/api/receivers/{receiver}/volume", json={"volume": None})
        assert beat(base, token) == 90
        services[1].advance(timedelta(hours=17))  # 23:00, quiet again
        operator = client(base, "vanhanh")  # a new day's session
        alarm = (
            client(base, "canbo")
            .post(
                "/api/announcements",
                json={
                    "title": "Lũ",
                    "text": "Lũ quét. Di chuyển ngay.",
                    "voice": "espeak-south-male",
                },
            )
            .json()["id"]
        )
        made = operator.post("/api/emergency", json={"announcement_id": alarm, "zones": ["na-heo"]})
        assert made.status_code == 201, made.text
        assert beat(base, token) == 100  # an emergency is heard at full volume
        bad = {"volume": 50, "quiet_from": "22:00"}
        error(operator.put("/api/zones/na-heo/volume", json=bad), 422)
        error(operator.put("/api/zones/na-heo/volume", json={"volume": 101}), 422)
        error(client(base, "canbo").put("/api/zones/na-heo/volume", json={"volume": 5}), 403)


def test_a_volume_change_reaches_the_loudspeaker_within_one_heartbeat(
    services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    with serving(create_app(services[0], OnAir(services[0].scheduler))) as base:
        token, _ = setup_zone(base)
        _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
        out = tmp_path / "loa.mp3"
        receiver = subprocess.Popen(
            [
                *(RADIO, "receiver", "--server", base, "--token", token, "--out", str(out)),
                *("--heartbeat", "1", "--seconds", str(duration + 8)),
            ]
        )
        operator = client(base, "vanhanh")
        deadline = time.monotonic() + 20
        while operator.get("/api/receivers").json()[0]["volume"] != 100:
            assert receiver.poll() is None, "the loudspeaker stopped"
            assert time.monotonic() < deadline, "the loudspeaker never reported"
            time.sleep(0.1)
        receiver_id = operator.get("/api/receivers").json()[0]["id"]
        operator.put(f"/api/receivers/{receiver_id}/volume", json={"volume": 25})
        changed = time.monotonic()
        while operator.get("/api/receivers").json()[0]["volume"] != 25:
            assert time.monotonic() - changed < 2.5, "not applied within one heartbeat"
            time.sleep(0.1)
        services[1].advance(timedelta(minutes=10))
        assert receiver.wait(timeout=duration + 30) == 0
        with services[0].sessions() as db:
            program = Path(db.query(Program).one().mp3_path).read_bytes()
    heard, aired = decode_mp3(out.read_bytes()).samples, decode_mp3(program).samples
    loud = heard[np.abs(heard.astype(float)) > 30]
    assert rms_db(loud) - rms_db(aired[np.abs(aired.astype(float)) > 120]) == pytest.approx(
        -12.0, abs=2.0
    )
