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
from tests.apiclient import approved_slot, setup_zone
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
