"""The loudspeaker map: places set through the API (and by clicking in Chromium), each
loudspeaker's state from its own heartbeats, the GeoJSON other systems read, and the map
in the console drawn with the vendored Leaflet, tiles or none."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from radio.models import Airing, Announcement, Zone
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client, error
from tests.fileserver import Files, serve
from tests.test_console import browser, shoot, sign_in

__all__ = ["browser"]  # the Chromium fixture, shared
# zone -> its place and its loudspeakers' (name, latitude, longitude)
PLACES = {
    "na-heo": (
        (22.300, 105.900),
        [
            ("Loa đầu thôn", 22.302, 105.898),
            ("Loa chợ", 22.298, 105.905),
            ("Loa trường", 22.305, 105.906),
        ],
    ),
    "ban-cam": ((22.350, 105.950), [("Loa Bản Cám", 22.351, 105.951)]),
}


def lay_out(base: str) -> dict[str, tuple[int, str]]:
    """Zones and loudspeakers placed; their ids and tokens by name."""
    operator = client(base, "vanhanh")
    made: dict[str, tuple[int, str]] = {}
    for zone, ((lat, lon), speakers) in PLACES.items():
        body = {"slug": zone, "name": zone, "latitude": lat, "longitude": lon}
        assert operator.post("/api/zones", json=body).status_code == 201
        for name, rlat, rlon in speakers:
            new = operator.post("/api/receivers", json={"name": name, "zone": zone}).json()
            placed = operator.put(
                f"/api/receivers/{new['id']}/place", json={"latitude": rlat, "longitude": rlon}
            )
            assert placed.status_code == 200, placed.text
            made[name] = (new["id"], new["token"])
    return made


def beat(base: str, token: str, playing: str | None) -> None:
    sent = httpx.post(
        f"{base}/api/receivers/heartbeat", params={"token": token}, json={"playing": playing}
    )
    assert sent.status_code == 200, sent.text


def on_air(services: Services, zone: str, title: str) -> None:
    """The zone's channel playing now, as the as-run log holds it (no playout runs here)."""
    with services.sessions.begin() as db:
        row = db.scalar(select(Zone).where(Zone.slug == zone))
        assert row is not None
        announcement = Announcement(title=title, created_by_id=1)
        db.add(announcement)
        db.flush()
        now = services.clock.now()
        db.add(Airing(zone=row, announcement=announcement, scheduled_at=now, started_at=now))


@pytest.fixture
def station(
    services: tuple[Services, ManualClock],
) -> Iterator[tuple[str, dict[str, tuple[int, str]]]]:
    with serving(create_app(services[0])) as base:
        speakers = lay_out(base)
        beat(base, speakers["Loa Bản Cám"][1], None)  # heard, then silent for an hour
        services[1].advance(timedelta(hours=1))
        beat(base, speakers["Loa đầu thôn"][1], "Họp thôn")
        beat(base, speakers["Loa chợ"][1], None)
        on_air(services[0], "na-heo", "Họp thôn")
        yield base, speakers


def features(base: str, user: str = "vanhanh") -> dict[str, dict[str, Any]]:
    answer = client(base, user).get("/api/map.geojson")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/geo+json"
    document = answer.json()
    assert document["type"] == "FeatureCollection"
    return {f["id"]: f for f in document["features"]}


def test_the_geojson_holds_each_loudspeakers_state_and_each_zones_outline(
    station: tuple[str, dict[str, tuple[int, str]]],
) -> None:
    base, speakers = station
    found = features(base)
    state = {
        f["properties"]["name"]: f["properties"]["state"]
        for f in found.values()
        if f["properties"]["kind"] == "receiver"
    }
    assert state == {
        "Loa đầu thôn": "playing",
        "Loa chợ": "silent",  # online while its zone is on air, playing nothing
        "Loa trường": "offline",  # never heard from
        "Loa Bản Cám": "offline",
    }
    cam = found[f"receiver:{speakers['Loa Bản Cám'][0]}"]["properties"]
    assert cam["offline_since"] == "2026-11-30T22:00:00+00:00"  # when it was last heard
    assert found[f"receiver:{speakers['Loa trường'][0]}"]["properties"]["offline_since"] is None
    first = found[f"receiver:{speakers['Loa đầu thôn'][0]}"]
    assert first["geometry"] == {"type": "Point", "coordinates": [105.898, 22.302]}
    assert found["zone:na-heo"]["properties"]["on_air"] == "Họp thôn"
    ring = found["outline:na-heo"]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5  # the zone and its three speakers, closed
    assert "outline:ban-cam" not in found  # two places make no area


def test_places_are_checked_and_a_commune_sees_only_its_own(
    station: tuple[str, dict[str, tuple[int, str]]],
) -> None:
    base, speakers = station
    operator = client(base, "vanhanh")
    rid = speakers["Loa chợ"][0]
    assert (
        error(operator.put(f"/api/receivers/{rid}/place", json={"latitude": 22.3}), 422)["field"]
        == "latitude"
    )
    error(operator.put(f"/api/receivers/{rid}/place", json={"latitude": 95, "longitude": 1}), 422)
    error(operator.put("/api/zones/na-heo/place", json={"latitude": 1, "longitude": 200}), 422)
    error(client(base, "canbo").put(f"/api/receivers/{rid}/place", json={}), 403)
    cleared = operator.put(
        f"/api/receivers/{rid}/place", json={"latitude": None, "longitude": None}
    )
    assert cleared.status_code == 200
    assert f"receiver:{rid}" not in features(base)
    operator.post("/api/communes", json={"slug": "na-ri", "name": "Na Rì"})
    body = {"username": "cbnr", "password": "cbnr-mat-khau", "role": "officer", "commune": "na-ri"}
    assert operator.post("/api/users", json=body).status_code == 201
    assert features(base, "cbnr") == {}
    error(httpx.get(f"{base}/api/map.geojson"), 401)


def test_the_map_in_the_console_without_tiles_and_placing_by_a_click(
    browser: Browser,
    services: tuple[Services, ManualClock],
) -> None:
    files = Files()  # a tile server that has no tiles: the map falls back to plain
    with serve(files) as tiles:
        settings = dataclasses.replace(
            services[0].settings, map_tiles=f"{tiles}tiles/{{z}}/{{x}}/{{y}}.png"
        )
        app = create_app(dataclasses.replace(services[0], settings=settings))
        with serving(app) as base:
            speakers = lay_out(base)
            beat(base, speakers["Loa đầu thôn"][1], "Họp thôn")
            page = sign_in(browser, base, "vanhanh")
            page.goto(f"{base}/map")
            expect(page.locator("#map")).to_have_attribute("data-features", "7")
            expect(page.locator("path.rx-playing")).to_have_count(1)
            expect(page.locator("path.rx-offline")).to_have_count(3)
            expect(page.locator("img.leaflet-tile")).to_have_count(0, timeout=10_000)
            assert files.requests and all(p.startswith("tiles/") for p, _ in files.requests)
            school = f"receiver:{speakers['Loa trường'][0]}"
            page.get_by_label("Cụm loa hoặc loa").select_option(value=school)
            page.locator("#map").click(position={"x": 200, "y": 150})
            latitude = page.get_by_label("Vĩ độ").input_value()
            assert re.fullmatch(r"\d+\.\d{6}", latitude)
            page.get_by_role("button", name="Lưu").click()
            expect(page.locator("#place")).to_have_attribute("data-saved", school)
            placed = features(base)[school]
            assert placed["geometry"]["coordinates"][1] == pytest.approx(float(latitude))
            shoot(page, "map")
