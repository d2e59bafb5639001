"""The console in a real browser: Debian's Chromium driven by Playwright, against the real
app on loopback (SQLite, built-in voices, the on-air loop on a clock the test moves).

Set RADIO_SCREENSHOTS=docs/screenshots to refresh the screenshots kept in the docs."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from radio.models import Airing, AiringStatus, Priority
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, client
from tests.fileserver import Files, serve
from tests.voicerepo import entry, repository_of
from voices import Catalog

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
# Flags the machine's closed network needs (see the environment notes).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed (Debian package chromium; .ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0], OnAir(services[0].scheduler))) as url:
        operator = client(url, "vanhanh")
        for slug, name in [("na-heo", "Thôn Nà Héo"), ("ban-cam", "Thôn Bản Cám")]:
            operator.post("/api/zones", json={"slug": slug, "name": name})
        yield url


def sign_in(
    browser: Browser,
    base: str,
    user: str,
    viewport: dict[str, int] | None = None,
    permissions: tuple[str, ...] = (),
) -> Page:
    size = viewport or {"width": 1100, "height": 900}
    page = browser.new_context(viewport=size, permissions=list(permissions)).new_page()
    page.goto(f"{base}/compose")
    expect(page).to_have_url(re.compile(r"/login\?next=/compose"))
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(f"{user}-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/compose")  # back where it was going
    return page


def compose(page: Page, title: str, at: str) -> None:
    page.get_by_label("Tiêu đề").fill(title)
    page.get_by_label("Nội dung").fill(TEXT)
    page.get_by_label("Thôn Nà Héo").check()
    page.locator('input[name="at"]').fill(at)


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("RADIO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_compose_review_approve_and_the_slot_airs(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    officer = sign_in(browser, base, "canbo")
    compose(officer, "Họp thôn Nà Héo", "2026-12-01T05:10")

    officer.get_by_role("button", name="Xem cách đọc").click()
    time_span = officer.locator("#reading mark", has_text="14h00")
    expect(time_span.locator("small")).to_have_text("mười bốn giờ")
    expect(time_span).to_have_attribute("title", "giờ")  # the rule that read it, named
    expect(officer.locator("#reading mark", has_text="2/12/2026")).to_be_visible()
    officer.locator("#written").fill("Nà Héo")
    officer.locator("#spoken").fill("Nà Hẻo")
    officer.get_by_role("button", name="Lưu", exact=True).click()  # a lexicon entry on the spot
    expect(officer.locator("#reading mark.k-lexicon small")).to_have_text("Nà Hẻo")

    officer.get_by_role("button", name="Nghe thử bản tin").click()
    expect(officer.locator("#status")).to_have_text(re.compile(r"^\d+\.\d s$"), timeout=30_000)
    audio = officer.locator("#player").get_attribute("src")
    assert audio and officer.request.get(f"{base}{audio}").headers["content-type"] == "audio/mpeg"

    officer.get_by_role("button", name="Kiểm tra trùng giờ").click()
    expect(officer.locator("#clashes")).to_have_text("Không trùng giờ. Sẽ phát: 05:10 01/12")
    expect(officer.locator("#fit")).to_have_text(re.compile(r"^≈ \d+ s\. $"))
    shoot(officer, "compose")
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    expect(officer.locator("h1 .badge")).to_have_text("Chờ duyệt")

    reviewer = sign_in(browser, base, "chutich")
    reviewer.goto(f"{base}/review")
    card = reviewer.locator("section.card")
    expect(card.locator("h2")).to_have_text("Họp thôn Nà Héo")
    expect(card).to_contain_text("Soạn bởi canbo")  # who wrote it, with what, and for when
    expect(card).to_contain_text(re.compile(r"Giọng nữ miền Bắc \(eSpeak\) · 1\.0× · 0:\d\d"))
    expect(card.locator(".airs")).to_have_text("Sẽ phát: 05:10 01/12/2026 · Thôn Nà Héo")
    shoot(reviewer, "review")
    reviewer.get_by_role("button", name="Duyệt phát").click()
    expect(reviewer.get_by_text("Không có thông báo nào chờ duyệt.")).to_be_visible()

    services[1].advance(timedelta(minutes=10))  # the slot arrives
    deadline = time.monotonic() + 30
    reviewer.goto(f"{base}/asrun?start=2026-12-01&end=2026-12-01")
    while reviewer.locator("#asrun .badge.aired").count() == 0:
        assert time.monotonic() < deadline, "the airing never showed as aired"
        time.sleep(0.5)
        reviewer.reload()
    expect(reviewer.locator("#asrun tr").nth(1)).to_contain_text("Họp thôn Nà Héo")
    shoot(reviewer, "asrun")
    reviewer.goto(f"{base}/")
    shoot(reviewer, "dashboard")

    public = browser.new_context().new_page()  # no login
    public.goto(f"{base}/public")
    expect(public.locator("article h2")).to_have_text("Họp thôn Nà Héo")
    source = public.locator("article audio").get_attribute("src")
    assert source and public.request.get(f"{base}{source}").ok
    feed = public.request.get(f"{base}/public/feed.xml")
    assert "application/rss+xml" in feed.headers["content-type"]
    assert "<title>Họp thôn Nà Héo</title>" in feed.text() and "enclosure" in feed.text()


def test_a_rejected_announcement_cannot_air(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    officer = sign_in(browser, base, "canbo")
    compose(officer, "Tin chưa đúng", "2026-12-01T05:10")
    officer.get_by_role("button", name="Gửi duyệt").click()
    officer.wait_for_url(re.compile(r"/announcements/\d+$"), timeout=30_000)
    reviewer = sign_in(browser, base, "chutich")
    reviewer.goto(f"{base}/review")
    reviewer.get_by_label("Lý do").fill("Sai ngày họp")
    reviewer.get_by_role("button", name="Từ chối").click()
    expect(reviewer.get_by_text("Không có thông báo nào chờ duyệt.")).to_be_visible()
    services[1].advance(timedelta(minutes=10))
    time.sleep(3.0)  # several on-air ticks
    officer.reload()
    expect(officer.locator("h1 .badge")).to_have_text("Bị từ chối")
    expect(officer.locator(".notice.bad")).to_have_text("Lý do: Sai ngày họp")
    with services[0].sessions() as db:
        assert db.query(Airing).filter(Airing.status == AiringStatus.AIRED).count() == 0
        assert db.query(Airing).filter(Airing.started_at.is_not(None)).count() == 0


def test_forms_keep_what_was_typed_and_say_what_to_fix(browser: Browser, base: str) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.get_by_label("Tiêu đề").fill("Thiếu khu vực")
    officer.get_by_label("Nội dung").fill(TEXT)
    officer.locator('input[name="at"]').fill("2026-12-01T05:10")
    officer.get_by_role("button", name="Gửi duyệt").click()  # no zone chosen
    expect(officer.locator("#compose .error")).to_contain_text("dữ liệu không hợp lệ: zones")
    expect(officer.get_by_label("Nội dung")).to_have_value(TEXT)
    officer.get_by_label("Thôn Nà Héo").check()
    officer.locator('input[name="at"]').fill("2026-11-30T05:10")  # in the past
    officer.get_by_role("button", name="Gửi duyệt").click()
    expect(officer.locator("#compose .error")).to_have_text("giờ phát đã qua")
    expect(officer.get_by_label("Tiêu đề")).to_have_value("Thiếu khu vực")


def test_sessions_expire_and_english_is_a_switch(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.goto(f"{base}/?lang=en")
    expect(officer.locator("nav")).to_contain_text("Compose")
    officer.goto(f"{base}/announcements")
    expect(officer.locator("h1")).to_have_text("Announcements")  # remembered
    officer.goto(f"{base}/?lang=vi")
    services[1].advance(timedelta(hours=13))
    officer.goto(f"{base}/review")
    expect(officer).to_have_url(re.compile(r"/login\?next=/review&expired=1"))
    expect(officer.locator(".notice")).to_have_text(
        "Phiên đăng nhập đã hết hạn, mời đăng nhập lại."
    )


def test_an_emergency_needs_the_right_and_a_confirmation(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    officer = sign_in(browser, base, "canbo")
    officer.goto(f"{base}/emergency")
    expect(officer.locator(".notice.bad")).to_have_text("Bạn không có quyền phát khẩn cấp.")
    operator = sign_in(browser, base, "vanhanh")
    operator.goto(f"{base}/emergency")
    operator.get_by_label("Nội dung khẩn").fill(
        "Lũ quét tại thôn Nà Héo. Bà con di chuyển lên cao."
    )
    operator.get_by_label("Thôn Bản Cám").uncheck()
    operator.get_by_role("button", name="Phát khẩn cấp…").click()
    box = operator.locator("#confirm-box")
    expect(box).to_be_visible()
    expect(box.locator("li[data-zone=na-heo]")).to_have_text("Thôn Nà Héo: (im lặng)")
    expect(box.locator("li[data-zone=ban-cam]")).to_be_hidden()
    shoot(operator, "emergency")
    with services[0].sessions() as db:
        assert db.query(Airing).count() == 0  # nothing before the confirmation
    operator.get_by_role("button", name="Xác nhận phát ngay").click()
    operator.wait_for_url(f"{base}/")
    with services[0].sessions() as db:
        airing = db.query(Airing).one()
        assert airing.priority == Priority.EMERGENCY and airing.zone.slug == "na-heo"


def test_a_district_sends_a_bulletin_a_commune_schedules_it_and_the_district_sees_it(
    browser: Browser, base: str
) -> None:
    operator = client(base, "vanhanh")
    operator.post("/api/communes", json={"slug": "vi-huong", "name": "Xã Vi Hương"})
    operator.post(
        "/api/zones", json={"slug": "ban-chang", "name": "Bản Chang", "commune": "vi-huong"}
    )
    operator.post(
        "/api/users",
        json={
            "username": "cbvihuong",
            "password": "cbvihuong-mat-khau",
            "role": "officer",
            "commune": "vi-huong",
        },
    )
    district = sign_in(browser, base, "canbo")
    district.goto(f"{base}/bulletins")
    district.get_by_label("Tiêu đề").fill("Tiêm chủng mở rộng")
    district.get_by_label("Xã Vi Hương").check()
    district.get_by_label("Nội dung").fill("Trạm y tế xã tiêm chủng cho trẻ em sáng thứ Bảy.")
    district.get_by_role("button", name="Gửi", exact=True).click()
    row = district.locator("tr[data-commune=vi-huong]")
    expect(row.locator(".badge")).to_have_text("Chờ xã xếp lịch", timeout=30_000)
    shoot(district, "bulletins")

    commune = sign_in(browser, base, "cbvihuong")
    commune.goto(f"{base}/bulletins")
    expect(commune.locator(".bulletin")).to_have_count(1)
    commune.get_by_role("link", name="Lên lịch phát").click()
    expect(commune.locator(".notice")).to_contain_text("Bản tin của cấp trên")
    expect(commune.get_by_role("link", name="✎ Soạn thông báo")).to_have_count(0)  # not ours
    expect(commune.get_by_label("Bản Chang")).to_be_checked()
    expect(commune.get_by_label("Thôn Nà Héo")).to_have_count(0)  # another commune's zone
    commune.locator('#schedule-form input[name="at"]').fill("2026-12-01T18:00")
    commune.locator("#schedule-form").get_by_role("button", name="Lên lịch phát").click()
    expect(commune.locator("#schedule + ul li")).to_contain_text("18:00 01/12/2026")

    district.reload()
    expect(row.locator(".badge")).to_have_text("Đã lên lịch")
    expect(row.locator("td").nth(2)).to_have_text("18:00 01/12")
    district.goto(f"{base}/announcements")  # each commune's copy, named by its commune
    copy = district.locator("tr", has_text="Tiêm chủng mở rộng")
    expect(copy).to_contain_text("Bản tin của cấp trên")
    expect(copy.locator("td").nth(2)).to_have_text("Xã Vi Hương")


def test_an_emergency_template_is_saved_then_filled_and_aired(
    browser: Browser, base: str, services: tuple[Services, ManualClock]
) -> None:
    operator = sign_in(browser, base, "vanhanh")
    operator.goto(f"{base}/emergency")
    new = operator.locator("form", has_text="Mẫu thông báo khẩn mới")
    new.get_by_label("Tên").fill("Lũ quét")
    new.get_by_label("Nội dung").fill("Lũ quét tại {thôn} lúc {giờ}. Bà con lên chỗ cao ngay!")
    new.get_by_role("button", name="Lưu").click()
    template = operator.locator("form.template", has_text="Lũ quét")
    expect(template).to_be_visible(timeout=30_000)
    template.get_by_label("thôn", exact=True).fill("thôn Nà Héo")
    template.get_by_label("giờ", exact=True).fill("14h30")
    template.get_by_label("Thôn Bản Cám").uncheck()
    template.get_by_label("Lặp lại sau mỗi (phút)").fill("15")
    shoot(operator, "emergency-template")
    operator.once("dialog", lambda dialog: dialog.accept())
    template.get_by_role("button", name="Phát khẩn cấp").click()
    operator.wait_for_url(f"{base}/")
    with services[0].sessions() as db:
        airing = db.query(Airing).one()
        assert airing.priority == Priority.EMERGENCY and airing.zone.slug == "na-heo"
        assert airing.announcement.current.text == (
            "Lũ quét tại thôn Nà Héo lúc 14h30. Bà con lên chỗ cao ngay!"
        )
    operator.goto(f"{base}/emergency")
    repeats = operator.locator("#repeats")
    expect(repeats).to_contain_text("15 phút một lần")
    operator.once("dialog", lambda dialog: dialog.accept())
    repeats.get_by_role("button", name="Dừng lặp lại").click()
    expect(operator.locator("#repeats")).to_have_count(0)


def test_airtimes_read_as_people_say_them(base: str) -> None:
    """A recurrence on the announcement page and in the review queue: its times, its days
    (or every day) and its dates, day first."""
    officer = client(base, "canbo")
    made = officer.post(
        "/api/announcements",
        json={"title": "Tiêm phòng", "text": TEXT, "voice": "espeak-north-female"},
    ).json()["id"]
    week = {"announcement_id": made, "zones": ["na-heo"], "times": ["06:00", "17:00"]}
    dates = {"start_date": "2026-12-01", "end_date": "2026-12-07"}
    officer.post("/api/slots", json={**week, **dates, "weekdays": [0, 2, 4]}).raise_for_status()
    daily = {**week, "times": ["11:00"], "start_date": "2026-12-08", "end_date": "2026-12-10"}
    officer.post("/api/slots", json=daily).raise_for_status()
    officer.post(f"/api/announcements/{made}/submit").raise_for_status()

    def said(path: str) -> str:
        page = officer.get(path)
        assert page.status_code == 200
        return " ".join(re.sub(r"<[^>]+>", " ", page.text).split())

    assert "06:00, 17:00 · T2, T4, T6 · 01/12/2026 → 07/12/2026 · Thôn Nà Héo" in said(
        f"/announcements/{made}"
    )
    assert "11:00 · hằng ngày · 08/12/2026 → 10/12/2026 · Thôn Nà Héo" in said(
        f"/announcements/{made}"
    )
    # the list gives its next airtime: 1 December 2026 is a Tuesday, so Wednesday the 2nd
    listed = officer.get("/announcements").text
    row = re.search(rf'<tr data-announcement="{made}">.*?</tr>', listed, re.S)
    assert row and '<td class="next">06:00 02/12/2026</td>' in row.group(0)
    reviewer = client(base, "chutich")
    queue = " ".join(re.sub(r"<[^>]+>", " ", reviewer.get("/review?lang=en").text).split())
    assert "Will air: 06:00, 17:00 · Mon, Wed, Fri · 01/12/2026 → 07/12/2026" in queue
    assert "11:00 · every day · 08/12/2026 → 10/12/2026" in queue


def test_an_operator_sets_zone_and_loudspeaker_volume_and_the_loudspeaker_is_told(
    browser: Browser, base: str
) -> None:
    """The clock reads 05:00, so quiet hours 22:00–05:30 are on. The loudspeaker here
    heartbeats as the reference receiver does: it reports the level it plays at and takes
    the level in the answer."""
    operator = sign_in(browser, base, "vanhanh")
    operator.goto(f"{base}/receivers")
    expect(operator.get_by_text("chỉ hiện một lần")).to_be_hidden()
    added = operator.locator('form[data-api="POST /api/receivers"]')
    added.get_by_label("Tên").fill("Loa cổng làng")
    added.get_by_label("Khu vực").select_option(label="Thôn Nà Héo")
    added.get_by_role("button", name="Thêm").click()
    expect(operator.locator("#new-token")).not_to_be_empty()
    token = operator.locator("#new-token").inner_text()
    playing = {"volume": 100}

    def heartbeat() -> int:
        beat = httpx.post(f"{base}/api/receivers/heartbeat", params={"token": token}, json=playing)
        playing["volume"] = int(beat.json()["volume"])
        return playing["volume"]

    assert heartbeat() == 100
    operator.reload()
    row = operator.locator('tr[data-receiver="Loa cổng làng"]')
    expect(row.locator(".volume")).to_have_text("100")
    zone = operator.locator('form[data-zone="na-heo"]')
    zone.locator('input[name="volume"]').fill("80")
    zone.locator('input[name="quiet_from"]').fill("22:00")
    zone.get_by_role("button", name="Lưu").click()
    expect(zone.locator(".error")).to_contain_text("cần cả giờ bắt đầu và giờ kết thúc")
    assert heartbeat() == 100  # nothing was saved
    zone.locator('input[name="quiet_until"]').fill("05:30")
    zone.locator('input[name="quiet_volume"]').fill("30")
    zone.get_by_role("button", name="Lưu").click()
    expect(row.locator(".volume")).to_have_text("100 → 30")  # reloaded: the level to come
    assert heartbeat() == 30
    operator.reload()
    expect(row.locator(".volume")).to_have_text("100 → 30")  # heard, not yet reported
    heartbeat()
    operator.reload()
    expect(row.locator(".volume")).to_have_text("30")
    zone.locator('input[name="quiet_from"]').fill("")
    zone.locator('input[name="quiet_until"]').fill("")
    zone.get_by_role("button", name="Lưu").click()
    expect(row.locator(".volume")).to_have_text("30 → 80")
    own = row.get_by_label("Âm lượng riêng của Loa cổng làng")
    own.fill("55")
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator(".volume")).to_have_text("30 → 55")
    assert heartbeat() == 55
    own.fill("")  # back to the zone's level
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator(".volume")).to_have_text("30 → 80")
    assert heartbeat() == 80
    shoot(operator, "receivers")
    officer = sign_in(browser, base, "canbo")  # sees the levels, cannot change them
    officer.goto(f"{base}/receivers")
    expect(officer.locator('form[data-zone="na-heo"] input[name="volume"]')).to_be_disabled()
    expect(officer.get_by_label("Âm lượng riêng của Loa cổng làng")).to_have_count(0)


def test_every_page_fits_a_phone_screen(browser: Browser, base: str) -> None:
    operator = sign_in(browser, base, "vanhanh", PHONE)
    for path, name in [
        ("/compose", "phone-compose"),
        ("/", "phone-dashboard"),
        ("/review", None),
        ("/announcements", None),
        ("/asrun", None),
        ("/receivers", None),
        ("/voices", "voices"),
        ("/relay", None),
        ("/emergency", None),
        ("/bulletins", None),
        ("/admin", "admin"),
        ("/public", None),
    ]:
        operator.goto(f"{base}{path}")
        width = operator.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width} px"
        title = operator.title()  # the page's name, not a block of its content
        assert title.endswith(" · Loa Xã") and len(title) < 50, f"{path}: {title!r}"
        if name:
            shoot(operator, name)
    # the pages' links fold behind one button, so a page starts near the top of the screen
    operator.goto(f"{base}/")
    compose_link = operator.get_by_role("link", name="Soạn thông báo")
    expect(compose_link).to_be_hidden()
    assert operator.locator("main").bounding_box()["y"] < 80  # type: ignore[index]
    menu = operator.get_by_role("button", name="Trình đơn")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(operator.get_by_role("button", name="Đăng xuất")).to_be_visible()
    shoot(operator, "phone-menu")
    compose_link.click()
    operator.wait_for_url(f"{base}/compose")
    expect(operator.get_by_role("link", name="Nhật ký phát")).to_be_hidden()


def test_an_operator_pulls_a_voice_and_watches_it_arrive(
    browser: Browser,
    base: str,
    services: tuple[Services, ManualClock],
    data_dir: Path,
    standin_files: tuple[Path, Path],
) -> None:
    """Against a voice repository on loopback holding the Piper stand-in."""
    repository = repository_of(standin_files)
    with serve(Files(content=repository)) as hub:
        catalog = Catalog(data_dir, hub, {"standin": entry(repository)})
        services[0].catalog = services[0].speech.catalog = services[0].pulls.catalog = catalog
        operator = sign_in(browser, base, "vanhanh")
        operator.goto(f"{base}/voices")
        row = operator.locator("tr", has_text="Giọng thử")
        expect(row.locator(".badge")).to_have_text("Có thể tải")
        row.get_by_role("button", name="Tải về").click()
        expect(operator.locator("tr", has_text="Giọng thử").locator(".badge")).to_have_text(
            "Đã cài", timeout=30_000
        )
    assert "standin" in {v.id for v in services[0].catalog.selectable()}
