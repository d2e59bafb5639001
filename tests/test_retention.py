"""The program store is bounded (issue 17): every preview of a new text wrote a program
that stayed for ever. The sweep removes the audio nothing refers to once it is older than
GRACE, keeps what may still air or be listened to, and alerts when what must be kept
outgrows the budget."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.models import Program
from radio.onair import OnAir
from radio.retention import GRACE
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, client

VOICE = "espeak-north-female"


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


def age(store: Path, seconds: float) -> None:
    """Files written `seconds` ago, as they would be after that long."""
    past = time.time() - seconds
    for path in store.glob("*.mp3"):
        os.utime(path, (past, past))


def on_disk(store: Path) -> set[str]:
    return {path.stem for path in store.glob("*.mp3")}


def test_audio_nothing_refers_to_is_removed_and_what_may_air_is_kept(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    built = services[0]
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    store = built.settings.cache_dir / "programs"

    def made(text: str) -> tuple[int, str]:
        body = {"title": "Họp", "text": text, "voice": VOICE}
        ann = officer.post("/api/announcements", json=body).json()["id"]
        return ann, officer.post(f"/api/announcements/{ann}/preview").json()["hash"]

    def revise(ann: int, text: str) -> None:
        body = {"title": "Họp", "text": text, "voice": VOICE}
        assert officer.put(f"/api/announcements/{ann}", json=body).status_code == 200

    approved, first_try = made("Thôn Nà Héo họp lúc 7 giờ.")
    revise(approved, "Thôn Nà Héo họp lúc 8 giờ.")
    assert officer.post(f"/api/announcements/{approved}/submit").status_code == 200
    heard = approve(reviewer, approved)["approved_program"]
    edited, before_edit = made("Thôn Bản Cám dọn vệ sinh.")
    revise(edited, "Thôn Bản Cám dọn vệ sinh sáng chủ nhật.")  # not previewed yet
    draft, current = made("Thôn Khuổi Khem nộp quỹ.")
    archived, of_archived = made("Thông báo đã huỷ.")
    assert officer.delete(f"/api/announcements/{archived}").status_code == 204
    orphan = "0" * 64  # a render whose row was never saved (its request failed)
    (store / f"{orphan}.mp3").write_bytes((store / f"{current}.mp3").read_bytes())
    everything = {first_try, heard, before_edit, current, of_archived, orphan}
    assert on_disk(store) == everything

    retention = OnAir(built.scheduler).retention
    assert retention.sweep().removed == 0  # all younger than GRACE
    age(store, GRACE.total_seconds() + 60)
    swept = retention.sweep()

    assert on_disk(store) == {heard, current}
    assert swept.removed == 4 and swept.kept == 2
    assert swept.kept_bytes == sum(p.stat().st_size for p in store.glob("*.mp3"))
    assert len(list((store / "by-key").glob("*.json"))) == 2  # their records went too
    with built.sessions() as db:
        assert db.get(Program, first_try) is not None  # the as-run log may still name it
    assert officer.get(f"/api/programs/{first_try}.mp3").status_code == 404
    assert officer.get(f"/api/programs/{heard}.mp3").status_code == 200
    assert officer.post(f"/api/announcements/{draft}/preview").json()["hash"] == current
    rendered = officer.post(f"/api/announcements/{edited}/preview")
    assert rendered.status_code == 200 and rendered.json()["hash"] in on_disk(store)


def test_a_program_found_again_is_young_again(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """A program found whole in the store by a new preview is about to be referenced:
    finding it counts as writing it, so a sweep in between does not remove it."""
    built = services[0]
    officer = client(base, "canbo")
    store = built.settings.cache_dir / "programs"
    body = {"title": "Họp", "text": "Thôn Nà Héo họp lúc 7 giờ.", "voice": VOICE}
    one = officer.post("/api/announcements", json=body).json()["id"]
    made = officer.post(f"/api/announcements/{one}/preview").json()["hash"]
    assert officer.delete(f"/api/announcements/{one}").status_code == 204
    age(store, GRACE.total_seconds() + 60)
    two = officer.post("/api/announcements", json=body).json()["id"]
    # the same text, found whole by its render key, and not yet referenced by the row
    assert officer.post(f"/api/announcements/{two}/preview").json()["hash"] == made
    assert officer.delete(f"/api/announcements/{two}").status_code == 204
    assert OnAir(built.scheduler).retention.sweep().removed == 0
    assert made in on_disk(store)


def test_audio_that_must_be_kept_past_the_budget_is_an_alert(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    built = services[0]
    officer = client(base, "canbo")
    body = {"title": "Họp", "text": "Thôn Nà Héo họp lúc 7 giờ.", "voice": VOICE}
    ann = officer.post("/api/announcements", json=body).json()["id"]
    assert officer.post(f"/api/announcements/{ann}/preview").status_code == 200
    retention = OnAir(built.scheduler).retention
    retention.budget = 1000  # bytes: less than one program
    assert retention.sweep().removed == 0
    assert built.scheduler.alarms.is_open("programs-over-budget", "programs")
    retention.budget = 10_000_000
    retention.sweep()
    assert not built.scheduler.alarms.is_open("programs-over-budget", "programs")
