"""Pronunciation lexicons by commune (issue 17): one lexicon file for the whole deployment,
changed by any officer of any commune, unaudited and without deletion, let an officer of
commune B make commune A's "Nà Héo" read as an evacuation order. Now each commune has its
own entries over the level above's, every change is audited, entries can be deleted, and
approved audio never changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from radio.models import Airing, AiringStatus, Announcement, AuditEvent, User
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, client, error

HAMLET = "Thôn Nà Héo họp lúc 7 giờ."
HOAX = "Nà Héo có lũ quét, sơ tán ngay"


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    """Communes "xa" (officer canbo-xa) and "khac" (officer canbo-khac) under the level
    above (officer canbo, operator vanhanh)."""
    with serving(create_app(services[0])) as url:
        operator = client(url, "vanhanh")
        assert operator.post("/api/communes", json={"slug": "khac", "name": "Xã khác"}).is_success
        for commune in ("xa", "khac"):
            user = {"username": f"canbo-{commune}", "password": f"canbo-{commune}-mat-khau"}
            made = operator.post("/api/users", json={**user, "role": "officer", "commune": commune})
            assert made.status_code == 201, made.text
        yield url


def spoken(officer: httpx.Client, text: str = HAMLET) -> str:
    answer = officer.post("/api/reading", json={"text": text, "voice": "espeak-north-female"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["lines"][0]["reading"])


def entry(officer: httpx.Client, written: str) -> dict[str, object]:
    found = [e for e in officer.get("/api/lexicon").json() if e["written"] == written]
    assert len(found) == 1, found
    return found[0]  # type: ignore[no-any-return]


def test_a_communes_entry_never_changes_another_communes_reading(base: str) -> None:
    mine, theirs = client(base, "canbo-xa"), client(base, "canbo-khac")
    before = spoken(mine)
    made = theirs.post("/api/lexicon", json={"written": "Nà Héo", "spoken": HOAX})
    assert made.status_code == 201, made.text
    assert made.json()["level"] == "commune"
    assert HOAX in spoken(theirs)
    assert spoken(mine) == before and HOAX not in before
    assert [e for e in mine.get("/api/lexicon").json() if e["written"] == "Nà Héo"] == []
    error(mine.delete(f"/api/lexicon/{made.json()['id']}"), 404)  # not theirs to touch
    assert HOAX in spoken(theirs)


def test_communes_inherit_the_level_above_and_may_override_it(base: str) -> None:
    above, mine, theirs = (
        client(base, "canbo"),
        client(base, "canbo-xa"),
        client(base, "canbo-khac"),
    )
    text = "HTX Tân Tiến họp."
    assert above.post("/api/lexicon", json={"written": "HTX", "spoken": "hợp tác xã"}).is_success
    for officer in (mine, theirs):
        assert spoken(officer, text).startswith("hợp tác xã ")
        inherited = entry(officer, "HTX")
        assert (inherited["level"], inherited["mine"]) == ("above", False)
    error(mine.delete(f"/api/lexicon/{inherited['id']}"), 404)  # the level above's
    own = mine.post("/api/lexicon", json={"written": "htx", "spoken": "hợp tác xã nông nghiệp"})
    assert own.status_code == 201
    assert spoken(mine, text).startswith("hợp tác xã nông nghiệp ")
    assert spoken(theirs, text).startswith("hợp tác xã Tân")  # still the level above's
    assert (entry(mine, "htx")["level"], entry(mine, "htx")["mine"]) == ("commune", True)
    assert mine.delete(f"/api/lexicon/{own.json()['id']}").status_code == 204
    assert spoken(mine, text).startswith("hợp tác xã Tân")  # inherited again
    error(mine.delete(f"/api/lexicon/{own.json()['id']}"), 404)  # gone


def test_every_change_is_audited_with_who_and_what_it_was(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    mine = client(base, "canbo-xa")
    first = mine.post("/api/lexicon", json={"written": "Nà Héo", "spoken": "Nà Hẻo"}).json()
    mine.post("/api/lexicon", json={"written": "Nà Héo", "spoken": "Na Heo"})
    assert mine.delete(f"/api/lexicon/{first['id']}").status_code == 204
    with services[0].sessions() as db:
        events = db.scalars(
            select(AuditEvent).where(AuditEvent.action.like("lexicon-%")).order_by(AuditEvent.id)
        ).all()
        who = db.scalars(select(User.id).where(User.username == "canbo-xa")).one()
        assert [(e.action, e.actor_id == who) for e in events] == [
            ("lexicon-put", True),
            ("lexicon-put", True),
            ("lexicon-delete", True),
        ]
        assert events[0].detail == {"written": "Nà Héo", "spoken": "Nà Hẻo", "before": None}
        assert events[1].detail["before"] == "Nà Hẻo"
        assert events[2].detail == {"written": "Nà Héo", "spoken": "Na Heo"}
    assert [e for e in mine.get("/api/lexicon").json() if e["written"] == "Nà Héo"] == []


def test_a_change_after_approval_never_alters_the_audio_that_airs(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    officer, operator = client(base, "canbo-xa"), client(base, "vanhanh")
    assert operator.post(
        "/api/zones", json={"slug": "na-heo", "name": "Nà Héo", "commune": "xa"}
    ).is_success
    draft = {"title": "Họp", "text": HAMLET, "voice": "espeak-north-female"}
    ann = officer.post("/api/announcements", json=draft).json()["id"]
    officer.post(f"/api/announcements/{ann}/preview").raise_for_status()
    officer.post(f"/api/announcements/{ann}/submit").raise_for_status()
    approve(client(base, "chutich"), ann)
    changed = officer.post("/api/lexicon", json={"written": "Nà Héo", "spoken": "Na Heo"})
    assert changed.status_code == 201
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": "2026-12-01T05:01:00+07:00"}
    assert officer.post("/api/slots", json=slot).status_code == 201
    services[1].advance(timedelta(minutes=1))
    ticked = services[0].scheduler.tick()
    assert ticked.failed == [] and len(ticked.due) == 1  # handed to playout
    with services[0].sessions() as db:
        approved = db.get(Announcement, ann)
        assert approved is not None and approved.approved_program_hash is not None
        airing = db.scalars(select(Airing).where(Airing.announcement_id == ann)).one()
        assert airing.id == ticked.due[0] and airing.status != AiringStatus.FAILED
        assert airing.program_hash == approved.approved_program_hash
    # a preview made now reads the new entry: different audio
    again = officer.post("/api/announcements", json=draft).json()["id"]
    fresh = officer.post(f"/api/announcements/{again}/preview").json()["hash"]
    assert fresh != airing.program_hash
