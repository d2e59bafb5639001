"""Credentials that can be managed (issue 17): API tokens expire and can be listed and
revoked, a password can be changed, and an operator can disable an account, reset its
password and end its tokens, each at once and audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from radio.access.tokens import new_secret, new_token
from radio.models import AuditEvent
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client, error


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


def bearer(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def login(base: str, user: str, password: str) -> int:
    answer = httpx.post(f"{base}/api/auth/login", json={"username": user, "password": password})
    return answer.status_code


def test_api_tokens_expire_and_can_be_listed_and_revoked(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """A 12-hour session could mint tokens valid for ever, and none could be revoked."""
    officer = client(base, "canbo")
    default = officer.post("/api/tokens").json()
    short = officer.post("/api/tokens", json={"days": 1}).json()
    error(officer.post("/api/tokens", json={"days": 3650}), 422)
    assert default["expires_at"].startswith("2027-02-28T22:00")  # 90 days, in UTC
    listed = officer.get("/api/tokens").json()
    assert {t["id"] for t in listed} == {default["id"], short["id"]}
    assert "token" not in listed[0]
    assert bearer(base, short["token"]).get("/api/me").status_code == 200
    services[1].advance(timedelta(days=2))
    assert bearer(base, short["token"]).get("/api/me").status_code == 401  # expired
    officer = client(base, "canbo")  # the 12-hour session ended too
    script = bearer(base, default["token"])
    assert script.get("/api/me").status_code == 200
    error(client(base, "chutich").delete(f"/api/tokens/{default['id']}"), 404)  # not theirs
    assert officer.delete(f"/api/tokens/{default['id']}").status_code == 204
    assert script.get("/api/me").status_code == 401
    assert officer.get("/api/tokens").json() == []


def test_a_password_is_changed_with_the_current_one_and_other_sessions_end(base: str) -> None:
    here, elsewhere = client(base, "canbo"), client(base, "canbo")
    change = {"current": "sai-mat-khau", "new": "mat-khau-moi-1"}
    assert error(here.put("/api/me/password", json=change), 422)["field"] == "current"
    error(here.put("/api/me/password", json={"current": "canbo-mat-khau", "new": "ngan"}), 422)
    change["current"] = "canbo-mat-khau"
    assert here.put("/api/me/password", json=change).status_code == 204
    assert here.get("/api/me").status_code == 200  # this session goes on
    assert elsewhere.get("/api/me").status_code == 401  # the other ended
    assert login(base, "canbo", "canbo-mat-khau") == 401
    assert login(base, "canbo", "mat-khau-moi-1") == 200


def test_an_operator_disables_resets_and_revokes(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    script = bearer(base, officer.post("/api/tokens").json()["token"])
    error(officer.post("/api/users/chutich/disable"), 403)
    assert operator.post("/api/users/canbo/disable").json() == {
        "username": "canbo",
        "active": False,
    }
    assert script.get("/api/me").status_code == 401 and officer.get("/api/me").status_code == 401
    assert login(base, "canbo", "canbo-mat-khau") == 401
    assert operator.post("/api/users/canbo/enable").json()["active"] is True
    assert login(base, "canbo", "canbo-mat-khau") == 200
    fresh = operator.post("/api/users/canbo/password").json()["password"]
    assert login(base, "canbo", "canbo-mat-khau") == 401
    assert login(base, "canbo", fresh) == 200
    again = client(base, "chutich")
    assert operator.delete("/api/users/chutich/tokens").status_code == 204
    assert again.get("/api/me").status_code == 401
    error(operator.post("/api/users/vanhanh/disable"), 409)  # not oneself
    error(operator.post("/api/users/khong-co/disable"), 404)
    with services[0].sessions() as db:
        done = set(db.scalars(select(AuditEvent.action)))
    assert {"disable-user", "enable-user", "reset-password", "revoke-tokens"} <= done


def test_a_secret_we_make_can_follow_a_command_line_flag() -> None:
    """A token or password shown to a person is pasted after `--token` or `--password`:
    one starting with '-' (1 in 64 of url-safe strings) reads as another flag there."""
    made = [new_token()[0] for _ in range(2000)] + [new_secret(12) for _ in range(2000)]
    assert not [s for s in made if s.startswith("-")]
    assert len(set(made)) == len(made)
    assert min(len(s) for s in made[:2000]) >= 43  # 32 random bytes
