"""Fuzzing the REST API from its own OpenAPI schema (schemathesis): generated requests,
valid and not, for every operation, sent over loopback as every role (operator, officer,
reviewer) and anonymously, with the on-air loop and the scheduler running, counting
responses by status. The goal is zero 5xx and no on-air error: every bad input must get a
clear 4xx and leave playout alone. The tests run a small number of cases; `radio bench
fuzz` runs 10,000.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from bench.table import print_table

TOTAL_CASES = 10_000


@dataclass
class Findings:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "METHOD /path -> 500: body"


def fuzz(
    base: str, token: str | None, per_operation: int, found: Findings | None = None
) -> Findings:
    """Send up to `per_operation` generated cases to each operation of the API at `base`
    (fewer where its schema allows fewer), as the token's user (None: anonymous), adding
    to `found`."""
    import schemathesis

    spec = httpx.get(f"{base}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    found = found or Findings()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise ValueError(f"the API's schema is invalid: {result}")
        operation = result.ok()
        if operation.path.startswith("/api/") and operation.path != "/api/auth/logout":
            _fuzz_operation(operation, base, headers, per_operation, found)
    return found


def _fuzz_operation(
    operation: Any, base: str, headers: dict[str, str], examples: int, found: Findings
) -> None:
    """Logging out is left alone: it would end the fuzzer's own token."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Any) -> None:
        response = case.call(base_url=base, headers=headers, timeout=60)
        found.cases += 1
        found.statuses[response.status_code] += 1
        if response.status_code >= 500:
            label = f"{operation.method.upper()} {case.formatted_path}"
            found.server_errors.append(f"{label} -> {response.status_code}: {response.text[:200]}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        send()


ROLES = {"vanhanh": "operator", "canbo": "officer", "chutich": "reviewer"}


def run(texts: list[str]) -> dict[str, object]:
    """A fresh installation served by `radio serve`'s own code with its on-air loop,
    fuzzed to TOTAL_CASES, a quarter as each role and a quarter anonymously."""
    del texts
    from radio.onair import OnAir
    from radio.services import build
    from radio.settings import Settings
    from radio.web.app import create_app
    from radio.web.server import serving

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp), "espeak-north-female", "http://127.0.0.1:9/", 1 << 28, "")
        services = build(settings)
        add_users(services)
        errors = OnAirErrors.watching()
        with serving(create_app(services, OnAir(services.scheduler))) as base:
            tokens = [signed_in(base, name) for name in ROLES] + [None]
            operations = sum(
                1
                for p in httpx.get(f"{base}/openapi.json").json()["paths"]
                if p.startswith("/api/")
            )
            found = Findings()
            while found.cases < TOTAL_CASES:  # rounds of fresh examples until the total
                for token in tokens:
                    share = (TOTAL_CASES - found.cases) // (operations * len(tokens)) + 1
                    fuzz(base, token, max(1, share), found)
        errors.stop()
        services.close()
    return {
        "cases": found.cases,
        "statuses": dict(sorted(found.statuses.items())),
        "server_errors": len(found.server_errors),
        "examples": found.server_errors[:20],
        "onair_errors": errors.messages[:20],
    }


def add_users(services: Any) -> None:
    """One user per role, password "<name>-mat-khau-fuzz"; the operator holds the
    emergency right."""
    from radio.access.sessions import hash_password
    from radio.models import Role, User

    with services.sessions.begin() as db:
        for name, role in ROLES.items():
            db.add(
                User(
                    username=name,
                    password_hash=hash_password(f"{name}-mat-khau-fuzz"),
                    role=Role(role),
                    can_emergency=role == "operator",
                )
            )


def signed_in(base: str, name: str, password: str = "") -> str:
    login = {"username": name, "password": password or f"{name}-mat-khau-fuzz"}
    token: str = httpx.post(f"{base}/api/auth/login", json=login).json()["token"]
    return token


class OnAirErrors(logging.Handler):
    """Errors the on-air loop and the scheduler log while the fuzzer runs."""

    LOGGERS = ("radio.onair", "radio.scheduler", "radio.alerts")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    @classmethod
    def watching(cls) -> OnAirErrors:
        handler = cls()
        for name in cls.LOGGERS:
            logging.getLogger(name).addHandler(handler)
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")

    def stop(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def report(figures: dict[str, object]) -> None:
    statuses = figures["statuses"]
    assert isinstance(statuses, dict)
    onair = figures["onair_errors"]
    assert isinstance(onair, list)
    print(f"{figures['cases']} generated requests, {figures['server_errors']} answered 5xx")
    print(f"on-air errors logged meanwhile: {len(onair)}")
    print_table(["status", "responses"], [[s, n] for s, n in statuses.items()])
    for example in figures["examples"]:  # type: ignore[attr-defined]
        print(f"  {example}")
