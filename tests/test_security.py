"""Who may do what: every route of the application against every role, anonymous and a
receiver's token, over real HTTP. A route added without a line here fails the test, so
no route escapes the matrix. And secrets stay out of the logs."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, client
from tests.clirun import RADIO

ANON, OFFICER, REVIEWER, OPERATOR, RECEIVER = "anon", "canbo", "chutich", "vanhanh", "receiver"
ROLES = (ANON, OFFICER, REVIEWER, OPERATOR, RECEIVER)
USERS = frozenset({OFFICER, REVIEWER, OPERATOR})
EVERYONE = frozenset(ROLES)
WRITERS = frozenset({OFFICER, OPERATOR})
JUDGES = frozenset({REVIEWER, OPERATOR})
ONLY_OPERATOR = frozenset({OPERATOR})
ONLY_RECEIVER = frozenset({RECEIVER})
_SLOTS = itertools.count()


@dataclass
class World:
    """What the requests refer to, made through the API by its own users."""

    base: str
    bearer: dict[str, str]
    receiver_token: str
    announcement: int
    program: str
    slot: int

    def as_(self, role: str) -> httpx.Client:
        headers = {}
        if role == RECEIVER:
            headers["Authorization"] = f"Bearer {self.receiver_token}"
        elif role != ANON:
            headers["Authorization"] = f"Bearer {self.bearer[role]}"
        return httpx.Client(base_url=self.base, headers=headers, timeout=60)

    def fresh(self, kind: str) -> str:
        """A throwaway target for a destructive call."""
        op = self.as_(OPERATOR)
        if kind == "zone":
            slug = f"z{time.monotonic_ns()}"
            body = {"slug": slug, "name": slug, "commune": "xa"}
            op.post("/api/zones", json=body).raise_for_status()
            return slug
        if kind == "receiver":
            made = op.post("/api/receivers", json={"name": "x", "zone": "na-heo"})
            return str(made.raise_for_status().json()["id"])
        if kind == "user":
            name = f"u{time.monotonic_ns()}"
            body = {"username": name, "password": "12345678x", "role": "officer"}
            op.post("/api/users", json=body).raise_for_status()
            return name
        if kind == "lexicon":
            body = {"written": f"X{time.monotonic_ns()}", "spoken": "ích"}
            made = op.post("/api/lexicon", json=body)
            return str(made.raise_for_status().json()["id"])
        if kind == "template":
            made = op.post("/api/templates", json=TEMPLATE)
            return str(made.raise_for_status().json()["id"])
        if kind == "slot":
            body = {"announcement_id": self.announcement, "zones": ["ban-cam"]}
            n = next(_SLOTS)  # each throwaway slot an hour of its own: no clash
            at = f"2026-12-{2 + n // 12:02d}T{8 + n % 12:02d}:00:00+07:00"
            made = op.post("/api/slots", json={**body, "at": at})
            return str(made.raise_for_status().json()["id"])
        made = op.post(
            "/api/announcements",
            json={"title": "x", "text": "Xin chào.", "voice": "espeak-north-female"},
        )
        return str(made.raise_for_status().json()["id"])


Call = Callable[[World, httpx.Client], httpx.Response]


def call(method: str, path: str, body: Any = None, fresh: str | None = None) -> Call:
    def run(world: World, http: httpx.Client) -> httpx.Response:
        values = {
            "announcement_id": world.announcement,
            "program_hash": world.program,
            "slot_id": world.slot,
            "voice_id": "espeak-south-male",
            "zone": "na-heo",
            "slug": "na-heo",
            "receiver_id": 1,
            "bulletin_id": 1,
            "template_id": 1,
            "repeat_id": 1,
        }
        if fresh:
            key = {
                "zone": "slug",
                "receiver": "receiver_id",
                "slot": "slot_id",
                "template": "template_id",
                "user": "username",
                "lexicon": "entry_id",
            }.get(fresh, "announcement_id")
            values[key] = world.fresh(fresh)
        url = path.format(**values)
        if method == "STREAM":
            with http.stream("GET", url) as response:
                return response
        if isinstance(body, dict) and "files" in body:
            return http.request(method, url, files=body["files"], data=body["data"])
        return http.request(method, url, json=body(world) if callable(body) else body)

    return run


def logout(world: World, http: httpx.Client) -> httpx.Response:
    """Logging out ends the token used, so a spare one is made and ended."""
    spare = http.post("/api/tokens")
    if spare.status_code != 201:
        return http.post("/api/auth/logout")
    ending = {"Authorization": f"Bearer {spare.json()['token']}"}
    response = http.post("/api/auth/logout", headers=ending)
    assert http.post("/api/auth/logout", headers=ending).status_code == 204  # still fine
    assert httpx.get(f"{world.base}/api/me", headers=ending).status_code == 401  # revoked
    return response


def icecast_asks(world: World, http: httpx.Client) -> httpx.Response:
    """Icecast asking whether the zone's receiver may listen: the answer depends on the
    token in the form, never on who asks (Icecast holds no credentials of ours)."""
    mount = f"/na-heo.mp3?token={world.receiver_token}"
    return http.post("/api/icecast/listener", data={"action": "listener_add", "mount": mount})


DRAFT = {"title": "Họp", "text": TEXT, "voice": "espeak-north-female"}
TEMPLATE = {"name": "Lũ", "text": "Lũ quét tại thôn {thôn}.", "voice": "espeak-north-female"}
ANN = "/api/announcements/{announcement_id}"
# (method, route path) -> (how to call it, who is let through)
MATRIX: dict[tuple[str, str], tuple[Call, frozenset[str]]] = {
    ("GET", "/api/health"): (call("GET", "/api/health"), EVERYONE),
    ("POST", "/api/icecast/listener"): (icecast_asks, EVERYONE),
    ("POST", "/api/auth/login"): (
        call("POST", "/api/auth/login", {"username": "canbo", "password": "canbo-mat-khau"}),
        EVERYONE,
    ),
    ("POST", "/api/auth/logout"): (logout, EVERYONE),
    ("GET", "/api/me"): (call("GET", "/api/me"), USERS),
    ("POST", "/api/tokens"): (call("POST", "/api/tokens"), USERS),
    ("POST", "/api/users"): (
        call(
            "POST",
            "/api/users",
            lambda w: {
                "username": f"u{time.monotonic_ns()}",
                "password": "12345678x",
                "role": "officer",
            },
        ),
        ONLY_OPERATOR,
    ),
    ("GET", "/api/tokens"): (call("GET", "/api/tokens"), USERS),
    ("DELETE", "/api/tokens/{token_id}"): (
        call("DELETE", "/api/tokens/999999"),
        USERS,  # 404: no such token of theirs
    ),
    ("PUT", "/api/me/password"): (
        call("PUT", "/api/me/password", {"current": "sai", "new": "12345678x"}),
        USERS,  # 422: the current password is wrong
    ),
    ("POST", "/api/users/{username}/disable"): (
        call("POST", "/api/users/{username}/disable", fresh="user"),
        ONLY_OPERATOR,
    ),
    ("POST", "/api/users/{username}/enable"): (
        call("POST", "/api/users/{username}/enable", fresh="user"),
        ONLY_OPERATOR,
    ),
    ("POST", "/api/users/{username}/password"): (
        call("POST", "/api/users/{username}/password", fresh="user"),
        ONLY_OPERATOR,
    ),
    ("DELETE", "/api/users/{username}/tokens"): (
        call("DELETE", "/api/users/{username}/tokens", fresh="user"),
        ONLY_OPERATOR,
    ),
    ("GET", "/api/zones"): (call("GET", "/api/zones"), USERS),
    ("POST", "/api/zones"): (
        call("POST", "/api/zones", lambda w: {"slug": f"n{time.monotonic_ns()}", "name": "n"}),
        ONLY_OPERATOR,
    ),
    ("DELETE", "/api/zones/{slug}"): (
        call("DELETE", "/api/zones/{slug}", fresh="zone"),
        ONLY_OPERATOR,
    ),
    ("GET", "/api/receivers"): (call("GET", "/api/receivers"), USERS),
    ("POST", "/api/receivers"): (
        call("POST", "/api/receivers", {"name": "Loa", "zone": "na-heo"}),
        ONLY_OPERATOR,
    ),
    ("DELETE", "/api/receivers/{receiver_id}"): (
        call("DELETE", "/api/receivers/{receiver_id}", fresh="receiver"),
        ONLY_OPERATOR,
    ),
    ("POST", "/api/receivers/heartbeat"): (
        call("POST", "/api/receivers/heartbeat", {"status": "ok"}),
        ONLY_RECEIVER,
    ),
    ("GET", "/api/receivers/upcoming"): (call("GET", "/api/receivers/upcoming"), ONLY_RECEIVER),
    ("POST", "/api/receivers/played"): (
        call(
            "POST",
            "/api/receivers/played",
            lambda w: {
                "airing_id": 1,
                "program": w.program,
                "source": "stream",
                "started_at": "2026-12-01T05:00:00+07:00",
                "completed": True,
            },
        ),
        ONLY_RECEIVER,
    ),
    ("GET", "/api/receivers/programs/{program_hash}.mp3"): (
        call("GET", "/api/receivers/programs/{program_hash}.mp3"),
        ONLY_RECEIVER,
    ),
    ("GET", "/api/asrun.csv"): (
        call("GET", "/api/asrun.csv?start=2026-12-01&end=2026-12-01"),
        USERS,
    ),
    ("GET", "/api/announcements"): (call("GET", "/api/announcements"), USERS),
    ("POST", "/api/announcements"): (call("POST", "/api/announcements", DRAFT), WRITERS),
    ("POST", "/api/announcements/upload"): (
        call(
            "POST",
            "/api/announcements/upload",
            {
                "files": {"file": ("a.txt", TEXT.encode(), "text/plain")},
                "data": {"title": "Tệp", "voice": "espeak-north-female"},
            },
        ),
        WRITERS,
    ),
    ("GET", "/api/announcements/{announcement_id}"): (call("GET", ANN), USERS),
    ("PUT", "/api/announcements/{announcement_id}"): (call("PUT", ANN, DRAFT), WRITERS),
    ("DELETE", "/api/announcements/{announcement_id}"): (
        call("DELETE", ANN, fresh="announcement"),
        WRITERS,
    ),
    ("POST", "/api/announcements/{announcement_id}/preview"): (
        call("POST", ANN + "/preview"),
        USERS,
    ),
    ("POST", "/api/announcements/{announcement_id}/submit"): (
        call("POST", ANN + "/submit", fresh="announcement"),
        WRITERS,
    ),
    ("POST", "/api/announcements/{announcement_id}/approve"): (
        call("POST", ANN + "/approve", {"revision": 1, "program": "0" * 64}),
        JUDGES,
    ),
    ("POST", "/api/announcements/{announcement_id}/reject"): (
        call("POST", ANN + "/reject", {"reason": "sai"}),
        JUDGES,
    ),
    ("GET", "/api/programs/{program_hash}.mp3"): (
        call("GET", "/api/programs/{program_hash}.mp3"),
        USERS,
    ),
    ("GET", "/api/slots"): (call("GET", "/api/slots"), USERS),
    ("POST", "/api/slots"): (
        call(
            "POST",
            "/api/slots",
            lambda w: {
                "announcement_id": w.announcement,
                "zones": ["na-heo"],
                "at": "2026-12-05T08:00:00+07:00",
            },
        ),
        WRITERS,
    ),
    ("DELETE", "/api/slots/{slot_id}"): (
        call("DELETE", "/api/slots/{slot_id}", fresh="slot"),
        WRITERS,
    ),
    ("GET", "/api/timeline"): (call("GET", "/api/timeline?zone=na-heo"), USERS),
    ("POST", "/api/emergency"): (
        call(
            "POST",
            "/api/emergency",
            lambda w: {"announcement_id": w.announcement, "zones": ["na-heo"]},
        ),
        ONLY_OPERATOR,  # the only seeded user holding the emergency right
    ),
    ("GET", "/api/emergency/repeats"): (call("GET", "/api/emergency/repeats"), USERS),
    ("POST", "/api/emergency/repeats/{repeat_id}/cancel"): (
        call("POST", "/api/emergency/repeats/{repeat_id}/cancel"),
        ONLY_OPERATOR,  # the emergency right; 404 for it here (no repeat was made)
    ),
    ("GET", "/api/communes"): (call("GET", "/api/communes"), USERS),
    ("POST", "/api/communes"): (
        call("POST", "/api/communes", lambda w: {"slug": f"c{time.monotonic_ns()}", "name": "x"}),
        ONLY_OPERATOR,
    ),
    ("PUT", "/api/communes/{slug}"): (
        call("PUT", "/api/communes/xa", {"slug": "xa", "name": "Xã Vi Hương"}),
        ONLY_OPERATOR,
    ),
    ("PUT", "/api/slots/{slot_id}/position"): (
        call("PUT", "/api/slots/{slot_id}/position", {"position": 0}),
        WRITERS,
    ),
    ("POST", "/api/bulletins"): (
        call(
            "POST",
            "/api/bulletins",
            {**DRAFT, "level": "normal", "communes": ["xa"]},
        ),
        WRITERS,  # of the level above, as every seeded user is
    ),
    ("POST", "/api/bulletins/audio"): (
        call(
            "POST",
            "/api/bulletins/audio",
            {
                "files": {"file": ("x.wav", b"not audio")},
                "data": {"title": "x", "level": "normal", "communes": ["xa"]},
            },
        ),
        WRITERS,
    ),
    ("GET", "/api/bulletins"): (call("GET", "/api/bulletins"), USERS),
    ("GET", "/api/bulletins/{bulletin_id}"): (call("GET", "/api/bulletins/{bulletin_id}"), USERS),
    ("GET", "/api/templates"): (call("GET", "/api/templates"), USERS),
    ("POST", "/api/templates"): (call("POST", "/api/templates", TEMPLATE), WRITERS),
    ("DELETE", "/api/templates/{template_id}"): (
        call("DELETE", "/api/templates/{template_id}", fresh="template"),
        WRITERS,
    ),
    ("POST", "/api/templates/{template_id}/emergency"): (
        call(
            "POST",
            "/api/templates/{template_id}/emergency",
            {"fields": {"thôn": "Nà Héo"}, "zones": ["na-heo"]},
        ),
        ONLY_OPERATOR,
    ),
    ("GET", "/api/cache/stats"): (call("GET", "/api/cache/stats"), USERS),
    ("GET", "/api/alerts"): (call("GET", "/api/alerts"), USERS),
    ("PUT", "/api/zones/{slug}/volume"): (
        call("PUT", "/api/zones/{slug}/volume", {"volume": 80}),
        ONLY_OPERATOR,
    ),
    ("PUT", "/api/receivers/{receiver_id}/volume"): (
        call("PUT", "/api/receivers/{receiver_id}/volume", {"volume": 60}),
        ONLY_OPERATOR,
    ),
    ("POST", "/api/reading"): (
        call("POST", "/api/reading", {"text": TEXT, "voice": "espeak-north-female"}),
        USERS,
    ),
    ("GET", "/api/lexicon"): (call("GET", "/api/lexicon"), USERS),
    ("DELETE", "/api/lexicon/{entry_id}"): (
        call("DELETE", "/api/lexicon/{entry_id}", fresh="lexicon"),
        WRITERS,
    ),
    ("POST", "/api/lexicon"): (
        call("POST", "/api/lexicon", {"written": "Nà Héo", "spoken": "na heo"}),
        WRITERS,
    ),
    ("GET", "/api/voices"): (call("GET", "/api/voices"), USERS),
    ("GET", "/api/voices/{voice_id}/sample.mp3"): (
        call("GET", "/api/voices/{voice_id}/sample.mp3"),
        USERS,
    ),
    ("POST", "/api/voices/{voice_id}/pull"): (
        call("POST", "/api/voices/vi_VN-vivos-x_low/pull"),
        ONLY_OPERATOR,
    ),
    ("GET", "/api/voices/{voice_id}/pull"): (
        call("GET", "/api/voices/{voice_id}/pull"),
        USERS,
    ),
    ("GET", "/stream/{zone}.mp3"): (call("STREAM", "/stream/{zone}.mp3"), ONLY_RECEIVER),
    # the public side
    ("GET", "/public"): (call("GET", "/public"), EVERYONE),
    ("GET", "/public/feed.xml"): (call("GET", "/public/feed.xml"), EVERYONE),
    ("GET", "/public/{commune}"): (call("GET", "/public/xa"), EVERYONE),
    ("GET", "/public/{commune}/feed.xml"): (call("GET", "/public/xa/feed.xml"), EVERYONE),
    ("GET", "/public/audio/{program_hash}.mp3"): (
        call("GET", "/public/audio/" + "0" * 64 + ".mp3"),
        EVERYONE,  # 404 until it has aired, for everyone alike (this one never has)
    ),
    ("GET", "/login"): (call("GET", "/login"), EVERYONE),
}
# The exact status of each route for each of ROLES, in that order (anonymous, officer,
# reviewer, operator, receiver), called in MATRIX's order on the world below: 401 without
# credentials of the right kind, 403 for a role the rule refuses, and for the roles let
# through what that call gets (409 where an earlier role's call already changed the state).
STATUS: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/health"): (200, 200, 200, 200, 200),
    ("POST", "/api/icecast/listener"): (200, 200, 200, 200, 200),
    ("POST", "/api/auth/login"): (200, 200, 200, 200, 200),
    ("POST", "/api/auth/logout"): (204, 204, 204, 204, 204),
    ("GET", "/api/me"): (401, 200, 200, 200, 401),
    ("POST", "/api/tokens"): (401, 201, 201, 201, 401),
    ("POST", "/api/users"): (401, 403, 403, 201, 401),
    ("GET", "/api/tokens"): (401, 200, 200, 200, 401),
    ("DELETE", "/api/tokens/{token_id}"): (401, 404, 404, 404, 401),
    ("PUT", "/api/me/password"): (401, 422, 422, 422, 401),
    ("POST", "/api/users/{username}/disable"): (401, 403, 403, 200, 401),
    ("POST", "/api/users/{username}/enable"): (401, 403, 403, 200, 401),
    ("POST", "/api/users/{username}/password"): (401, 403, 403, 200, 401),
    ("DELETE", "/api/users/{username}/tokens"): (401, 403, 403, 204, 401),
    ("GET", "/api/zones"): (401, 200, 200, 200, 401),
    ("POST", "/api/zones"): (401, 403, 403, 201, 401),
    ("DELETE", "/api/zones/{slug}"): (401, 403, 403, 204, 401),
    ("GET", "/api/receivers"): (401, 200, 200, 200, 401),
    ("POST", "/api/receivers"): (401, 403, 403, 201, 401),
    ("DELETE", "/api/receivers/{receiver_id}"): (401, 403, 403, 204, 401),
    ("POST", "/api/receivers/heartbeat"): (401, 401, 401, 401, 200),
    ("GET", "/api/receivers/upcoming"): (401, 401, 401, 401, 200),
    ("POST", "/api/receivers/played"): (401, 401, 401, 401, 200),
    ("GET", "/api/receivers/programs/{program_hash}.mp3"): (401, 401, 401, 401, 404),
    ("GET", "/api/asrun.csv"): (401, 200, 200, 200, 401),
    ("GET", "/api/announcements"): (401, 200, 200, 200, 401),
    ("POST", "/api/announcements"): (401, 201, 403, 201, 401),
    ("POST", "/api/announcements/upload"): (401, 201, 403, 201, 401),
    ("GET", "/api/announcements/{announcement_id}"): (401, 200, 200, 200, 401),
    ("PUT", "/api/announcements/{announcement_id}"): (401, 200, 403, 200, 401),
    ("DELETE", "/api/announcements/{announcement_id}"): (401, 204, 403, 204, 401),
    ("POST", "/api/announcements/{announcement_id}/preview"): (401, 200, 200, 200, 401),
    ("POST", "/api/announcements/{announcement_id}/submit"): (401, 200, 403, 200, 401),
    ("POST", "/api/announcements/{announcement_id}/approve"): (401, 403, 409, 409, 401),
    ("POST", "/api/announcements/{announcement_id}/reject"): (401, 403, 200, 409, 401),
    ("GET", "/api/programs/{program_hash}.mp3"): (401, 200, 200, 200, 401),
    ("GET", "/api/slots"): (401, 200, 200, 200, 401),
    ("POST", "/api/slots"): (401, 201, 403, 409, 401),
    ("DELETE", "/api/slots/{slot_id}"): (401, 204, 403, 204, 401),
    ("GET", "/api/timeline"): (401, 200, 200, 200, 401),
    ("POST", "/api/emergency"): (401, 403, 403, 201, 401),
    ("GET", "/api/emergency/repeats"): (401, 200, 200, 200, 401),
    ("POST", "/api/emergency/repeats/{repeat_id}/cancel"): (401, 403, 403, 404, 401),
    ("GET", "/api/communes"): (401, 200, 200, 200, 401),
    ("POST", "/api/communes"): (401, 403, 403, 201, 401),
    ("PUT", "/api/communes/{slug}"): (401, 403, 403, 200, 401),
    ("PUT", "/api/slots/{slot_id}/position"): (401, 200, 403, 200, 401),
    ("POST", "/api/bulletins"): (401, 201, 403, 201, 401),
    ("POST", "/api/bulletins/audio"): (401, 422, 403, 422, 401),
    ("GET", "/api/bulletins"): (401, 200, 200, 200, 401),
    ("GET", "/api/bulletins/{bulletin_id}"): (401, 200, 200, 200, 401),
    ("GET", "/api/templates"): (401, 200, 200, 200, 401),
    ("POST", "/api/templates"): (401, 201, 403, 201, 401),
    ("DELETE", "/api/templates/{template_id}"): (401, 204, 403, 204, 401),
    ("POST", "/api/templates/{template_id}/emergency"): (401, 403, 403, 201, 401),
    ("GET", "/api/cache/stats"): (401, 200, 200, 200, 401),
    ("GET", "/api/alerts"): (401, 200, 200, 200, 401),
    ("PUT", "/api/zones/{slug}/volume"): (401, 403, 403, 200, 401),
    ("PUT", "/api/receivers/{receiver_id}/volume"): (401, 403, 403, 200, 401),
    ("POST", "/api/reading"): (401, 200, 200, 200, 401),
    ("GET", "/api/lexicon"): (401, 200, 200, 200, 401),
    ("DELETE", "/api/lexicon/{entry_id}"): (401, 204, 403, 204, 401),
    ("POST", "/api/lexicon"): (401, 201, 403, 201, 401),
    ("GET", "/api/voices"): (401, 200, 200, 200, 401),
    ("GET", "/api/voices/{voice_id}/sample.mp3"): (401, 200, 200, 200, 401),
    ("POST", "/api/voices/{voice_id}/pull"): (401, 403, 403, 202, 401),
    ("GET", "/api/voices/{voice_id}/pull"): (401, 404, 404, 404, 401),
    ("GET", "/stream/{zone}.mp3"): (401, 401, 401, 401, 200),
    ("GET", "/public"): (200, 200, 200, 200, 200),
    ("GET", "/public/feed.xml"): (200, 200, 200, 200, 200),
    ("GET", "/public/{commune}"): (200, 200, 200, 200, 200),
    ("GET", "/public/{commune}/feed.xml"): (200, 200, 200, 200, 200),
    ("GET", "/public/audio/{program_hash}.mp3"): (404, 404, 404, 404, 404),
    ("GET", "/login"): (200, 200, 200, 200, 200),
}
# Console pages: any signed-in user (by session cookie) sees them; others go to /login.
PAGES = [
    "/",
    "/compose",
    "/review",
    "/announcements",
    "/announcements/{announcement_id}",
    "/receivers",
    "/asrun",
    "/voices",
    "/emergency",
    "/bulletins",
    "/admin",
]


@pytest.fixture
def world(services: tuple[Services, ManualClock]) -> Iterator[World]:
    app = create_app(services[0], OnAir(services[0].scheduler))
    with serving(app) as base:
        sessions = {name: client(base, name) for name in USERS}
        bearer = {n: c.post("/api/tokens").json()["token"] for n, c in sessions.items()}
        op, officer = sessions[OPERATOR], sessions[OFFICER]
        for slug in ("na-heo", "ban-cam"):
            op.post("/api/zones", json={"slug": slug, "name": slug}).raise_for_status()
        token = op.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"}).json()["token"]
        ann = officer.post("/api/announcements", json=DRAFT).json()["id"]
        program = officer.post(f"/api/announcements/{ann}/preview").json()["hash"]
        officer.post(f"/api/announcements/{ann}/submit").raise_for_status()
        slot = officer.post(
            "/api/slots",
            json={"announcement_id": ann, "zones": ["na-heo"], "at": "2026-12-01T07:00:00+07:00"},
        ).json()["id"]
        officer.post(
            "/api/bulletins", json={**DRAFT, "level": "normal", "communes": ["xa"]}
        ).raise_for_status()
        officer.post("/api/templates", json=TEMPLATE).raise_for_status()
        services[0].scheduler.tick()
        yield World(base, bearer, token, ann, program, slot)


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """Every route the application answers, but FastAPI's own documentation."""
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def test_every_route_allows_exactly_the_roles_it_should(
    world: World, services: tuple[Services, ManualClock]
) -> None:
    app = create_app(services[0], OnAir(services[0].scheduler))
    pages = {("GET", page) for page in PAGES}
    unlisted = routes_of(app) - set(MATRIX) - pages
    assert not unlisted, f"routes missing from the matrix: {sorted(unlisted)}"
    wrong = []
    seen: dict[tuple[str, str], tuple[int, ...]] = {}
    for (method, path), (run, allowed) in MATRIX.items():
        for role in ROLES:
            status = run(world, world.as_(role)).status_code
            assert status < 500, f"{method} {path} as {role}: {status}"
            let_through = status not in (401, 403)
            if let_through != (role in allowed):
                wrong.append(f"{method} {path} as {role}: {status}")
            seen[(method, path)] = (*seen.get((method, path), ()), status)
    assert not wrong, "\n".join(wrong)
    inexact = [f"{k[0]} {k[1]}: {seen[k]}, expected {v}" for k, v in STATUS.items() if seen[k] != v]
    assert not inexact, "\n".join(inexact)
    assert set(STATUS) == set(MATRIX)


# What names one thing of a commune (a zone, announcement, slot, receiver, bulletin,
# template) or acts on one. Voices and content-addressed audio are the deployment's, and
# the receivers' and the public side have guards of their own.
SHARED = {"/api/voices/", "/api/programs/", "/stream/", "/public/", "/api/receivers/programs/"}
NAMED = [
    key for key in MATRIX if "{" in key[1] and not any(key[1].startswith(s) for s in SHARED)
] + [
    ("GET", "/api/timeline"),
    ("POST", "/api/slots"),
    ("POST", "/api/emergency"),
    ("POST", "/api/receivers"),
    ("POST", "/api/communes"),
    ("POST", "/api/bulletins"),
]


def test_a_communes_operator_reaches_nothing_outside_its_commune(world: World) -> None:
    """Everything the world holds is the level above's or commune "xa"'s; an operator of
    another commune, holding the emergency right, is refused every one of them."""
    op = world.as_(OPERATOR)
    op.post("/api/communes", json={"slug": "khac", "name": "Xã khác"}).raise_for_status()
    op.post(
        "/api/users",
        json={
            "username": "vhkhac",
            "password": "vhkhac-mat-khau",
            "role": "operator",
            "commune": "khac",
            "can_emergency": True,
        },
    ).raise_for_status()
    token = client(world.base, "vhkhac").post("/api/tokens").json()["token"]
    outsider = httpx.Client(
        base_url=world.base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    reached = [
        f"{method} {path}: {status}"
        for method, path in NAMED
        if (status := MATRIX[(method, path)][0](world, outsider).status_code) not in (403, 404, 422)
    ]
    assert not reached, "\n".join(reached)
    day = {"start": "2026-12-01", "end": "2026-12-01"}
    assert len(op.get("/api/asrun.csv", params=day).text.splitlines()) > 1
    assert len(outsider.get("/api/asrun.csv", params=day).text.splitlines()) == 1  # header
    for listing in ("/api/announcements", "/api/slots", "/api/receivers", "/api/bulletins"):
        assert outsider.get(listing).json() == [], listing
    assert [z["slug"] for z in outsider.get("/api/zones").json()] == []
    # the console too: another commune's announcement is not there for them
    console = client(world.base, "vhkhac")  # the console reads a session cookie
    assert console.get(f"/announcements/{world.announcement}").status_code == 404
    mine = {e["written"] for e in outsider.get("/api/lexicon").json() if e["level"] != "commune"}
    theirs = {e["written"] for e in op.get("/api/lexicon").json()}
    assert mine <= theirs  # only what the level above and the installation give everyone


def test_console_pages_need_a_session(world: World) -> None:
    for page in PAGES:
        url = page.format(announcement_id=world.announcement)
        anonymous = httpx.get(f"{world.base}{url}", follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
            "/login?next="
        ), page
        for name in USERS:
            allowed = page != "/admin" or name == OPERATOR  # who holds which right: theirs
            expected = 200 if allowed else 403
            assert client(world.base, name).get(url).status_code == expected, (page, name)


def test_a_receiver_token_is_not_a_user_and_a_user_is_not_a_receiver(world: World) -> None:
    as_receiver = world.as_(RECEIVER)
    assert as_receiver.get("/api/announcements").status_code == 401
    assert world.as_(OPERATOR).post("/api/receivers/heartbeat", json={}).status_code == 401


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_tokens_and_passwords_stay_out_of_the_server_log(data_dir: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [RADIO, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RADIO_DATA_DIR": str(data_dir)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        secret = "bimat-khong-duoc-ghi-log-123"
        httpx.get(f"{base}/stream/na-heo.mp3?token={secret}")
        httpx.get(f"{base}/api/receivers/upcoming?hours=2&token={secret}")
        httpx.get(f"{base}/stream/na-heo.mp3?tok%65n={secret}")  # read as "token" too
        httpx.get(f"{base}/api/receivers/upcoming?%74oken={secret}&hours=2")
        httpx.get(f"{base}/api/receivers/upcoming?TOKEN={secret}")
        httpx.post(f"{base}/api/auth/login", json={"username": "ai", "password": secret})
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=20)
    assert "/stream/na-heo.mp3?token=***" in log
    assert "/stream/na-heo.mp3?tok%65n=***" in log
    assert secret not in log
