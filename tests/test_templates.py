"""Emergency templates: the fixed parts are synthesized when the template is saved, so
using it synthesizes only the fields; an emergency may repeat every N minutes until it is
cancelled. Real HTTP, real synthesis and cache, real scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from radio.airtime.templates import fill, parse
from radio.models import Airing, AiringStatus
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client, error, setup_zone
from tests.audio_checks import decode_mp3, loud_seconds
from voices import Catalog, Reading, Renderer

FLOOD = {
    "name": "Lũ quét",
    "text": "Thông báo khẩn: lũ quét tại thôn {thôn} lúc {giờ}. "
    "Bà con thôn {thôn} di chuyển ngay lên chỗ cao!",
    "voice": "espeak-north-female",
}


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        setup_zone(url)
        yield url


def test_fields_are_parsed_with_the_punctuation_that_follows_them() -> None:
    parsed = parse(FLOOD["text"])
    assert parsed.fields == ("thôn", "giờ")
    assert parsed.fixed == ("Thông báo khẩn: lũ quét tại", "Bà con", "di chuyển ngay lên chỗ cao!")
    # each field is read with the word before it: "ngày {ngày}" is not "ngày ngày …"
    assert fill(parse("Bão đổ bộ ngày {ngày}."), {"ngày": "12/9"}) == ["Bão đổ bộ", "ngày 12/9."]
    assert fill(parse("Khẩn: {việc}"), {"việc": "sơ tán"}) == ["Khẩn:", "sơ tán"]


def test_only_the_fields_are_synthesized_when_a_template_is_used(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    operator = client(base, "vanhanh")
    saved = operator.post("/api/templates", json=FLOOD)
    assert saved.status_code == 201, saved.text
    assert saved.json()["fields"] == ["thôn", "giờ"]
    assert saved.json()["synthesized"] >= 3  # the fixed parts, now rather than in an emergency
    template = saved.json()["id"]
    assert [t["name"] for t in operator.get("/api/templates").json()] == ["Lũ quét"]
    use = {"fields": {"thôn": "Nà Héo", "giờ": "14h30"}, "zones": ["na-heo"]}
    used = operator.post(f"/api/templates/{template}/emergency", json=use)
    assert used.status_code == 201, used.text
    # "thôn Nà Héo" (twice: synthesized once) and "lúc 14h30."
    assert used.json()["segments_synthesized"] == 2
    again = {"fields": {"thôn": "Bản Cám", "giờ": "14h30"}, "zones": ["ban-cam"]}
    assert (
        operator.post(f"/api/templates/{template}/emergency", json=again).json()[
            "segments_synthesized"
        ]
        == 1
    )
    audio = operator.get(used.json()["program"]["audio_url"]).content
    program = decode_mp3(audio)
    assert loud_seconds(audio) > 3.0 and program.duration > 5.0
    announcement = operator.get(f"/api/announcements/{used.json()['announcement_id']}").json()
    assert announcement["status"] == "approved" and announcement["priority"] == "emergency"
    assert announcement["revision"]["text"] == (
        "Thông báo khẩn: lũ quét tại thôn Nà Héo lúc 14h30. "
        "Bà con thôn Nà Héo di chuyển ngay lên chỗ cao!"
    )
    due = services[0].scheduler.tick().due  # cut in at once, no review
    with services[0].sessions() as db:
        zones = {db.get(Airing, i).zone.slug for i in due}  # type: ignore[union-attr]
    assert zones == {"na-heo", "ban-cam"}


def test_bad_templates_and_fills_are_refused_in_both_languages(base: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    for text in ["Lũ quét tại thôn {thôn", "Không có trường nào.", "Lũ tại {}"]:
        assert error(operator.post("/api/templates", json={**FLOOD, "text": text}), 422)
    error(operator.post("/api/templates", json={**FLOOD, "voice": "khong-co"}), 422)
    template = operator.post("/api/templates", json=FLOOD).json()["id"]
    missing = operator.post(
        f"/api/templates/{template}/emergency",
        json={"fields": {"thôn": "Nà Héo"}, "zones": ["na-heo"]},
    )
    assert "giờ" in error(missing, 422)["vi"]
    fill = {"fields": {"thôn": "Nà Héo", "giờ": "9h"}, "zones": ["na-heo"]}
    error(officer.post(f"/api/templates/{template}/emergency", json=fill), 403)  # no right
    error(operator.post("/api/templates/999/emergency", json=fill), 404)
    assert operator.get("/api/emergency/repeats").json() == []


def test_an_emergency_repeats_every_n_minutes_until_cancelled(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    operator = client(base, "vanhanh")
    template = operator.post("/api/templates", json=FLOOD).json()["id"]
    use = {"fields": {"thôn": "Nà Héo", "giờ": "5h"}, "zones": ["na-heo"], "repeat_minutes": 10}
    used = operator.post(f"/api/templates/{template}/emergency", json=use).json()
    scheduler, clock = services[0].scheduler, services[1]
    scheduler.tick()

    def airings() -> list[tuple[str, AiringStatus]]:
        with services[0].sessions() as db:
            found = db.scalars(
                select(Airing)
                .where(Airing.announcement_id == used["announcement_id"])
                .order_by(Airing.scheduled_at)
            )
            return [(a.scheduled_at.strftime("%H:%M"), a.status) for a in found]

    assert [t for t, _ in airings()] == ["22:00"]  # 05:00 in Hà Nội is 22:00 UTC
    repeats = operator.get("/api/emergency/repeats").json()
    assert [(r["id"], r["every_minutes"]) for r in repeats] == [(used["repeat"], 10)]
    clock.advance(timedelta(minutes=10))
    scheduler.tick()
    clock.advance(timedelta(minutes=10))
    scheduler.tick()
    assert [t for t, _ in airings()] == ["22:00", "22:10", "22:20"]
    assert airings()[-1][1] == AiringStatus.SCHEDULED  # due, not yet played (no playout here)
    error(client(base, "canbo").post(f"/api/emergency/repeats/{used['repeat']}/cancel"), 403)
    cancelled = operator.post(f"/api/emergency/repeats/{used['repeat']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert airings()[-1][1] == AiringStatus.CANCELLED  # the one waiting is called off
    clock.advance(timedelta(hours=1))
    scheduler.tick()
    assert len(airings()) == 3
    assert operator.get("/api/emergency/repeats").json() == []


def test_a_templates_fixed_parts_stay_in_a_full_cache_until_it_is_deleted(
    tmp_path: Path,
) -> None:
    """A cache a tenth the size of what goes through it: the template's parts are never
    evicted, so months later it still synthesizes only its fields."""
    catalog = Catalog(tmp_path)
    reading = Reading.of(catalog, "espeak-north-female")
    renderer = Renderer.at(tmp_path / "cache", 400_000)
    parsed = parse(FLOOD["text"])
    texts = [f"Thông báo số {i}: thôn {i} họp lúc {i % 24} giờ." for i in range(40)]
    renderer.warm(list(parsed.fixed), reading, keep_for="template:1")
    for text in texts:  # far more than the cache holds
        renderer.render(text, reading)
    stats = renderer.cache.stats()
    assert stats.evictions > 0 and stats.bytes < 600_000
    filled = fill(parsed, {"thôn": "Nà Héo", "giờ": "14h30"})
    program = renderer.render_parts(filled, reading)
    assert [s.text for s in program.segments if not s.hit] == [
        "thôn Nà Héo",
        "lúc mười bốn giờ ba mươi phút.",
    ]
    renderer.cache.release("template:1")  # deleted: its parts age like the rest
    for text in texts:
        renderer.render(text + " Hết.", reading)
    again = renderer.render_parts(fill(parsed, {"thôn": "Bản Cám", "giờ": "5h"}), reading)
    assert sum(not s.hit for s in again.segments) > 2  # fixed parts were evicted this time
