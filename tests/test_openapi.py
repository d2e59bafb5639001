"""The API's contract: the OpenAPI document is valid, current (docs/openapi.json), types
every success response and every refusal, and a client generated from it by a third-party
generator drives the officer -> reviewer -> schedule flow against the real server."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from radio.cli.openapi import document, federation
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, client

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "docs" / "openapi.json"
NO_BODY = {"204", "307"}  # no content, or a redirect: nothing to type


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(document())
    return parsed


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_the_published_document_is_current_and_valid(spec: dict[str, Any]) -> None:
    validate(spec)
    published = json.loads(PUBLISHED.read_text("utf-8"))
    assert published == spec, (
        "docs/openapi.json is stale: run `uv run radio openapi -o docs/openapi.json`"
    )


def test_the_federation_exchange_is_published_whole(spec: dict[str, Any]) -> None:
    """docs/federation.openapi.json: what another vendor implements, current and valid."""
    exchange = federation(spec)
    validate(exchange)
    published = json.loads((ROOT / "docs" / "federation.openapi.json").read_text("utf-8"))
    assert published == exchange, (
        "docs/federation.openapi.json is stale: run "
        "`uv run radio openapi --federation -o docs/federation.openapi.json`"
    )
    assert {"/api/federation/enrol", "/api/federation/inbox", "/api/federation/status"} <= set(
        exchange["paths"]
    )
    assert "HMAC-SHA256" in exchange["info"]["description"]


def test_every_success_response_has_a_schema(spec: dict[str, Any]) -> None:
    typed, untyped = 0, []
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if not status.startswith("2") and status != "307":
                continue
            content = response.get("content", {})
            if (status in NO_BODY and not content) or (
                content and all(media.get("schema") for media in content.values())
            ):
                typed += 1
            else:
                untyped.append(f"{method} {path} {status}")
    assert not untyped, untyped
    assert typed >= 60  # every operation of the API, the streams and the worker redirect


def test_every_refusal_is_documented_with_the_shared_error_model(spec: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith("4") or status.startswith("5"):
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/ErrorOut"}:
                    wrong.append(f"{method} {path} {status}: {schema}")
        open_to_all = path in ("/api/health", "/api/auth/logout", "/api/icecast/listener")
        if path.startswith("/api/") and "401" not in operation["responses"] and not open_to_all:
            wrong.append(f"{method} {path}: refusing a missing login is not documented")
    assert not wrong, "\n".join(wrong)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_a_generated_client_drives_the_review_flow(
    spec: dict[str, Any], services: tuple[Services, ManualClock], tmp_path: Path
) -> None:
    """openapi-python-client turns the document into a typed package; the officer writes
    and submits, the reviewer approves the revision, the officer schedules it."""
    config = tmp_path / "config.yml"
    config.write_text("package_name_override: loaxa_client\npost_hooks: []\n", "utf-8")
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(spec), "utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    made = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            source,
            "--config",
            config,
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "loaxa_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (tmp_path / "loaxa_client" / "client.py").is_file(), made.stdout + made.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        _drive(importlib.import_module("loaxa_client"), services[0])
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("loaxa_client")]:
            del sys.modules[name]


def _drive(package: Any, services: Services) -> None:
    api = importlib.import_module("loaxa_client.api")
    models = importlib.import_module("loaxa_client.models")
    for name in ("announcements", "schedule", "communes"):
        importlib.import_module(f"loaxa_client.api.{name}")
    with serving(create_app(services)) as base:
        client(base, "vanhanh").post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
        officer = package.AuthenticatedClient(base, token=_token(base, "canbo"))
        reviewer = package.AuthenticatedClient(base, token=_token(base, "chutich"))
        body = models.AnnouncementIn(title="Họp thôn", text=TEXT, voice="espeak-north-female")
        made = _call(api.announcements, "create_announcement", officer, body=body)
        assert made.status.value == "draft" and made.revision.number == 1
        submitted = _call(api.announcements, "submit_announcement", officer, made.id)
        assert submitted.status.value == "pending" and submitted.revision.program
        heard = models.Approval(revision=1, program=submitted.revision.program)
        approved = _call(api.announcements, "approve_announcement", reviewer, made.id, body=heard)
        assert approved.status.value == "approved"
        assert approved.approved_program == submitted.revision.program
        week = {"start_date": date(2026, 12, 1), "end_date": date(2026, 12, 7)}
        slot = models.SlotIn(announcement_id=made.id, zones=["na-heo"], times=["06:00"], **week)
        scheduled = _call(api.schedule, "add_slot", officer, body=slot)
        assert scheduled.zones == ["na-heo"] and scheduled.times == ["06:00"]
        zones = _call(api.communes, "list_zones", officer)
        assert [z.slug for z in zones] == ["na-heo"]


def _call(group: Any, operation: str, client_: Any, *args: Any, **kwargs: Any) -> Any:
    module = importlib.import_module(f"{group.__name__}.{operation}")
    answer = module.sync_detailed(*args, client=client_, **kwargs)
    assert 200 <= answer.status_code < 300, answer.content
    return answer.parsed


def _token(base: str, user: str) -> str:
    token: str = client(base, user).post("/api/tokens").json()["token"]
    return token
