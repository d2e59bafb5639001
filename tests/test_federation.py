"""Two installations linked, as a province and a commune run them: two real `radio serve`
processes with their own databases and ports on loopback. The commune enrols with a
one-time code; the province sends a bulletin at each level; the link from the province to
the commune is cut (a TCP relay) during a normal and an emergency bulletin and restored;
nothing is lost or doubled, the emergency is on the commune's air within 2 s of the link
returning, and the commune's state comes back up the link."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from radio.federation import signing
from radio.models import FederationLink
from tests.apiclient import client, error
from tests.clirun import RADIO
from tests.flaky import Link
from tests.test_console import browser, shoot, sign_in
from tests.test_worker import free_port, wait_for

__all__ = ["browser"]  # the Chromium fixture, shared
VOICE = "espeak-north-female"


@dataclass
class Station:
    name: str
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RADIO_DATA_DIR": str(self.folder),
            "RADIO_DATABASE_URL": "",
            "RADIO_STATION_NAME": self.name,
            "RADIO_FEDERATION_STATUS_S": "1",
            "RADIO_PASSWORD": "vanhanh-mat-khau",
        }

    def start(self) -> None:
        made = subprocess.run(
            [RADIO, "user", "add", "vanhanh", "--role", "operator", "--emergency"],
            env=self.env,
            capture_output=True,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
        with open(self.folder / "serve.log", "wb") as log:  # read when a test fails
            self.process = subprocess.Popen(
                [RADIO, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.answers, 60, f"{self.name} did not start")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.folder / "radio.db") as db:
            return db.execute(statement).fetchall()


@dataclass
class Pair:
    province: Station
    commune: Station
    link: Link  # the province's way to the commune
    commune_link: int = 0  # the province's id for the commune's link


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    province = Station("Tỉnh Bắc Kạn", tmp_path / "province", free_port())
    commune = Station("Xã Vi Hương", tmp_path / "commune", free_port())
    for station in (province, commune):
        station.start()
    link = Link(commune.port)
    try:
        zone = {"slug": "ban-chang", "name": "Bản Chang", "commune": "xa"}
        assert client(commune.url, "vanhanh").post("/api/zones", json=zone).status_code == 201
        yield Pair(province, commune, link)
    finally:
        link.close()
        for station in (province, commune):
            station.stop()


def enrol(pair: Pair) -> dict[str, Any]:
    invited = client(pair.province.url, "vanhanh").post(
        "/api/federation/communes", json={"name": "Xã Vi Hương"}
    )
    assert invited.status_code == 201, invited.text
    pair.commune_link = invited.json()["id"]
    body = {"url": pair.province.url, "code": invited.json()["code"], "own_url": pair.link.url}
    operator = client(pair.commune.url, "vanhanh")
    subscribed = operator.post("/api/federation/sources", json=body)
    assert subscribed.status_code == 201, subscribed.text
    again = operator.post("/api/federation/sources", json=body)  # the code is used up
    assert "refused the enrolment (401)" in error(again, 422)["en"]
    found: dict[str, Any] = subscribed.json()
    return found


def send(pair: Pair, title: str, level: str) -> str:
    body = {
        "title": title,
        "text": f"{title}. Thông báo của tỉnh gửi các xã.",
        "voice": VOICE,
        "level": level,
        "communes": [pair.commune_link],
    }
    sent = client(pair.province.url, "vanhanh").post("/api/federation/bulletins", json=body)
    assert sent.status_code == 201, sent.text
    key: str = sent.json()["keys"][0]
    return key


def commune_bulletins(pair: Pair) -> dict[str, dict[str, Any]]:
    listed = client(pair.commune.url, "vanhanh").get("/api/bulletins", params={"limit": 500})
    return {b["title"]: b for b in listed.json()}


def until(check: Callable[[], bool], within: float, what: str) -> float:
    """Seconds it took."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, f"waited {within} s for: {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def state_of(pair: Pair, title: str) -> str:
    found = commune_bulletins(pair).get(title)
    return str(found["communes"][0]["state"]) if found else ""


def test_two_installations_link_and_nothing_is_lost_or_doubled_when_the_link_is_cut(
    pair: Pair, browser: Browser
) -> None:
    source = enrol(pair)
    assert (source["role"], source["name"]) == ("source", "Tỉnh Bắc Kạn")
    send(pair, "Lịch tiêm chủng", "normal")
    send(pair, "Phòng chống dịch", "priority")
    send(pair, "Lũ quét", "emergency")
    until(lambda: len(commune_bulletins(pair)) == 3, 30, "the three bulletins")
    got = commune_bulletins(pair)
    assert {t: b["level"] for t, b in got.items()} == {
        "Lịch tiêm chủng": "normal",
        "Phòng chống dịch": "priority",
        "Lũ quét": "emergency",
    }
    assert state_of(pair, "Lịch tiêm chủng") == "inbox"
    until(lambda: state_of(pair, "Lũ quét") in ("on-air", "aired"), 10, "the emergency on air")

    pair.link.cut()
    send(pair, "Họp dân", "normal")
    send(pair, "Cháy rừng", "emergency")
    time.sleep(3)
    assert set(commune_bulletins(pair)) == set(got)  # nothing came through the cut
    waiting = _messages(pair)
    assert sum(1 for m in waiting if m["delivered_at"] is None) == 2
    assert all(m["last_error"].startswith("unreachable") for m in waiting if not m["delivered_at"])
    alerts = client(pair.province.url, "vanhanh").get("/api/alerts").json()
    assert [a["kind"] for a in alerts] == ["federation-undelivered"]  # once, however many tries
    pair.link.restore()
    took = until(
        lambda: state_of(pair, "Cháy rừng") in ("on-air", "aired"),
        10,
        "the emergency on air after the link came back",
    )
    assert took < 2.0, f"the emergency aired {took:.2f} s after the link returned"
    until(lambda: "Họp dân" in commune_bulletins(pair), 40, "the normal bulletin, later")

    # the province's answer was lost: it delivers again, and the commune stores it once
    pair.province.sql("UPDATE federation_messages SET delivered_at = NULL, attempts = 1")
    until(lambda: all(m["delivered_at"] for m in _messages(pair)), 40, "delivered again")
    assert len(commune_bulletins(pair)) == 5
    assert pair.commune.sql("SELECT count(*) FROM federation_received") == [(5,)]
    assert pair.commune.sql("SELECT count(*) FROM bulletins") == [(5,)]

    def reported() -> bool:
        statuses = [m["status"] or {} for m in _messages(pair)]
        return sum(1 for s in statuses if s.get("state") == "aired") == 2

    until(reported, 60, "both emergencies reported aired up the link")
    glance = client(pair.province.url, "vanhanh").get("/api/federation/communes").json()[0]
    assert glance["online"] and glance["health"] == {"receivers": 0, "online": 0}
    aired = [m["status"] for m in glance["messages"] if m["level"] == "emergency"]
    assert all(s["hash_matches"] and s["zones_aired"] == ["ban-chang"] for s in aired)
    page = sign_in(browser, pair.province.url, "vanhanh")  # the province at a glance
    page.goto(f"{pair.province.url}/federation")
    row = page.locator(f'#communes tr[data-link="{pair.commune_link}"]')
    expect(row.locator("td").nth(1)).to_have_text("Trực tuyến")
    expect(row.locator(".message")).to_have_count(5)
    expect(row.locator(".message .badge.aired")).to_have_count(2)
    shoot(page, "federation")


def _messages(pair: Pair) -> list[dict[str, Any]]:
    found = client(pair.province.url, "vanhanh").get("/api/federation/communes").json()
    messages: list[dict[str, Any]] = found[0]["messages"]
    return messages


def test_signed_requests_refuse_strangers_and_replays(pair: Pair) -> None:
    enrol(pair)
    status = f"{pair.province.url}/api/federation/status"
    error(httpx.post(status, content=b"{}"), 401)  # not signed
    [(remote_id, secret)] = pair.commune.sql(
        "SELECT remote_id, secret FROM federation_links WHERE role = 'source'"
    )
    link = FederationLink(remote_id=remote_id, secret=secret)
    now = datetime.now(UTC)
    body = (
        b'{"messages": [], "health": {"receivers": 2, "online": 1}, "at": "2026-12-03T10:00:00Z"}'
    )
    signed = signing.headers(link, "POST", "/api/federation/status", body, now)
    assert httpx.post(status, content=body, headers=signed).status_code == 200
    assert "replay" in error(httpx.post(status, content=body, headers=signed), 401)["en"]
    garbled = signing.headers(link, "POST", "/api/federation/status", b"{}", now)
    assert error(httpx.post(status, content=b"{}", headers=garbled), 422)["fields"] == [
        "messages",
        "health",
        "at",
    ]
    forged = {**signing.headers(link, "POST", "/api/federation/status", b"{}", now)}
    assert "signature" in error(httpx.post(status, content=b'{"x":1}', headers=forged), 401)["en"]
    stale = signing.headers(
        link, "POST", "/api/federation/status", b"{}", datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert "five minutes" in error(httpx.post(status, content=b"{}", headers=stale), 401)["en"]
    wrong = FederationLink(remote_id=remote_id, secret="00" * 32)
    bad = signing.headers(wrong, "POST", "/api/federation/status", b"{}", now)
    error(httpx.post(status, content=b"{}", headers=bad), 401)
    error(httpx.post(f"{pair.commune.url}/api/federation/inbox", content=b"{}"), 401)
