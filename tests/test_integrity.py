"""On-air integrity: each fault found by trying the station as a new user and as an
attacker would (issue 16), reproduced as it was reported, on a real database and, where
the report was about the loudspeakers, with the on-air loop running (docs/reliability.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, select

from radio.models import (
    Airing,
    AiringStatus,
    Alert,
    Announcement,
    AuditEvent,
    Program,
    Receipt,
    Slot,
    Zone,
)
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, approve, asrun_rows, client, error, heard
from voices.store.integrity import intact

Live = tuple[str, Services, ManualClock, OnAir]


def _station(services: tuple[Services, ManualClock], playing: bool) -> Iterator[Live]:
    onair = OnAir(services[0].scheduler)
    with serving(create_app(services[0], onair if playing else None)) as base:
        operator = client(base, "vanhanh")
        operator.post("/api/communes", json={"slug": "na-ri", "name": "Xã Na Rì"})
        for slug, commune in (("na-heo", "xa"), ("ban-cam", "xa"), ("pac-nam", "na-ri")):
            made = operator.post(
                "/api/zones", json={"slug": slug, "name": slug, "commune": commune}
            )
            assert made.status_code == 201, made.text
        yield base, services[0], services[1], onair


@pytest.fixture
def live(services: tuple[Services, ManualClock]) -> Iterator[Live]:
    """The app with its on-air loop; two communes with zones (na-heo, ban-cam; pac-nam)."""
    yield from _station(services, playing=True)


@pytest.fixture
def still(services: tuple[Services, ManualClock]) -> Iterator[Live]:
    """The same without the on-air loop: the test runs the scheduler's passes itself."""
    yield from _station(services, playing=False)


def announce(base: str, title: str = "Họp thôn", priority: str = "normal") -> int:
    """An approved announcement (by the operator, who may compose and review)."""
    operator = client(base, "vanhanh")
    draft = {"title": title, "text": TEXT, "voice": "espeak-north-female", "priority": priority}
    made = operator.post("/api/announcements", json=draft)
    assert made.status_code == 201, made.text
    ann: int = made.json()["id"]
    assert operator.post(f"/api/announcements/{ann}/submit").status_code == 200
    approve(operator, ann)
    return ann


def emergency(base: str, zone: str, operator: httpx.Client | None = None) -> tuple[int, float]:
    """An emergency on one zone, composed and heard first as an operator would; its
    airing, and when it was sent."""
    operator = operator or client(base, "vanhanh")
    ann = operator.post(
        "/api/announcements",
        json={"title": "Khẩn cấp", "text": "Lũ quét. Sơ tán ngay.", "voice": "espeak-north-female"},
    ).json()["id"]
    assert operator.post(f"/api/announcements/{ann}/preview").status_code == 200
    sent = time.monotonic()
    made = operator.post("/api/emergency", json={"announcement_id": ann, "zones": [zone]})
    assert made.status_code == 201, made.text
    return made.json()["airings"][0], sent


def on_air_within(onair: OnAir, zone: str, airing: int, sent: float, limit: float) -> float:
    """Seconds from sending until the zone's channel plays the airing; fails past `limit`."""
    while time.monotonic() - sent < limit:
        current = onair.playout.channel(zone).current
        if current is not None and current.airing_id == airing:
            return time.monotonic() - sent
        time.sleep(0.02)
    pytest.fail(f"airing {airing} not on air on {zone} within {limit} s")


def alerts(base: str, kind: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = client(base, "vanhanh").get("/api/alerts").json()
    return [a for a in found if a["kind"] == kind]


def wait_for_alert(base: str, kind: str, within: float = 10.0) -> dict[str, str]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if found := alerts(base, kind):
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"no {kind} alert within {within} s")


def test_duplicate_times_in_a_slot_are_one_airing(still: Live) -> None:
    """Finding 1: ["06:00", "06:00"] was accepted and broke every pass after it."""
    base, services, _, _ = still
    ann = announce(base)
    officer = client(base, "vanhanh")
    slot = {
        "announcement_id": ann,
        "zones": ["na-heo"],
        "times": ["06:00", "06:00"],
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start_date": "2026-12-01",
        "end_date": "2026-12-03",
    }
    made = officer.post("/api/slots", json=slot)
    assert made.status_code == 201, made.text
    assert made.json()["times"] == ["06:00"]
    services.scheduler.tick()
    with services.sessions() as db:
        assert len(db.scalars(select(Airing).where(Airing.slot_id == made.json()["id"])).all()) == 2


def test_a_broken_slot_is_an_alert_and_stops_no_one_else(live: Live) -> None:
    """Finding 1: one slot that cannot be materialized (here a time no clock shows, as an
    older release or a hand edit could leave) made every pass fail, emergencies included,
    in every commune, with no alert."""
    base, services, _, onair = live
    ann = announce(base)
    with services.sessions.begin() as db:
        broken = Slot(announcement_id=ann, times=["25:99"], weekdays=[0, 1, 2, 3, 4, 5, 6])
        db.add(broken)
        db.flush()
        broken_id = broken.id
    slot = {"announcement_id": ann, "zones": ["ban-cam"], "at": "2026-12-01T05:30:00+07:00"}
    assert client(base, "vanhanh").post("/api/slots", json=slot).status_code == 201
    airing, sent = emergency(base, "pac-nam")  # another commune's zone
    on_air_within(onair, "pac-nam", airing, sent, 2.0)
    alert = wait_for_alert(base, "slot-failed")
    assert alert["target"] == f"slot:{broken_id}"

    def materialized() -> list[int]:
        with services.sessions() as db:
            found = select(Airing.zone_id).where(Airing.slot_id.is_not(None))
            return list(db.scalars(found).all())

    # The good slot materializes beside the broken one, in a pass after it was made: the
    # alert can come from a pass that started before it (this test raced there once).
    deadline = time.monotonic() + 10
    while not materialized():
        assert time.monotonic() < deadline, "the good slot never materialized"
        time.sleep(0.2)
    time.sleep(1.5)  # more passes run, and neither add an airing nor repeat the alert
    assert len(materialized()) == 1
    assert len(alerts(base, "slot-failed")) == 1  # once, not every second


def test_a_burst_of_failed_logins_leaves_playout_and_the_api_working(live: Live) -> None:
    """Finding 2: 40 parallel wrong passwords answered 500 (pool exhausted), health took
    32 s and emergencies never aired again until a restart."""
    base, _, _, onair = live
    operator = client(base, "vanhanh")  # signed in before the burst throttles the address

    def guess(_: int) -> int:
        wrong = {"username": "chutich", "password": "sai-mat-khau"}
        return httpx.post(f"{base}/api/auth/login", json=wrong, timeout=60).status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) >= 5
    started = time.monotonic()
    assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200
    assert time.monotonic() - started < 2.0
    airing, sent = emergency(base, "na-heo", operator)
    on_air_within(onair, "na-heo", airing, sent, 2.0)


def test_a_failing_step_of_the_loop_is_alerted_and_playout_goes_on(live: Live) -> None:
    """Finding 2's second cause: one database error in the loop's pause ended it for good.
    Here every write to the alerts and the as-run log fails for a while (injected at the
    driver): the loop keeps running, emergencies still air, and once writing works again
    the as-run events and the alerts kept meanwhile are all written."""
    base, services, _, onair = live
    failing = True

    def refuse(conn: object, cursor: object, statement: str, *args: object) -> None:
        if failing and statement.startswith("UPDATE airings") and "listeners_at_start" in statement:
            raise RuntimeError("injected: the as-run log cannot be written")

    event.listen(services.engine, "before_cursor_execute", refuse)
    try:
        airing, sent = emergency(base, "na-heo")
        on_air_within(onair, "na-heo", airing, sent, 2.0)
        time.sleep(2.5)  # the "started" event waits, kept in memory
        assert onair.asrun.waiting >= 1
    finally:
        failing = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with services.sessions() as db:
            row = db.get(Airing, airing)
            assert row is not None
            if row.status == AiringStatus.AIRED and row.listeners_at_start is not None:
                break
        time.sleep(0.2)
    else:
        pytest.fail("the kept as-run events were never written")
    with services.sessions() as db:
        kinds = set(db.scalars(select(Alert.kind)))
    assert "onair-job-failed" in kinds


def test_the_emergency_pass_needs_no_full_pass(live: Live) -> None:
    """Emergencies go on air even while the full pass fails (here: every slot query)."""
    base, services, _, onair = live

    def refuse(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM slots" in statement and "next_at" in statement:
            raise RuntimeError("injected: the full pass fails")

    event.listen(services.engine, "before_cursor_execute", refuse)
    try:
        airing, sent = emergency(base, "na-heo")
        on_air_within(onair, "na-heo", airing, sent, 2.0)
        time.sleep(6)
        stalled = wait_for_alert(base, "onair-stalled")
        assert "no scheduler pass" in stalled["en"]
    finally:
        event.remove(services.engine, "before_cursor_execute", refuse)


def at_local(hhmm: str) -> str:
    return f"2026-12-01T{hhmm}:00+07:00"


def test_approval_binds_to_the_revision_the_reviewer_heard(still: Live) -> None:
    """Finding 3: the reviewer heard revision 1, the officer saved revision 2, and the
    reviewer's approve approved revision 2, which nobody had heard."""
    base, _, _, _ = still
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    draft = {"title": "Họp thôn", "text": TEXT, "voice": "espeak-north-female"}
    ann = officer.post("/api/announcements", json=draft).json()["id"]
    officer.post(f"/api/announcements/{ann}/submit")
    listened = heard(reviewer, ann)
    assert listened["revision"] == 1
    edited = officer.put(f"/api/announcements/{ann}", json={**draft, "text": TEXT + " Hủy họp."})
    assert edited.json()["revision"]["number"] == 2
    refused = error(reviewer.post(f"/api/announcements/{ann}/approve", json=listened), 409)
    assert refused["revision"] == 2 and "revision 2" in refused["en"]
    shown = reviewer.get(f"/api/announcements/{ann}").json()
    assert shown["status"] == "pending" and shown["approved_program"] is None
    wrong_audio = {"revision": 2, "program": listened["program"]}
    error(reviewer.post(f"/api/announcements/{ann}/approve", json=wrong_audio), 409)
    error(reviewer.post(f"/api/announcements/{ann}/approve", json={}), 422)
    assert approve(reviewer, ann)["approved_program"] == heard(reviewer, ann)["program"]


def test_emergency_priority_needs_the_emergency_right(still: Live) -> None:
    """Finding 4: an officer without the right made an emergency-priority announcement;
    another officer could schedule a replay of an emergency."""
    base, services, _, _ = still
    officer = client(base, "canbo")  # no emergency right
    draft = {"title": "Khẩn", "text": TEXT, "voice": "espeak-north-female"}
    error(officer.post("/api/announcements", json={**draft, "priority": "emergency"}), 403)
    ann = officer.post("/api/announcements", json=draft).json()["id"]
    error(officer.put(f"/api/announcements/{ann}", json={**draft, "priority": "emergency"}), 403)
    district = announce(base, "Bão số 3", priority="emergency")  # by the operator, who may
    slot = {"announcement_id": district, "zones": ["na-heo"], "at": at_local("05:30")}
    error(officer.post("/api/slots", json=slot), 403)
    assert client(base, "vanhanh").post("/api/slots", json=slot).status_code == 201
    with services.sessions() as db:
        done = set(db.scalars(select(AuditEvent.action)))
    assert "emergency-priority" in done


@pytest.mark.parametrize("withdrawal", ["reject", "archive", "edit"])
def test_withdrawn_approval_stops_every_pending_airing(still: Live, withdrawal: str) -> None:
    """Finding 4: an emergency-priority announcement rejected or archived 40 s before its
    airtime still aired."""
    base, services, clock, _ = still
    operator = client(base, "vanhanh")
    ann = announce(base, "Bão số 3", priority="emergency")
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": at_local("05:01")}
    assert operator.post("/api/slots", json=slot).status_code == 201
    replay = operator.post(
        "/api/emergency", json={"announcement_id": ann, "zones": ["ban-cam"], "repeat_minutes": 5}
    )
    assert replay.status_code == 201
    services.scheduler.tick()
    clock.advance(timedelta(seconds=20))
    if withdrawal == "reject":
        operator.post(f"/api/announcements/{ann}/reject", json={"reason": "Sai"})
    elif withdrawal == "archive":
        operator.delete(f"/api/announcements/{ann}")
    else:
        text = {"title": "Bão số 3", "text": TEXT + " Sửa.", "voice": "espeak-north-female"}
        operator.put(f"/api/announcements/{ann}", json={**text, "priority": "emergency"})
    clock.advance(timedelta(seconds=40))  # airtime
    services.scheduler.tick()
    clock.advance(timedelta(minutes=6))  # past the repeat's next time
    services.scheduler.tick()
    with services.sessions() as db:
        rows = db.scalars(select(Airing).where(Airing.announcement_id == ann)).all()
        late = [a for a in rows if a.started_at is not None and a.zone.slug == "na-heo"]
        assert late == []
        assert all(a.status != AiringStatus.SCHEDULED for a in rows if a.zone.slug == "na-heo")
        # the replay on ban-cam: at most the one that started before the withdrawal
        assert len([a for a in rows if a.zone.slug == "ban-cam"]) == 1


def test_the_approved_audio_airs_after_the_reading_rules_change(still: Live) -> None:
    """Finding 5: a lexicon edit after approval made every pending airing fail with
    "approved audio could not be rebuilt". The approved file is the truth; a damaged file
    is rebuilt, and airs only if the rebuild is exactly the approved audio."""
    base, services, clock, _ = still
    ann = announce(base)
    for zone, at in (("na-heo", "05:01"), ("ban-cam", "05:03")):
        slot = {"announcement_id": ann, "zones": [zone], "at": at_local(at)}
        assert client(base, "vanhanh").post("/api/slots", json=slot).status_code == 201
    services.settings.lexicon_path.write_text("Nà Héo = Na Heo\n", "utf-8")
    clock.advance(timedelta(minutes=1))
    first = services.scheduler.tick()
    assert len(first.due) == 1 and first.failed == []
    with services.sessions() as db:
        approved = db.get(Announcement, ann)
        assert approved is not None and approved.approved_program_hash is not None
        program = db.get(Program, approved.approved_program_hash)
        assert program is not None
        path, digest = Path(program.mp3_path), program.hash
    path.write_bytes(path.read_bytes()[:-500])  # damaged, and the rules changed since
    clock.advance(timedelta(minutes=2))
    second = services.scheduler.tick()
    assert second.due == [] and len(second.failed) == 2  # the first was never handed over
    services.settings.lexicon_path.write_text("", "utf-8")  # back: the rebuild matches
    path.write_bytes(path.read_bytes()[:-500])
    with services.sessions.begin() as db:
        airing = db.get(Airing, second.failed[0])
        assert airing is not None and airing.note == "approved audio could not be rebuilt"
    slot = {"announcement_id": ann, "zones": ["na-heo"], "at": at_local("05:06")}
    assert client(base, "vanhanh").post("/api/slots", json=slot).status_code == 201
    clock.advance(timedelta(minutes=3))
    third = services.scheduler.tick()
    assert len(third.due) == 1 and intact(path, digest)


def test_revoking_a_receiver_ends_its_open_stream_within_a_second(live: Live) -> None:
    """Finding 7: a revoked receiver kept receiving its zone for 20 s and more."""
    base, _, _, _ = live
    operator = client(base, "vanhanh")
    made = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()
    ended = threading.Event()
    got = bytearray()

    def listen() -> None:
        url = f"{base}/stream/na-heo.mp3?token={made['token']}"
        with httpx.stream("GET", url, timeout=30) as stream:
            for chunk in stream.iter_bytes():
                got.extend(chunk)
        ended.set()

    threading.Thread(target=listen, daemon=True).start()
    deadline = time.monotonic() + 10
    while len(got) < 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(got) >= 2000  # it hears its zone
    assert operator.delete(f"/api/receivers/{made['id']}").status_code == 204
    revoked = time.monotonic()
    assert ended.wait(3.0), "the revoked receiver's stream stayed open"
    assert time.monotonic() - revoked <= 1.5


def test_a_zone_with_history_is_retired_not_erased(live: Live) -> None:
    """Finding 7: deleting a zone erased its as-run rows and receipts, unaudited."""
    base, services, _, onair = live
    operator = client(base, "vanhanh")
    made = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()
    airing, sent = emergency(base, "na-heo", operator)
    on_air_within(onair, "na-heo", airing, sent, 2.0)
    with services.sessions() as db:
        row = db.get(Airing, airing)
        assert row is not None and row.program_hash is not None
        program = row.program_hash
    receipt = {
        "airing_id": airing,
        "program": program,
        "source": "stream",
        "started_at": "2026-12-01T05:00:00+07:00",
        "completed": True,
    }
    loudspeaker = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {made['token']}"})
    assert loudspeaker.post("/api/receivers/played", json=receipt).status_code == 200
    assert operator.delete("/api/zones/ban-cam").status_code == 204  # no history: deleted
    assert operator.delete("/api/zones/na-heo").status_code == 204  # history: retired
    assert [z["slug"] for z in operator.get("/api/zones").json()] == ["pac-nam"]
    with services.sessions() as db:
        kept = db.get(Airing, airing)
        assert kept is not None and kept.zone.retired_at is not None
        assert len(db.scalars(select(Receipt).where(Receipt.airing_id == airing)).all()) == 1
        actions = set(db.scalars(select(AuditEvent.action)))
        assert {"retire-zone", "delete-zone"} <= actions
        assert db.scalar(select(Zone).where(Zone.slug == "ban-cam")) is None
    assert loudspeaker.post("/api/receivers/heartbeat", json={}).status_code == 401
    rows = asrun_rows(operator, "2026-12-01")
    assert [r for r in rows if r["zone"] == "na-heo"]  # still in the as-run log
