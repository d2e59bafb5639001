"""Recorded announcements (issue 20): an officer uploads what a phone or the console's
recorder made (M4A/AAC, AMR, 3GP, Opus in Ogg or WebM), in Vietnamese or a language no
voice speaks; it is decoded by the wheel's ffmpeg, trimmed of the silence at either end,
levelled to the broadcast loudness and reviewed, approved and aired by its hash like any
program. The files are made in the test by the same ffmpeg from a known signal, and what
comes back is decoded and measured. Real HTTP, real databases."""

from __future__ import annotations

import json
import subprocess
import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pyloudnorm
import pytest
from sqlalchemy import func, select

from radio.models import Airing, Announcement, Program
from radio.retention import kept
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, client, error
from tests.audio_checks import decode_mp3
from voices.audio import ffmpeg
from voices.audio.format import TARGET_LUFS
from voices.audio.pcm import Pcm

RATE = 44100
LEAD_S, SOUND_S, TAIL_S = 1.5, 3.0, 2.0  # room noise, tone bursts, room noise
TONE_HZ = 330.0  # inside AMR's narrow band
PHONE_FORMATS = {
    "m4a": ["-c:a", "aac", "-b:a", "64k"],
    "amr": ["-ar", "8000", "-c:a", "libopencore_amrnb", "-b:a", "12.2k"],
    "3gp": ["-ar", "8000", "-c:a", "libopencore_amrnb", "-b:a", "12.2k"],
    "opus": ["-c:a", "libopus", "-b:a", "32k"],
    "webm": ["-c:a", "libopus", "-b:a", "32k"],
}


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        client(url, "vanhanh").post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
        yield url


def phone_recording(directory: Path, extension: str) -> bytes:
    """What a phone records: room noise (−60 dBFS), a quiet tone in bursts, room noise."""
    rng = np.random.default_rng(7)
    t = np.arange(int(SOUND_S * RATE)) / RATE
    bursts = 0.1 * np.sin(2 * np.pi * TONE_HZ * t) * (np.sin(2 * np.pi * 1.5 * t) > -0.5)
    signal = np.concatenate([np.zeros(int(LEAD_S * RATE)), bursts, np.zeros(int(TAIL_S * RATE))])
    signal += rng.normal(0, 0.001, len(signal))
    source = directory / "source.wav"
    with wave.open(str(source), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((signal * 32767).astype(np.int16).tobytes())
    made = directory / f"recording.{extension}"
    command = [ffmpeg.executable(), "-v", "error", "-y", "-i", str(source)]
    subprocess.run([*command, *PHONE_FORMATS[extension], str(made)], check=True)
    return made.read_bytes()


def dominant_hz(pcm: Pcm) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.samples.astype(np.float64)))
    return float(np.fft.rfftfreq(len(pcm.samples), 1 / pcm.sample_rate)[np.argmax(spectrum)])


def upload(user: httpx.Client, name: str, data: bytes, **form: str) -> httpx.Response:
    fields = {"title": "Thông báo tiếng Tày", "language": "tyz", **form}
    return user.post("/api/announcements/recording", data=fields, files={"file": (name, data)})


@pytest.mark.parametrize("extension", sorted(PHONE_FORMATS))
def test_a_phone_recording_becomes_a_program_trimmed_and_levelled(
    base: str, tmp_path: Path, extension: str
) -> None:
    officer = client(base, "canbo")
    made = upload(officer, f"ghi-am.{extension}", phone_recording(tmp_path, extension))
    assert made.status_code == 201, made.text
    revision = made.json()["revision"]
    assert (revision["source"], revision["language"]) == ("recording", "tyz")
    pcm = decode_mp3(officer.get(f"/api/programs/{revision['program']}.mp3").content)
    assert pcm.sample_rate == 22050
    # the room noise at either end is gone; 0.15 s of it is kept at each end
    assert pcm.duration == pytest.approx(SOUND_S + 0.3, abs=0.15)
    assert dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)
    lufs = pyloudnorm.Meter(pcm.sample_rate).integrated_loudness(pcm.samples / 32768.0)
    assert lufs == pytest.approx(TARGET_LUFS, abs=1.0)


def _stored(services: Services) -> tuple[int, int]:
    with services.sessions() as db:
        announcements = db.scalar(select(func.count()).select_from(Announcement))
        programs = db.scalar(select(func.count()).select_from(Program))
    return int(announcements or 0), int(programs or 0)


def test_what_is_not_a_usable_recording_is_refused_and_nothing_is_stored(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    officer = client(base, "canbo")
    before = _stored(services[0])
    not_audio = upload(officer, "ghi-am.m4a", b"PK\x03\x04 this is a zip, not a recording" * 50)
    assert "M4A" in error(not_audio, 422)["en"] and error(not_audio, 422)["field"] == "file"
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(2 * RATE * 3))
    silent = error(upload(officer, "im-lang.wav", silence.read_bytes()), 422)
    assert (silent["en"], silent["vi"]) == ("the recording is silent", "bản ghi chỉ có im lặng")
    sound = phone_recording(tmp_path, "amr")
    unknown = upload(officer, "ghi-am.amr", sound, language="xx")
    assert error(unknown, 422)["field"] == "language"
    assert error(upload(officer, "ghi-am.amr", sound, title="  "), 422)["field"] == "title"
    error(upload(officer, "ghi-am.amr", sound, priority="emergency"), 403)  # no such right
    assert _stored(services[0]) == before


@pytest.fixture(scope="module")
def half_an_hour_and_more(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """31 minutes of Opus at 6 kbps: 1.4 MB that would decode to 160 MB of sound."""
    long = tmp_path_factory.mktemp("long") / "dai.opus"
    tone = ["-f", "lavfi", "-i", f"sine=f={TONE_HZ}:d={31 * 60}:r=8000"]
    command = [ffmpeg.executable(), "-v", "error", *tone, "-c:a", "libopus", "-b:a", "6k"]
    subprocess.run([*command, str(long)], check=True)
    return long.read_bytes()


def test_a_recording_over_half_an_hour_is_refused_without_decoding_it_all(
    base: str, services: tuple[Services, ManualClock], half_an_hour_and_more: bytes
) -> None:
    before = _stored(services[0])
    refused = upload(client(base, "canbo"), "dai.opus", half_an_hour_and_more)
    assert error(refused, 422)["vi"] == "bản ghi dài quá 30 phút"
    assert _stored(services[0]) == before


def test_a_recording_is_reviewed_by_its_hash_and_rerecording_asks_again(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    made = upload(officer, "ghi-am.m4a", phone_recording(tmp_path, "m4a"), summary="Họp thôn")
    ann, first = made.json()["id"], made.json()["revision"]["program"]
    preview = officer.post(f"/api/announcements/{ann}/preview").json()
    assert preview["hash"] == first  # the recording itself, never rendered from its summary
    assert officer.post(f"/api/announcements/{ann}/submit").json()["status"] == "pending"
    assert approve(reviewer, ann)["approved_program"] == first
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": "2026-12-01T05:30:00+07:00"}
    assert officer.post("/api/slots", json=slot).status_code == 201
    again = officer.post(
        f"/api/announcements/{ann}/recording",
        data={"title": "Thông báo tiếng Nùng", "language": "nut"},
        files={"file": ("lai.amr", phone_recording(tmp_path, "amr"))},
    ).json()
    assert (again["status"], again["approved_program"]) == ("pending", None)
    assert (again["revisions"], again["revision"]["language"]) == (2, "nut")
    assert again["revision"]["program"] != first
    approve(reviewer, ann)
    station, clock = services
    clock.advance(timedelta(minutes=30))
    station.scheduler.tick()
    with station.sessions() as db:
        aired = db.scalars(select(Airing.program_hash).where(Airing.announcement_id == ann))
        assert list(aired) == [again["revision"]["program"]]


def mixed(
    user: httpx.Client, url: str, parts: list[dict[str, object]], **files: bytes
) -> httpx.Response:
    form = {"title": "Tiêm chủng (Việt, Tày)", "voice": "espeak-north-female"}
    sent = [("files", (name, data)) for name, data in files.items()]
    return user.post(url, data={**form, "parts": json.dumps(parts)}, files=sent or None)


def test_a_bilingual_programme_is_mixed_reviewed_and_edited_without_sending_its_recording(
    base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    vietnamese = "Trạm y tế xã tiêm chủng cho trẻ em lúc 8 giờ sáng thứ Bảy."
    parts = [
        {"kind": "chime"},
        {"kind": "text", "text": vietnamese},
        {"kind": "pause", "seconds": 1},
        {"kind": "recording", "file": 0, "language": "tyz", "summary": "Tiêm chủng (Tày)"},
        {"kind": "chime", "rising": False},
    ]
    made = mixed(
        officer, "/api/announcements/mixed", parts, **{"tay.m4a": phone_recording(tmp_path, "m4a")}
    )
    assert made.status_code == 201, made.text
    ann, revision = made.json()["id"], made.json()["revision"]
    assert revision["source"] == "mixed" and revision["program"]  # rendered when saved
    stored = revision["parts"]
    assert [p["kind"] for p in stored] == ["chime", "text", "pause", "recording", "chime"]
    recording = stored[3]["program"]
    pcm = decode_mp3(officer.get(f"/api/programs/{revision['program']}.mp3").content)
    assert 2 * 2.24 + 1.0 + SOUND_S < pcm.duration < 2 * 2.24 + 1.0 + SOUND_S + 8
    lufs = pyloudnorm.Meter(pcm.sample_rate).integrated_loudness(pcm.samples / 32768.0)
    assert lufs == pytest.approx(TARGET_LUFS, abs=1.0)
    assert officer.post(f"/api/announcements/{ann}/submit").json()["status"] == "pending"
    assert approve(reviewer, ann)["approved_program"] == revision["program"]

    edited = [*parts[:1], {"kind": "text", "text": vietnamese.replace("8 giờ", "9 giờ")}]
    edited += [parts[2], {**parts[3], "file": None, "program": recording}, parts[4]]
    again = mixed(officer, f"/api/announcements/{ann}/mixed", edited)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "pending" and again.json()["approved_program"] is None
    assert again.json()["revision"]["parts"][3]["program"] == recording  # sent once
    assert again.json()["revision"]["program"] != revision["program"]
    with services[0].sessions() as db:  # the recording stays while the programme is made of it
        assert recording in kept(db, services[1].now())


def test_a_programme_of_recordings_and_chimes_needs_no_voice(base: str, tmp_path: Path) -> None:
    parts = [{"kind": "chime"}, {"kind": "recording", "file": 0, "language": "nut"}]
    officer = client(base, "canbo")
    form = {"title": "Tiếng Nùng", "voice": "", "parts": json.dumps(parts)}
    made = officer.post(
        "/api/announcements/mixed",
        data=form,
        files=[("files", ("nung.webm", phone_recording(tmp_path, "webm")))],
    )
    assert made.status_code == 201, made.text
    assert made.json()["revision"]["language"] == "nut"


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([{"kind": "pause", "seconds": 1}], "parts"),  # nothing to hear
        ([{"kind": "text", "text": "  "}], "parts"),
        ([{"kind": "recording", "file": 3, "language": "tyz"}], "parts"),  # no such file
        ([{"kind": "recording", "program": "0" * 64, "language": "tyz"}], "parts"),  # not ours
        ([{"kind": "recording", "file": 0, "language": "xx"}], "language"),
        ([{"kind": "song"}], "parts"),
        ([{"kind": "pause", "seconds": 60}], "parts"),
    ],
)
def test_a_programme_that_cannot_be_made_is_refused_and_nothing_is_stored(
    base: str,
    services: tuple[Services, ManualClock],
    tmp_path: Path,
    parts: list[dict[str, object]],
    field: str,
) -> None:
    before = _stored(services[0])
    refused = mixed(
        client(base, "canbo"), "/api/announcements/mixed", parts, **{"a.amr": b"x" * 100}
    )
    assert error(refused, 422)["field"] == field
    assert _stored(services[0]) == before
