"""CAP 1.2 alerts pushed to the station: real documents (a flash flood, a storm and its
update, a cancel), real HTTP, the real on-air loop, the schema checked both ways."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from radio.cap.document import NS, schema
from radio.models import Airing, AiringStatus, AuditEvent, Priority, Repeat
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client, error
from tests.fileserver import Files, serve
from tests.test_console import browser, shoot, sign_in

__all__ = ["browser"]  # the Chromium fixture, shared
DOCS = Path(__file__).parent / "data" / "cap"
XML = {"Content-Type": "application/cap+xml"}
POLYGON = "22.25,105.85 22.25,106.00 22.40,106.00 22.40,105.85 22.25,105.85"  # the flood's
# commune (geocode) -> zones and where their loudspeakers stand
PLACES = {
    ("vi-huong", "02023"): {"ban-chang": (22.30, 105.90), "na-vai": (22.35, 105.95)},
    ("na-ri", "02005"): {"pac-lang": (22.20, 106.10)},
}


def doc(name: str, **changes: str) -> bytes:
    """A test document, with some of its text replaced (to make a variant of it)."""
    text = (DOCS / f"{name}.xml").read_text("utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def province(base: str) -> None:
    operator = client(base, "vanhanh")
    for (commune, geocode), zones in PLACES.items():
        body = {"slug": commune, "name": commune, "geocode": geocode}
        assert operator.post("/api/communes", json=body).status_code == 201
        for zone, (lat, lon) in zones.items():
            body = {"slug": zone, "name": zone, "commune": commune}
            made = operator.post("/api/zones", json={**body, "latitude": lat, "longitude": lon})
            assert made.status_code == 201, made.text
    no_place = {"slug": "na-heo", "name": "Nà Héo", "commune": "xa"}  # no coordinates
    made = operator.post("/api/zones", json=no_place)
    assert made.status_code == 201, made.text


@pytest.fixture
def live(services: tuple[Services, ManualClock], onair: OnAir) -> Iterator[str]:
    with serving(create_app(services[0], onair)) as base:
        province(base)
        yield base


def post(user: httpx.Client, data: bytes) -> httpx.Response:
    return user.post("/api/cap", content=data, headers=XML)


def on_air(onair: OnAir, zones: list[str], within: float) -> None:
    started, waiting = time.monotonic(), set(zones)
    while waiting:
        for zone in list(waiting):
            playing = onair.playout.channel(zone).current
            if playing is not None and playing.emergency:
                waiting.discard(zone)
        assert time.monotonic() - started < within, f"not on air: {sorted(waiting)}"
        time.sleep(0.01)


def airings(services: Services, zone: str | None = None) -> int:
    with services.sessions() as db:
        query = select(func.count(Airing.id))
        if zone is not None:
            query = query.where(Airing.zone.has(slug=zone))
        return db.scalar(query) or 0


def test_a_flash_flood_airs_at_once_on_the_zones_inside_its_polygon_and_a_cancel_stops_it(
    live: str, services: tuple[Services, ManualClock], onair: OnAir
) -> None:
    authority = client(live, "vanhanh")
    sent = post(authority, doc("flood"))
    assert sent.status_code == 201, sent.text
    alert = sent.json()
    assert (alert["state"], alert["level"], alert["zones"]) == (
        "sent",
        "emergency",
        ["ban-chang", "na-vai"],
    )
    on_air(onair, ["ban-chang", "na-vai"], within=2.0)
    assert onair.playout.channel("pac-lang").current is None  # outside the polygon
    assert airings(services[0], "pac-lang") == 0 and airings(services[0], "na-heo") == 0
    again = post(authority, doc("flood"))  # delivered twice: stored once, aired once
    assert (again.status_code, again.json()["id"]) == (200, alert["id"])
    assert airings(services[0]) == 2
    with services[0].sessions() as db:
        repeats = list(db.scalars(select(Repeat)))
        assert [(r.every_minutes, r.until.isoformat()) for r in repeats if r.until] == [
            (30, "2026-12-01T01:00:00+00:00")  # again every 30 minutes until it expires
        ]
    services[1].advance(timedelta(minutes=31))
    _until(lambda: airings(services[0]) == 4, "the flood repeated on both zones")
    cancelled = post(authority, doc("flood-cancel"))
    assert cancelled.status_code == 201, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    listed = {a["identifier"]: a["state"] for a in authority.get("/api/cap").json()}
    assert listed["BK-PCTT-2026-1201-001"] == "cancelled"
    services[1].advance(timedelta(minutes=61))
    time.sleep(1.0)
    assert airings(services[0]) == 4  # no repeat after the cancel
    with services[0].sessions() as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("cap-%")))
        assert list(actions) == ["cap-alert", "cap-cancel"]


def _until(check: object, what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {within} s for: {what}"
        time.sleep(0.1)


def test_a_storm_named_by_geocode_goes_to_the_commune_and_an_update_replaces_it(
    live: str, services: tuple[Services, ManualClock]
) -> None:
    authority = client(live, "vanhanh")
    storm = post(authority, doc("storm"))
    assert storm.status_code == 201, storm.text
    assert (storm.json()["level"], storm.json()["zones"]) == ("priority", ["pac-lang"])
    bulletin = authority.get(f"/api/bulletins/{storm.json()['bulletin_id']}").json()
    assert bulletin["level"] == "priority" and bulletin["voice"] == "espeak-north-female"
    assert bulletin["text"].startswith("Tin bão số 12\nBão số 12 dự kiến")
    assert [c["commune"] for c in bulletin["communes"]] == ["na-ri"]
    first = bulletin["communes"][0]["announcement_id"]
    update = post(authority, doc("storm-update"))
    assert update.status_code == 201, update.text
    assert update.json()["state"] == "sent"
    replaced = authority.get("/api/cap").json()
    assert {a["identifier"]: a["state"] for a in replaced} == {
        "KTTV-2026-BAO-12": "replaced",
        "KTTV-2026-BAO-12-U1": "sent",
    }
    assert authority.get(f"/api/announcements/{first}").json()["status"] == "archived"
    newer = authority.get(f"/api/bulletins/{update.json()['bulletin_id']}").json()
    assert "đổi hướng" in newer["text"]


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"</alert>": "</alert"}, "not well-formed XML"),
        ({"<severity>Extreme</severity>": "<severity>Catastrophic</severity>"}, "CAP 1.2 schema"),
        ({"<language>vi-VN</language>": "<language>fr-FR</language>"}, "no info block in Vi"),
        ({"2026-12-01T08:00:00+07:00": "2026-12-01T04:59:00+07:00"}, "the alert expired at"),
        ({POLYGON: "10.7,106.6 10.7,106.8 10.9,106.8 10.9,106.6 10.7,106.6"}, "covers none"),
        ({POLYGON: "10.7,106.6 10.7,106.8 10.9,106.8"}, "polygon"),
        ({"<msgType>Alert</msgType>": "<msgType>Ack</msgType>"}, "Ack message is not for"),
    ],
    ids=["invalid-xml", "schema", "no-vietnamese", "expired", "wrong-area", "open-polygon", "ack"],
)
def test_a_bad_alert_is_refused_saying_why_and_nothing_airs(
    live: str, services: tuple[Services, ManualClock], changes: dict[str, str], said: str
) -> None:
    authority = client(live, "vanhanh")
    refused = error(post(authority, doc("flood", **changes)), 422)
    assert said in refused["en"], refused
    assert refused["vi"] and refused["vi"] != refused["en"]
    assert authority.get("/api/cap").json() == []
    assert airings(services[0]) == 0


def test_an_entity_bomb_is_not_expanded() -> None:
    from radio.cap.document import parse
    from radio.errors import Invalid

    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx">'
    bomb += b'<!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;&x;&x;">]><alert>&y;</alert>'
    with pytest.raises(Invalid, match="DOCTYPE"):
        parse(bomb)
    secret = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(Invalid) as refused:
        parse(secret + f'<alert xmlns="{NS}">&s;</alert>'.encode())
    assert "root:" not in refused.value.en


def test_what_waits_for_an_operator_and_what_never_airs(
    live: str, services: tuple[Services, ManualClock]
) -> None:
    authority = client(live, "vanhanh")
    moderate = doc("flood", **{"<severity>Extreme": "<severity>Moderate", "-001<": "-010<"})
    waiting = post(authority, moderate).json()
    assert (waiting["state"], waiting["level"]) == ("waiting", "priority")
    assert "RADIO_CAP_AUTO" in waiting["reason"]
    exercise = doc("flood", **{"<status>Actual": "<status>Exercise", "-001<": "-011<"})
    drill = post(authority, exercise).json()
    assert drill["state"] == "not-actual"
    no_right = doc("flood", **{"-001<": "-012<"})  # the officer above lacks the emergency right
    held = post(client(live, "canbo"), no_right).json()
    assert held["state"] == "waiting" and "emergency right" in held["reason"]
    assert airings(services[0]) == 0
    error(client(live, "canbo").post(f"/api/cap/{held['id']}/air"), 403)
    aired = authority.post(f"/api/cap/{held['id']}/air")
    assert aired.status_code == 200, aired.text
    assert aired.json()["state"] == "sent"
    assert airings(services[0]) == 2
    error(authority.post(f"/api/cap/{drill['id']}/air"), 409)
    error(authority.post(f"/api/cap/{held['id']}/air"), 409)  # not twice
    error(authority.post("/api/cap/99999/air"), 404)


def test_only_the_level_above_sends_alerts(live: str) -> None:
    operator = client(live, "vanhanh")
    made = operator.post(
        "/api/users",
        json={
            "username": "cbvh",
            "password": "cbvh-mat-khau",
            "role": "operator",
            "commune": "vi-huong",
        },
    )
    assert made.status_code == 201, made.text
    error(post(client(live, "cbvh"), doc("flood")), 403)
    error(httpx.post(f"{live}/api/cap", content=doc("flood"), headers=XML), 401)


def test_what_aired_is_said_back_as_cap_acks(
    live: str, services: tuple[Services, ManualClock], onair: OnAir
) -> None:
    authority = client(live, "vanhanh")
    assert post(authority, doc("flood")).status_code == 201
    assert post(authority, doc("storm")).status_code == 201  # in the inbox: not aired

    def aired() -> bool:
        with services[0].sessions() as db:
            done = select(func.count(Airing.id)).where(Airing.status == AiringStatus.AIRED)
            return (db.scalar(done) or 0) == 2

    _until(aired, "the flood aired on both zones", within=60)
    feed = authority.get("/api/cap/aired.xml")
    assert feed.status_code == 200 and feed.headers["content-type"] == "application/atom+xml"
    root = etree.fromstring(feed.content)
    acks = root.findall(f".//{{{NS}}}alert")
    assert len(acks) == 1
    schema().assertValid(acks[0])  # CAP 1.2 as the schema has it
    assert acks[0].findtext(f"{{{NS}}}msgType") == "Ack"
    assert acks[0].findtext(f"{{{NS}}}references") == (
        "pctt@backan.gov.vn,BK-PCTT-2026-1201-001,2026-12-01T04:55:00+07:00"
    )
    note = acks[0].findtext(f"{{{NS}}}note") or ""
    assert "zones ban-chang, na-vai" in note and "sha256" in note
    with services[0].sessions() as db:
        emergency = select(Airing).where(Airing.priority == Priority.EMERGENCY)
        assert {a.program_hash for a in db.scalars(emergency)} == {note.split()[-1]}


def atom(entries: list[str]) -> bytes:
    body = "".join(f"<entry><id>urn:test:{i}</id>{e}</entry>" for i, e in enumerate(entries))
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>PCTT</title>{body}</feed>'.encode()


def test_a_cap_feed_is_read_on_its_own_and_a_dead_one_is_an_alert(
    services: tuple[Services, ManualClock], onair: OnAir
) -> None:
    storm = doc("storm").decode().split("?>", 1)[1]  # inline, without its declaration
    files = Files(
        content={
            "flood.xml": doc("flood"),
            "old.xml": doc("flood", **{"T08:00:00": "T04:00:00", "-001<": "-020<"}),
        }
    )
    files.content["feed.atom"] = atom(
        [
            f'<content type="application/cap+xml">{storm}</content>',
            '<link rel="alternate" type="application/cap+xml" href="flood.xml"/>',
            '<link href="old.xml"/>',  # expired: refused, logged, never aired
        ]
    )
    with serve(files) as server, socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: the feed is down
        dead = f"http://127.0.0.1:{unused.getsockname()[1]}/feed.atom"
        settings = dataclasses.replace(
            services[0].settings,
            cap_feeds=(f"{server}feed.atom", dead),
            cap_account="vanhanh",
            cap_poll_s=1,
        )
        reading = dataclasses.replace(services[0], settings=settings)
        with serving(create_app(reading, onair)) as base:
            province(base)
            on_air(onair, ["ban-chang", "na-vai"], within=10.0)
            operator = client(base, "vanhanh")
            taken = {a["identifier"]: a["state"] for a in operator.get("/api/cap").json()}
            assert taken == {"KTTV-2026-BAO-12": "sent", "BK-PCTT-2026-1201-001": "sent"}
            fetched = len(files.requests)
            time.sleep(2.5)  # more polls: nothing new, nothing fetched again but the feed
            assert {p for p, _ in files.requests[fetched:]} == {"feed.atom"}
            assert len(operator.get("/api/cap").json()) == 2
            alerts = operator.get("/api/alerts").json()
            assert [a["kind"] for a in alerts] == ["cap-feed-unreachable"]
            assert dead in alerts[0]["en"]


def test_an_operator_airs_a_waiting_alert_from_the_console(
    live: str, services: tuple[Services, ManualClock], browser: Browser
) -> None:
    moderate = doc("flood", **{"<severity>Extreme": "<severity>Moderate", "-001<": "-030<"})
    waiting = post(client(live, "vanhanh"), moderate).json()
    assert waiting["state"] == "waiting"
    page = sign_in(browser, live, "vanhanh")
    page.goto(f"{live}/cap")
    card = page.locator(f'section[data-cap="{waiting["id"]}"]')
    expect(card.locator(".badge.state-waiting")).to_have_text("Chờ người vận hành")
    expect(card).to_contain_text("ban-chang, na-vai")
    page.on("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Phát").click()
    expect(card.locator(".badge.state-sent")).to_have_text("Đã gửi thành bản tin")
    sent = client(live, "vanhanh").get("/api/cap").json()[0]
    assert (sent["state"], sent["level"]) == ("sent", "priority") and sent["bulletin_id"]
    shoot(page, "cap")
