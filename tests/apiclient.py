"""Talking to the real app on loopback as its users do (`radio.web.server.serving` runs it)."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

TEXT = "Kính thưa bà con. Thôn Nà Héo họp lúc 14h00 ngày 2/12/2026 tại nhà văn hóa."


def client(base: str, user: str) -> httpx.Client:
    """A logged-in session (the seeded users' passwords are "<name>-mat-khau")."""
    c = httpx.Client(base_url=base, timeout=60)
    response = c.post("/api/auth/login", json={"username": user, "password": f"{user}-mat-khau"})
    assert response.status_code == 200, response.text
    c.headers["X-CSRF-Token"] = response.json()["csrf"]  # as the console sends it
    return c


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The refusal's body, after checking its status and both languages."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["vi"] and body["en"]
    return body


def setup_zone(base: str) -> tuple[str, str]:
    operator = client(base, "vanhanh")
    for slug in ("na-heo", "ban-cam"):
        operator.post("/api/zones", json={"slug": slug, "name": slug})
    here = operator.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()
    there = operator.post("/api/receivers", json={"name": "Loa 2", "zone": "ban-cam"}).json()
    return here["token"], there["token"]


def approved_slot(base: str, at: str, text: str = TEXT) -> tuple[int, float]:
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    ann = officer.post(
        "/api/announcements",
        json={"title": "Họp thôn", "text": text, "voice": "espeak-north-female"},
    ).json()["id"]
    duration = officer.post(f"/api/announcements/{ann}/preview").json()["duration"]
    officer.post(f"/api/announcements/{ann}/submit")
    approve(reviewer, ann)
    slot = officer.post("/api/slots", json={"announcement_id": ann, "zones": ["na-heo"], "at": at})
    assert slot.status_code == 201, slot.text
    return ann, duration


def asrun_rows(user: httpx.Client, day: str) -> list[dict[str, str]]:
    """The as-run log of one day, as the CSV export gives it."""
    answer = user.get("/api/asrun.csv", params={"start": day, "end": day})
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.text)))


def heard(reviewer: httpx.Client, announcement: int) -> dict[str, Any]:
    """What a reviewer hears in the console: the current revision and its program."""
    program = reviewer.post(f"/api/announcements/{announcement}/preview")
    assert program.status_code == 200, program.text
    shown = reviewer.get(f"/api/announcements/{announcement}").json()
    return {"revision": shown["revision"]["number"], "program": program.json()["hash"]}


def approve(reviewer: httpx.Client, announcement: int) -> dict[str, Any]:
    """Approve what the reviewer heard: the current revision and its program."""
    answer = reviewer.post(
        f"/api/announcements/{announcement}/approve", json=heard(reviewer, announcement)
    )
    assert answer.status_code == 200, answer.text
    approved: dict[str, Any] = answer.json()
    return approved
