"""The dead-air and health watch: missed airings, receivers gone quiet and dead air raise
alerts that the dashboard shows and a webhook (a real HTTP server on loopback) receives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from radio.models import Airing
from radio.onair import OnAir
from radio.services import Services
from radio.watch import Watch
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approved_slot, client, setup_zone


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()


def wait_for(received: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        found = [r for r in received if r["kind"] == kind]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no {kind} alert reached the webhook: {received}"
        time.sleep(0.1)


def test_missed_airings_quiet_receivers_and_dead_air_reach_the_webhook_and_dashboard(
    services: tuple[Services, ManualClock], hook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = hook
    onair = OnAir(services[0].scheduler, watch=Watch(services[0].sessions, url))
    with serving(create_app(services[0], onair)) as base:
        token, _ = setup_zone(base)
        beat = httpx.post(
            f"{base}/api/receivers/heartbeat", json={"status": "ok"}, params={"token": token}
        )
        assert beat.status_code == 200
        approved_slot(base, "2026-12-01T05:10:00+07:00")
        time.sleep(1.5)
        assert received == []  # all is well so far

        services[1].advance(timedelta(minutes=16))  # past the slot and its grace; no beats
        missed = wait_for(received, "missed")
        assert missed["vi"].startswith("Lượt phát «Họp thôn» tại na-heo bị lỡ")
        quiet = wait_for(received, "receiver-offline")
        assert quiet["vi"] == "Loa «Loa 1» (na-heo) mất kết nối từ 05:00:00"

        # A worker claimed an airing and died: the database says on air, the channel is mute.
        with services[0].sessions.begin() as db:
            airing = db.query(Airing).one()
            airing.status, airing.note = airing.status.SCHEDULED, None
            airing.started_at, airing.ended_at = services[1].now() - timedelta(seconds=5), None
        dead = wait_for(received, "dead-air")
        assert dead["target"] == "zone:na-heo" and dead["commune"] == "xa"

        page = client(base, "vanhanh").get("/").text
        assert "Cảnh báo" in page and "Mất tiếng tại na-heo" in page
        kinds = [a["kind"] for a in client(base, "canbo").get("/api/alerts").json()]
        assert sorted(kinds) == ["dead-air", "missed", "receiver-offline"]  # each once
        # a commune sees its own alerts, not another's
        operator = client(base, "vanhanh")
        operator.post("/api/communes", json={"slug": "khac", "name": "Xã khác"})
        operator.post(
            "/api/users",
            json={
                "username": "cbkhac",
                "password": "cbkhac-mat-khau",
                "role": "officer",
                "commune": "khac",
            },
        )
        operator.post(
            "/api/users",
            json={
                "username": "cbxa",
                "password": "cbxa-mat-khau",
                "role": "officer",
                "commune": "xa",
            },
        )
        assert client(base, "cbkhac").get("/api/alerts").json() == []
        assert "Cảnh báo" not in client(base, "cbkhac").get("/").text
        assert len(client(base, "cbxa").get("/api/alerts").json()) == 3
