"""The API fuzzed from its own OpenAPI schema (schemathesis), a CI-sized run: generated
requests, valid and invalid, to every operation as every role and anonymously, with the
on-air loop and the scheduler running. None may get a 5xx, the loop may log no error, and
an emergency sent afterwards is on air within 2 s. `radio bench fuzz` runs 10,000
(docs/reliability.md)."""

from __future__ import annotations

import time

from bench.fuzz import ROLES, OnAirErrors, fuzz, signed_in
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock

PER_OPERATION = {"vanhanh": 10, "canbo": 4, "chutich": 4, None: 3}


def test_no_generated_request_gets_a_server_error_or_troubles_playout(
    services: tuple[Services, ManualClock],
) -> None:
    onair = OnAir(services[0].scheduler)
    errors = OnAirErrors.watching()
    try:
        with serving(create_app(services[0], onair)) as base:
            tokens = {name: signed_in(base, name, f"{name}-mat-khau") for name in ROLES}
            keep = signed_in(base, "vanhanh", "vanhanh-mat-khau")  # fuzzing may log out
            for name, cases in PER_OPERATION.items():
                found = fuzz(base, tokens[name] if name else None, cases)
                assert found.server_errors == [], (name, found.server_errors)
                assert found.cases > 100
            latency = _emergency_latency(base, keep, onair)
    finally:
        errors.stop()
    assert errors.messages == []
    assert latency <= 2.0


def _emergency_latency(base: str, token: str, onair: OnAir) -> float:
    import httpx

    operator = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
    commune = operator.get("/api/communes").json()[0]["slug"]  # the fuzzer made others
    zone = {"slug": "sau-fuzz", "name": "Sau fuzz", "commune": commune}
    assert operator.post("/api/zones", json=zone).status_code == 201
    ann = operator.post(
        "/api/announcements",
        json={"title": "Khẩn", "text": "Lũ quét. Sơ tán ngay.", "voice": "espeak-north-female"},
    ).json()["id"]
    assert operator.post(f"/api/announcements/{ann}/preview").status_code == 200
    sent = time.monotonic()
    made = operator.post("/api/emergency", json={"announcement_id": ann, "zones": ["sau-fuzz"]})
    assert made.status_code == 201, made.text
    airing = made.json()["airings"][0]
    while time.monotonic() - sent < 5:
        current = onair.playout.channel("sau-fuzz").current
        if current is not None and current.airing_id == airing:
            return time.monotonic() - sent
        time.sleep(0.02)
    return float("inf")
