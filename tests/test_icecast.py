"""The scale-out path: every zone's stream pushed as a source to a real Icecast 2 server,
whose listeners hear the program at airtime with its title."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from playout.icecast import IcecastTarget
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approved_slot, client, setup_zone
from tests.audio_checks import loud_seconds
from tests.icecast import PASSWORD, icecast


@pytest.fixture
def icecast_port(tmp_path: Path) -> Iterator[int]:
    with icecast(tmp_path) as port:
        yield port


def mounts(relay: str) -> dict[str, dict[str, Any]]:
    """Icecast's own status: its mounts with a source connected."""
    sources = httpx.get(f"{relay}/status-json.xsl", timeout=5).json()["icestats"].get("source", [])
    if isinstance(sources, dict):  # one source is given bare
        sources = [sources]
    return {s["listenurl"].rsplit("/", 1)[1]: s for s in sources}


def listed(relay: str) -> str:
    """Icecast's mounts as its administrator sees them (XML)."""
    return httpx.get(f"{relay}/admin/listmounts", auth=("admin", PASSWORD), timeout=5).text


def test_each_zone_is_pushed_to_icecast_and_its_listeners_hear_the_program(
    services: tuple[Services, ManualClock], icecast_port: int
) -> None:
    target = IcecastTarget.parse(f"http://source:{PASSWORD}@127.0.0.1:{icecast_port}")
    onair = OnAir(services[0].scheduler, target)
    relay = f"http://127.0.0.1:{icecast_port}"
    with serving(create_app(services[0], onair)) as base:
        setup_zone(base)
        _, duration = approved_slot(base, "2026-12-01T05:10:00+07:00")
        deadline = time.monotonic() + 10
        while "na-heo.mp3" not in mounts(relay):
            assert time.monotonic() < deadline, "the zone never reached Icecast"
            time.sleep(0.2)
        heard = bytearray()
        stop = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", f"{relay}/na-heo.mp3", timeout=10) as response:
                for chunk in response.iter_bytes():
                    heard.extend(chunk)
                    if stop.is_set():
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1.0)
        services[1].advance(timedelta(minutes=10))
        time.sleep(1.5)
        pushed = mounts(relay)
        assert set(pushed) == {"na-heo.mp3", "ban-cam.mp3"}  # every zone, not just this one
        # Icecast's status page escapes characters beyond Latin-1 as HTML entities
        assert html.unescape(pushed["na-heo.mp3"]["title"]) == "Họp thôn"
        time.sleep(duration + 1.5)
        stop.set()
        listener.join(10)
    assert loud_seconds(bytes(heard)) == pytest.approx(duration, abs=1.0)


def test_icecast_admits_a_receivers_token_for_its_own_zone_only(
    services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """Icecast's mounts were open to anyone (finding of issue 17): with its URL listener
    authentication pointed at our API, it admits what our own streams admit."""
    with serving(create_app(services[0])) as base:
        token, other = setup_zone(base)  # receivers of na-heo and ban-cam
        with icecast(tmp_path, listener_auth=base) as port:
            target = IcecastTarget.parse(f"http://source:{PASSWORD}@127.0.0.1:{port}")
            onair = OnAir(services[0].scheduler, target)
            with serving(create_app(services[0], onair)):
                relay = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 10
                while 'mount="/na-heo.mp3"' not in listed(relay):
                    assert time.monotonic() < deadline, "the zone never reached Icecast"
                    time.sleep(0.2)
                # its public status page, which names what is on air, is closed too
                assert httpx.get(f"{relay}/status-json.xsl").status_code == 401

                def status(url: str, **kwargs: Any) -> int:
                    with httpx.stream("GET", url, timeout=10, **kwargs) as answer:
                        if answer.status_code == 200:
                            assert next(answer.iter_raw())  # audio flows
                        return answer.status_code

                assert status(f"{relay}/na-heo.mp3?token={token}") == 200
                assert status(f"{relay}/na-heo.mp3", auth=("loa", token)) == 200
                assert status(f"{relay}/na-heo.mp3") == 401
                assert status(f"{relay}/na-heo.mp3?token=doan-bua") == 401
                assert status(f"{relay}/na-heo.mp3?token={other}") == 401  # another zone's
                operator = client(base, "vanhanh")
                loa = next(r for r in operator.get("/api/receivers").json() if r["name"] == "Loa 1")
                assert operator.delete(f"/api/receivers/{loa['id']}").status_code == 204
                assert status(f"{relay}/na-heo.mp3?token={token}") == 401
