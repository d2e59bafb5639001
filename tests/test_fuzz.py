"""The API fuzzed from its own OpenAPI schema (schemathesis), a CI-sized run: generated
requests, valid and invalid, to every operation as an operator. None may get a 5xx.
`radio bench fuzz` runs 10,000 (docs/reliability.md)."""

from __future__ import annotations

from bench.fuzz import fuzz
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client

PER_OPERATION = 12


def test_no_generated_request_gets_a_server_error(services: tuple[Services, ManualClock]) -> None:
    with serving(create_app(services[0])) as base:
        operator = client(base, "vanhanh")
        operator.post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
        token = operator.post("/api/tokens").json()["token"]
        found = fuzz(base, token, PER_OPERATION)
    assert found.cases > 300
    assert found.server_errors == []
    assert found.statuses[200] + found.statuses[201] > 0  # some got through, not only refusals
