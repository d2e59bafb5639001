"""Recorded announcements in the console, in Debian's Chromium: an officer uploads a
phone's recording in Tày, or records one from the microphone (Chromium's fake device,
fed a WAV of a known tone), and it goes through review to the air and the public page
labelled with its language. What the microphone heard is decoded and measured."""

from __future__ import annotations

import re
import shutil
import threading
import time
import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import select

from radio.models import Airing
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client
from tests.audio_checks import decode_mp3
from tests.stations import TONE_HZ as STATION_HZ
from tests.stations import Station
from tests.test_console import CHROMIUM, FLAGS, PHONE, shoot, sign_in
from tests.test_recordings import TONE_HZ, dominant_hz, phone_recording
from tests.test_relay_onair import Ear


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the fake microphone hears, over and over: a 330 Hz tone, 0.3 of full scale."""
    path = tmp_path_factory.mktemp("mic") / "mic.wav"
    rate = 48000
    t = np.arange(rate * 2) / rate
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.3 * np.sin(2 * np.pi * TONE_HZ * t) * 32767).astype(np.int16).tobytes())
    return path


@pytest.fixture(scope="module")
def browser(microphone: Path) -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (Debian package chromium; .ci/run installs it)")
    fake = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + fake)
        yield launched
        launched.close()


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0], OnAir(services[0].scheduler))) as url:
        client(url, "vanhanh").post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
        yield url


def test_a_phone_recording_in_tay_is_uploaded_reviewed_aired_and_labelled(
    browser: Browser, base: str, services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.get_by_label("Bản ghi âm (tải lên hoặc ghi)").check()
    expect(officer.get_by_label("Nội dung", exact=True)).to_be_hidden()
    officer.get_by_label("Tiêu đề").fill("Thông báo tiêm chủng (tiếng Tày)")
    recording = tmp_path / "ghi-am.amr"
    recording.write_bytes(phone_recording(tmp_path, "amr"))
    officer.get_by_label("Tệp ghi âm").set_input_files(str(recording))
    officer.get_by_label("Ngôn ngữ").select_option("tyz")
    officer.get_by_label("Tóm tắt: bản ghi nói gì").fill("Tiêm chủng cho trẻ em sáng thứ Bảy")
    officer.get_by_label("Thôn Nà Héo").check()
    officer.locator('input[name="at"]').fill("2026-12-01T05:10")
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    expect(officer.locator("h1 .badge")).to_have_text("Chờ duyệt")

    reviewer = sign_in(browser, base, "chutich")
    reviewer.goto(f"{base}/review")
    card = reviewer.locator("section.card")
    expect(card).to_contain_text(re.compile(r"Bản ghi âm · Tiếng Tày · 0:0\d"))
    reviewer.get_by_role("button", name="Duyệt phát").click()
    expect(reviewer.get_by_text("Không có thông báo nào chờ duyệt.")).to_be_visible()

    services[1].advance(timedelta(minutes=10))
    public = browser.new_context().new_page()
    deadline = time.monotonic() + 30
    public.goto(f"{base}/public")
    while public.locator("article").count() == 0:
        assert time.monotonic() < deadline, "the recording never aired"
        time.sleep(0.5)
        public.reload()
    expect(public.locator("article h2")).to_have_text("Thông báo tiêm chủng (tiếng Tày)")
    expect(public.locator("article .lang")).to_have_text("Tiếng Tày · Bản ghi âm")
    expect(public.locator("article .lang")).to_have_attribute("lang", "tyz")


def test_an_officer_records_from_the_microphone_and_hears_it_back(
    browser: Browser, base: str
) -> None:
    officer = sign_in(browser, base, "canbo", PHONE, permissions=("microphone",))
    officer.get_by_label("Bản ghi âm (tải lên hoặc ghi)").check()
    officer.get_by_label("Tiêu đề").fill("Loa thôn Nà Héo")
    record = officer.locator("#record")
    record.click()
    expect(record).to_have_text("■ Dừng")
    expect(officer.locator("#record-time")).to_have_text("3 s", timeout=10_000)
    record.click()
    expect(record).to_have_text("● Ghi âm")
    expect(officer.locator("#recorded")).to_be_visible()
    officer.get_by_role("button", name="Nghe thử bản tin").click()
    expect(officer.locator("#status")).to_have_text(re.compile(r"^\d+\.\d s$"), timeout=30_000)
    audio = officer.locator("#player").get_attribute("src")
    assert audio
    pcm = decode_mp3(officer.request.get(f"{base}{audio}").body())
    assert 2.5 <= pcm.duration <= 4.5  # what was recorded, about three seconds of it
    assert dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)  # the microphone's tone
    width = officer.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the compose page scrolls sideways on a phone: {width} px"
    shoot(officer, "phone-compose-recording")


def test_an_officer_asks_for_three_airings_five_minutes_apart(browser: Browser, base: str) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.get_by_label("Tiêu đề").fill("Thông báo nộp thuế")
    officer.get_by_label("Nội dung", exact=True).fill("Bà con nộp thuế trước ngày 15/12.")
    officer.get_by_label("Thôn Nà Héo").check()
    officer.locator('input[name="at"]').fill("2026-12-01T05:10")
    officer.get_by_label("Số lần phát (lặp lại)").fill("3")
    officer.get_by_label("Nghỉ giữa các lần (phút)").fill("5")
    officer.get_by_role("button", name="Kiểm tra trùng giờ").click()
    said = officer.locator("#clashes")
    expect(said).to_have_text(re.compile(r"Sẽ phát: 05:10 01/12, 05:15 01/12, 05:2\d 01/12$"))
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    reviewer = sign_in(browser, base, "chutich")
    reviewer.goto(f"{base}/review")
    expect(reviewer.locator("section.card .airs")).to_contain_text(
        "3 lần, nghỉ 5 phút 00 giây giữa các lần"
    )


def test_a_bilingual_programme_is_put_together_from_parts(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.get_by_label("Ghép nhiều phần (văn bản, bản ghi, nhạc hiệu)").check()
    officer.get_by_label("Tiêu đề").fill("Tiêm chủng (tiếng Việt, tiếng Tày)")
    for kind in ("Khoảng nghỉ", "Văn bản đọc", "Bản ghi", "Nhạc hiệu"):
        officer.get_by_role("button", name=f"+ {kind}").click()
    parts = officer.locator("#parts > li")
    expect(parts).to_have_count(4)
    parts.nth(0).get_by_role("button", name="Chuyển xuống").click()  # the pause after the text
    parts.nth(3).get_by_role("button", name="Chuyển lên").click()  # the chime before the recording
    parts.nth(2).get_by_role("button", name="Chuyển lên").click()
    parts.nth(1).get_by_role("button", name="Chuyển lên").click()  # and first
    expect(parts.locator(".kind")).to_have_text(
        ["Nhạc hiệu", "Văn bản đọc", "Khoảng nghỉ", "Bản ghi"]
    )
    parts.nth(1).locator(".part-text").fill("Trạm y tế xã tiêm chủng cho trẻ em lúc 8 giờ.")
    recording = tmp_path / "tay.amr"
    recording.write_bytes(phone_recording(tmp_path, "amr"))
    parts.nth(3).locator(".part-file").set_input_files(str(recording))
    parts.nth(3).locator(".part-language").select_option("tyz")
    officer.get_by_role("button", name="Nghe thử bản tin").click()
    expect(officer.locator("#status")).to_have_text(re.compile(r"^\d+\.\d s$"), timeout=30_000)
    expect(parts.nth(3).locator(".part-kept")).to_be_visible()  # sent once, kept by its hash
    officer.get_by_label("Thôn Nà Héo").check()
    officer.locator('input[name="at"]').fill("2026-12-01T05:10")
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    expect(officer.locator("h1 .badge")).to_have_text("Chờ duyệt")
    revisions = officer.locator("details summary")
    expect(revisions).to_have_count(1)  # the unchanged parts were not sent again
    expect(revisions).to_contain_text("Chương trình ghép: Tiếng Việt, Tiếng Tày")


def test_an_officer_schedules_a_relay_of_a_tested_station(
    browser: Browser, base: str, station: Station
) -> None:
    operator = client(base, "vanhanh")
    url = f"http://127.0.0.1:{station.port}/vov1"
    source = operator.post("/api/relay-sources", json={"name": "VOV1", "url": url}).json()
    assert operator.post(f"/api/relay-sources/{source['id']}/test", timeout=60).status_code == 200
    officer = sign_in(browser, base, "canbo")
    officer.get_by_label("Tiếp sóng đài khác").check()
    expect(officer.locator("#voice-part")).to_be_hidden()  # no voice reads a relay
    officer.get_by_label("Tiêu đề").fill("Tiếp sóng thời sự VOV1")
    officer.get_by_label("Nguồn tiếp sóng").select_option(value=str(source["id"]))
    officer.get_by_label("Thời lượng (phút)").fill("15")
    officer.get_by_role("button", name="Nghe thử bản tin").click()
    expect(officer.locator("#status")).to_have_text("900.0 s", timeout=30_000)
    player = officer.locator("#player")  # what a reviewer hears: the source's last test
    expect(player).to_have_attribute("src", re.compile(r"/api/programs/[0-9a-f]{64}\.mp3$"))
    sample = client(base, "canbo").get(player.get_attribute("src") or "")
    assert sample.status_code == 200
    assert dominant_hz(decode_mp3(sample.content)) == pytest.approx(STATION_HZ, abs=3)
    officer.get_by_label("Thôn Nà Héo").check()
    officer.locator('input[name="at"]').fill("2026-12-01T05:30")
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    expect(officer.locator("h1 .badge")).to_have_text("Chờ duyệt")
    expect(officer.locator("details summary")).to_contain_text("Tiếp sóng · VOV1")
    shoot(officer, "compose-relay")


def test_an_officer_speaks_live_and_the_zone_hears_the_microphone(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    admin = sign_in(browser, base, "vanhanh")  # the operator gives the right, zone by zone
    admin.goto(f"{base}/admin")
    admin.get_by_text("Quyền phát trực tiếp (theo từng cụm loa)").click()
    given = admin.locator('form[data-api="PUT /api/users/canbo/live"]')
    given.get_by_label("Thôn Nà Héo").check()
    given.get_by_role("button", name="Lưu").click()
    expect(admin.locator("tr", has_text="canbo")).to_contain_text("na-heo")
    operator = client(base, "vanhanh")
    loudspeaker = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()
    ear = Ear(f"{base}/stream/na-heo.mp3?token={loudspeaker['token']}")
    threading.Thread(target=ear.run, daemon=True).start()
    officer = sign_in(browser, base, "canbo", PHONE)  # on a phone, as officers go live
    officer.get_by_role("button", name="☰ Trình đơn").click()
    officer.get_by_role("link", name="Phát trực tiếp").click()
    expect(officer.get_by_label("Thôn Nà Héo")).to_be_checked()
    width = officer.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the live page scrolls sideways: {width} px"
    officer.get_by_role("button", name="● Bắt đầu phát trực tiếp").click()
    expect(officer.locator("#countdown")).to_have_text("3")  # a countdown before the air
    indicator = officer.locator("#on-air")
    expect(indicator).to_have_text("● ĐANG PHÁT TRỰC TIẾP", timeout=15_000)
    on_air = time.time()
    expect(officer.get_by_role("button", name="● Bắt đầu phát trực tiếp")).to_be_hidden()
    expect(officer.locator("#elapsed")).to_have_text("0:04", timeout=10_000)
    assert float(officer.locator("#level").evaluate("m => m.value")) > 0.01  # it hears
    shoot(officer, "live")
    officer.get_by_role("button", name="■ Kết thúc").click()
    expect(indicator).to_have_text("Chưa phát", timeout=15_000)
    off_air = time.time()
    expect(officer.locator("#status")).to_contain_text("bản ghi đã lưu")
    time.sleep(2)
    ear.stop.set()
    heard = ear.audio(on_air + 1.5, off_air - 0.5)
    assert dominant_hz(heard) == pytest.approx(TONE_HZ, abs=3)  # the microphone's tone
    link = officer.locator("#status a")
    announcement = int((link.get_attribute("href") or "").rsplit("/", 1)[1])
    with services[0].sessions() as db:
        airing = db.scalars(select(Airing).where(Airing.announcement_id == announcement)).one()
        assert airing.program_hash is not None and airing.note == "live: canbo"
    archived = operator.get(f"/api/programs/{airing.program_hash}.mp3")
    assert dominant_hz(decode_mp3(archived.content)) == pytest.approx(TONE_HZ, abs=3)
