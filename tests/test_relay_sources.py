"""Relay sources (issue 20, tiếp sóng): an operator registers an outside station and tests
it; the test pulls ten seconds through the wheel's ffmpeg and says its codec, bitrate and
loudness, keeping the seconds (levelled as they would air) to listen to. The stations are
a real HTTP server on loopback serving MP3 and AAC made here from a known tone; a dead
address and a page that is not audio are test results, not errors. The console's relay
page does the same in Chromium."""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pyloudnorm
import pytest
from playwright.sync_api import Browser, expect

from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, client, error
from tests.audio_checks import decode_mp3
from tests.fileserver import Files, serve
from tests.test_console import PHONE, browser, shoot, sign_in  # noqa: F401 (a fixture)
from tests.test_recordings import dominant_hz
from voices.audio import ffmpeg

TONE_HZ = 440.0
AMPLITUDE = 0.1


def tone_lufs() -> float:
    """The station's loudness, measured on the tone itself (about −23.5 LUFS)."""
    t = np.arange(22050 * 10) / 22050
    return float(
        pyloudnorm.Meter(22050).integrated_loudness(AMPLITUDE * np.sin(2 * np.pi * TONE_HZ * t))
    )


def station(directory: Path, name: str, codec: list[str]) -> bytes:
    """Fifteen seconds of a station: a tone peaking at −20 dBFS, stereo at 44.1 kHz."""
    path = directory / name
    wave = f"{AMPLITUDE}*sin(2*PI*{TONE_HZ}*t)"
    tone = ["-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s=44100:d=15"]  # both channels
    command = [ffmpeg.executable(), "-v", "error", "-y", *tone, *codec, str(path)]
    subprocess.run(command, check=True)
    return path.read_bytes()


def hls(directory: Path) -> dict[str, bytes]:
    """The station as an HLS playlist of 3-second AAC segments in MPEG-TS, as the Voice of
    Vietnam publishes its channels: the playlist and its segments, by name."""
    folder = directory / "hls"
    folder.mkdir()
    segments = ["-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "3"]
    station(folder, "vov2.m3u8", [*segments, "-hls_list_size", "0"])
    return {f"hls/{path.name}": path.read_bytes() for path in folder.iterdir()}


@pytest.fixture
def stations(tmp_path: Path) -> Iterator[str]:
    files = Files(
        content={
            "vov1.mp3": station(tmp_path, "vov1.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
            "tinh.aac": station(tmp_path, "tinh.aac", ["-c:a", "aac", "-b:a", "96k"]),
            "trang.html": b"<html><body>not a station</body></html>" * 100,
            **hls(tmp_path),
        }
    )
    with serve(files) as url:
        yield url


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_operator_registers_and_tests_a_station(base: str, stations: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    error(officer.post("/api/relay-sources", json={"name": "VOV1", "url": f"{stations}/x"}), 403)
    for bad in ("file:///etc/passwd", "vov1.mp3", f"{stations}/a b"):
        refused = operator.post("/api/relay-sources", json={"name": "VOV1", "url": bad})
        assert error(refused, 422)["field"] == "url"
    made = operator.post("/api/relay-sources", json={"name": "VOV1", "url": f"{stations}/vov1.mp3"})
    assert made.status_code == 201, made.text
    tested = operator.post(f"/api/relay-sources/{made.json()['id']}/test").json()
    assert (tested["codec"], tested["bitrate_kbps"], tested["error"]) == ("mp3", 64, None)
    assert tested["loudness_lufs"] == pytest.approx(tone_lufs(), abs=1.0)
    sample = decode_mp3(officer.get(tested["sample_url"]).content)  # an officer may listen
    assert sample.duration == pytest.approx(10.0, abs=0.1)
    assert dominant_hz(sample) == pytest.approx(TONE_HZ, abs=3)
    listed = officer.get("/api/relay-sources").json()
    assert [s["name"] for s in listed] == ["VOV1"]


def test_aac_and_hls_stations_and_ones_that_cannot_be_relayed(base: str, stations: str) -> None:
    operator = client(base, "vanhanh")
    urls = {
        "tinh": f"{stations}/tinh.aac",
        "vov2": f"{stations}/hls/vov2.m3u8",
        "dead": f"http://127.0.0.1:{closed_port()}/live",
        "page": f"{stations}/trang.html",
        "gone": f"{stations}/khong-co.mp3",
    }
    found = {}
    for name, url in urls.items():
        made = operator.post("/api/relay-sources", json={"name": name, "url": url}).json()
        found[name] = operator.post(f"/api/relay-sources/{made['id']}/test").json()
    assert (found["tinh"]["codec"], found["tinh"]["error"]) == ("aac", None)
    assert found["tinh"]["loudness_lufs"] == pytest.approx(tone_lufs(), abs=1.0)
    assert (found["vov2"]["codec"], found["vov2"]["error"]) == ("aac", None)  # HLS
    assert found["vov2"]["loudness_lufs"] == pytest.approx(tone_lufs(), abs=1.0)
    for name in ("dead", "page", "gone"):
        assert found[name]["error"] and found[name]["codec"] is None, found[name]
        assert found[name]["sample_url"] is None
    assert "refused" in found["dead"]["error"].lower()
    assert "404" in found["gone"]["error"]
    gone = found["gone"]["id"]
    assert operator.delete(f"/api/relay-sources/{gone}").status_code == 204
    error(operator.post(f"/api/relay-sources/{gone}/test"), 404)
    assert httpx.get(f"{base}/api/health").status_code == 200


def test_the_relay_page_adds_a_station_and_tests_it(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    base: str,
    stations: str,
) -> None:
    operator = sign_in(browser, base, "vanhanh", PHONE)
    operator.goto(f"{base}/relay")
    operator.get_by_label("Tên").fill("VOV1")
    operator.get_by_label("Địa chỉ luồng").fill(f"{stations}/vov1.mp3")
    operator.get_by_role("button", name="Thêm").click()
    card = operator.locator("section.source")
    expect(card.locator("h2")).to_have_text("VOV1")
    expect(card.locator(".tested")).to_contain_text("Chưa thử")
    card.get_by_role("button", name="▶ Thử 10 giây").click()
    expect(card.locator(".found")).to_have_text(re.compile(r"^mp3 · 64 kb/s · -2\d\.\d LUFS$"))
    source = card.locator("audio").get_attribute("src")
    assert source and operator.request.get(f"{base}{source}").ok
    apology = {"title": "Xin lỗi, mất sóng", "text": "Xin lỗi bà con, đài đang mất sóng."}
    ann = client(base, "canbo").post(
        "/api/announcements", json={**apology, "voice": "espeak-north-female"}
    )
    client(base, "canbo").post(f"/api/announcements/{ann.json()['id']}/submit")
    approve(client(base, "chutich"), ann.json()["id"])
    operator.reload()
    card.get_by_label("Phát khi mất nguồn").select_option(label="Xin lỗi, mất sóng")
    card.get_by_role("button", name="Lưu").click()
    expect(card.get_by_label("Phát khi mất nguồn")).to_have_value(re.compile("^[0-9a-f]{64}$"))
    chosen = client(base, "vanhanh").get("/api/relay-sources").json()[0]["standby"]
    assert chosen == card.get_by_label("Phát khi mất nguồn").input_value()
    width = operator.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the relay page scrolls sideways: {width} px"
    shoot(operator, "relay")
