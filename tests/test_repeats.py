"""Repeats within an airing (issue 20): "air it 3 times, 5 minutes apart", as notices are.
Each repeat starts the program's length plus the pause after the one before, blocks its
zone like any item, and is its own as-run row. Real HTTP, real databases, and the on-air
loop playing each repeat."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from radio.models import Airing, AiringStatus
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import LOCAL_TZ, ManualClock
from tests.apiclient import approve, asrun_rows, client, error

SHORT = "Thôn Nà Héo họp lúc 8 giờ."


@pytest.fixture
def onair(services: tuple[Services, ManualClock]) -> Iterator[tuple[str, OnAir]]:
    playing = OnAir(services[0].scheduler)
    with serving(create_app(services[0], playing)) as url:
        client(url, "vanhanh").post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
        yield url, playing


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        client(url, "vanhanh").post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
        yield url


def approved(base: str, title: str, text: str = SHORT) -> tuple[int, float]:
    officer = client(base, "canbo")
    body = {"title": title, "text": text, "voice": "espeak-north-female"}
    ann = officer.post("/api/announcements", json=body).json()["id"]
    seconds = officer.post(f"/api/announcements/{ann}/preview").json()["duration"]
    officer.post(f"/api/announcements/{ann}/submit")
    approve(client(base, "chutich"), ann)
    return ann, seconds


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(LOCAL_TZ)


def test_repeats_are_spaced_by_the_program_and_the_pause_and_block_their_zone(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    officer = client(base, "canbo")
    ann, seconds = approved(base, "Họp thôn")
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": "2026-12-01T05:30:00+07:00"}
    for bad, field in [({"repeats": 11}, None), ({"repeats": 3}, "repeat_gap_s")]:
        refused = error(officer.post("/api/slots", json={**slot, **bad}), 422)
        assert refused.get("field") == field
    assert error(officer.post("/api/slots", json={**slot, "repeats": 2, "repeat_gap_s": 7201}), 422)
    repeated = {**slot, "repeats": 3, "repeat_gap_s": 300}
    said = officer.post("/api/slots?check=true", json=repeated).json()
    step = timedelta(seconds=math.ceil(seconds) + 300)  # airtimes in whole seconds
    first = datetime(2026, 12, 1, 5, 30, tzinfo=LOCAL_TZ)
    assert [local(t) for t in said["next"]] == [first, first + step, first + 2 * step]
    made = officer.post("/api/slots", json=repeated)
    assert made.status_code == 201 and made.json()["repeats"] == 3
    params = {"zone": "na-heo", "start": "2026-12-01"}
    items = officer.get("/api/timeline", params=params).json()["items"]
    assert [local(i["start"]) for i in items] == [first, first + step, first + 2 * step]

    other, _ = approved(base, "Tiêm phòng", "Tiêm phòng.")
    into_repeat = (first + step + timedelta(seconds=1)).isoformat()
    clash = officer.post(
        "/api/slots", json={"announcement_id": other, "zones": ["na-heo"], "at": into_repeat}
    )
    assert "Họp thôn" in error(clash, 409)["vi"]
    in_the_pause = (first + timedelta(seconds=seconds + 60)).isoformat()
    fits = {"announcement_id": other, "zones": ["na-heo"], "at": in_the_pause}
    assert officer.post("/api/slots", json=fits).status_code == 201

    scheduler = services[0].scheduler
    scheduler.tick()
    assert scheduler.tick().created == 0  # made once, repeats and all
    with services[0].sessions() as db:
        rows = db.scalars(
            select(Airing.scheduled_at).where(Airing.announcement_id == ann).order_by(Airing.id)
        )
        assert [t.astimezone(LOCAL_TZ) for t in rows] == [first, first + step, first + 2 * step]


def _aired(services: Services, ann: int, count: int, within: float) -> list[Airing]:
    deadline = time.monotonic() + within
    while True:
        with services.sessions() as db:
            rows = list(db.scalars(select(Airing).where(Airing.announcement_id == ann)))
        if sum(r.status == AiringStatus.AIRED for r in rows) >= count:
            return rows
        assert time.monotonic() < deadline, f"{count} repeats never aired: {rows}"
        time.sleep(0.2)


def test_each_repeat_airs_and_is_its_own_as_run_row(
    onair: tuple[str, OnAir], services: tuple[Services, ManualClock]
) -> None:
    base, _ = onair
    station, clock = services
    ann, seconds = approved(base, "Họp thôn")
    at = datetime(2026, 12, 1, 5, 10, tzinfo=LOCAL_TZ)
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": at.isoformat()}
    made = client(base, "canbo").post("/api/slots", json={**slot, "repeats": 3, "repeat_gap_s": 2})
    assert made.status_code == 201, made.text
    station.scheduler.tick()
    for count in (1, 2, 3):  # the test's clock reaches each repeat's airtime in turn
        step = timedelta(seconds=math.ceil(seconds) + 2)
        clock.advance(at + step * (count - 1) - clock.now())
        _aired(station, ann, count, within=30)
    rows = asrun_rows(client(base, "chutich"), "2026-12-01")
    ours = [r for r in rows if r["title"] == "Họp thôn"]
    assert len(ours) == 3 and {r["status"] for r in ours} == {"aired"}
    assert httpx.get(f"{base}/api/health").status_code == 200
