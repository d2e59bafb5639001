"""The REST API over real HTTP on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest

from radio.models import AuditEvent
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import TEXT, approve, client, error, heard
from tests.audio_checks import decode_mp3


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


def new_announcement(officer: httpx.Client, title: str = "Họp thôn", text: str = TEXT) -> int:
    response = officer.post(
        "/api/announcements", json={"title": title, "text": text, "voice": "espeak-north-female"}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_compose_review_schedule_timeline_and_prerender(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    operator, officer, reviewer = (client(base, u) for u in ("vanhanh", "canbo", "chutich"))
    for slug, name in [("na-heo", "Thôn Nà Héo"), ("ban-cam", "Thôn Bản Cám")]:
        assert operator.post("/api/zones", json={"slug": slug, "name": name}).status_code == 201
    ann = new_announcement(officer)
    preview = officer.post(f"/api/announcements/{ann}/preview").json()
    audio = officer.get(preview["audio_url"])
    assert audio.headers["content-type"] == "audio/mpeg"
    assert decode_mp3(audio.content).duration == pytest.approx(preview["duration"], abs=0.01)
    assert officer.post(f"/api/announcements/{ann}/submit").json()["status"] == "pending"
    error(officer.post(f"/api/announcements/{ann}/approve", json=heard(officer, ann)), 403)
    approved = approve(reviewer, ann)
    assert approved["status"] == "approved" and approved["approved_program"] == preview["hash"]

    week = {
        "announcement_id": ann,
        "zones": ["na-heo", "ban-cam"],
        "times": ["06:00", "17:00"],
        "start_date": "2026-12-01",
        "end_date": "2026-12-07",
    }
    assert officer.post("/api/slots", json=week).status_code == 201

    other = new_announcement(officer, "Tiêm phòng", "Tiêm phòng gia súc từ ngày 3/12.")
    clash = {"announcement_id": other, "zones": ["ban-cam"], "at": "2026-12-03T17:00:02+07:00"}
    body = error(officer.post("/api/slots", json=clash), 409)
    assert "Họp thôn" in body["en"] and "Họp thôn" in body["vi"] and body["conflicts"]

    timeline = officer.get(
        "/api/timeline", params={"zone": "na-heo", "start": "2026-12-01", "days": 7}
    ).json()
    assert len(timeline["items"]) == 14
    assert timeline["items"][0]["start"] == "2026-12-01T06:00:00+07:00"
    assert not any(i["conflict"] for i in timeline["items"])

    scheduler, clock = services[0].scheduler, services[1]
    scheduler.tick()
    clock.advance(timedelta(minutes=51))  # 05:51
    assert len(scheduler.tick().rendered) == 2  # both zones' 06:00 airing ready 9 min early


def test_overlaps_are_refused_and_ones_made_later_are_flagged(base: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
    first, second = new_announcement(officer), new_announcement(officer, "Bầu cử")
    at = {"zones": ["na-heo"], "at": "2026-12-02T07:00:00+07:00"}
    assert officer.post("/api/slots", json={"announcement_id": first, **at}).status_code == 201
    error(officer.post("/api/slots", json={"announcement_id": second, **at}), 409)
    later = {"zones": ["na-heo"], "at": "2026-12-02T07:00:30+07:00"}
    assert officer.post("/api/slots", json={"announcement_id": second, **later}).status_code == 201
    params = {"zone": "na-heo", "start": "2026-12-02"}
    items = officer.get("/api/timeline", params=params).json()["items"]
    assert [(i["title"], i["conflict"]) for i in items] == [("Họp thôn", False), ("Bầu cử", False)]
    # The first announcement grows to a minute of speech: now it runs into the second one.
    officer.put(
        f"/api/announcements/{first}",
        json={
            "title": "Họp thôn",
            "text": TEXT + " Xin bà con đến đúng giờ." * 30,
            "voice": "espeak-north-female",
        },
    )
    items = officer.get("/api/timeline", params=params).json()["items"]
    assert [(i["title"], i["conflict"]) for i in items] == [("Họp thôn", True), ("Bầu cử", True)]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"title": "A", "text": "   ", "voice": "espeak-north-female"}, 422, None),
        ({"title": "A", "text": "x" * 20_001, "voice": "espeak-north-female"}, 413, None),
        ({"title": "A", "text": "Xin chào.", "voice": "giong-la"}, 422, "voice"),
        ({"title": "A", "text": "Xin chào.", "voice": "espeak-north-female", "rate": 5}, 422, None),
        ({"title": "A", "voice": "espeak-north-female"}, 422, None),
    ],
)
def test_bad_announcements_are_refused_and_nothing_is_saved(
    base: str, payload: dict[str, Any], status: int, field: str | None
) -> None:
    officer = client(base, "canbo")
    body = error(officer.post("/api/announcements", json=payload), status)
    if field:
        assert body["field"] == field
    assert officer.get("/api/announcements").json() == []


def test_bad_slots_are_refused(base: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
    ann = new_announcement(officer)
    past = {"announcement_id": ann, "zones": ["na-heo"], "at": "2026-11-30T07:00:00+07:00"}
    assert "đã qua" in error(officer.post("/api/slots", json=past), 422)["vi"]
    backwards = {
        "announcement_id": ann,
        "zones": ["na-heo"],
        "times": ["06:00"],
        "start_date": "2026-12-05",
        "end_date": "2026-12-01",
    }
    assert "trước ngày bắt đầu" in error(officer.post("/api/slots", json=backwards), 422)["vi"]
    unknown = {"announcement_id": ann, "zones": ["khong-co"], "at": "2026-12-02T07:00:00+07:00"}
    assert error(officer.post("/api/slots", json=unknown), 422)["field"] == "zones"
    assert error(
        officer.post(
            "/api/slots", content=b"{not json", headers={"content-type": "application/json"}
        ),
        422,
    )
    assert officer.get("/api/slots").json() == []


def test_roles_and_sessions(base: str) -> None:
    anonymous = httpx.Client(base_url=base)
    error(anonymous.get("/api/announcements"), 401)
    error(anonymous.post("/api/auth/login", json={"username": "canbo", "password": "sai"}), 401)
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    error(officer.post("/api/zones", json={"slug": "x", "name": "X"}), 403)
    error(
        reviewer.post(
            "/api/announcements", json={"title": "A", "text": "B", "voice": "espeak-north-female"}
        ),
        403,
    )
    ann = new_announcement(officer)
    error(officer.post("/api/emergency", json={"announcement_id": ann, "zones": ["x"]}), 403)
    token = officer.post("/api/tokens").json()["token"]
    bearer = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/api/me").json()["role"] == "officer"
    assert officer.post("/api/auth/logout").status_code == 204
    error(officer.get("/api/me"), 401)


def test_session_expires(base: str, services: tuple[Services, ManualClock]) -> None:
    officer = client(base, "canbo")
    services[1].advance(timedelta(hours=13))
    assert "hết hạn" in error(officer.get("/api/me"), 401)["vi"]


def test_upload_utf16_text_and_limits(base: str) -> None:
    officer = client(base, "canbo")
    form = {"title": "Tải lên", "voice": "espeak-north-female"}
    text = "Thông báo: họp thôn lúc 19h30."
    created = officer.post(
        "/api/announcements/upload",
        data=form,
        files={"file": ("tb.txt", text.encode("utf-16"), "text/plain")},
    )
    assert created.status_code == 201 and created.json()["revision"]["text"] == text
    huge = officer.post(
        "/api/announcements/upload",
        data=form,
        files={"file": ("big.txt", b"a" * 300_000, "text/plain")},
    )
    error(huge, 413)
    latin = officer.post(
        "/api/announcements/upload",
        data=form,
        files={"file": ("l.txt", b"Th\xf4ng b\xe1o \xff", "text/plain")},
    )
    error(latin, 422)


def test_editing_an_approved_announcement_sends_it_back_to_review(base: str) -> None:
    officer, reviewer = client(base, "canbo"), client(base, "chutich")
    ann = new_announcement(officer)
    officer.post(f"/api/announcements/{ann}/submit")
    approve(reviewer, ann)
    edited = officer.put(
        f"/api/announcements/{ann}",
        json={"title": "Họp thôn", "text": TEXT + " Xin cảm ơn.", "voice": "espeak-north-female"},
    )
    assert edited.json()["status"] == "pending" and edited.json()["approved_program"] is None
    rejected = reviewer.post(f"/api/announcements/{ann}/reject", json={"reason": "Sai ngày"})
    assert rejected.json()["status"] == "rejected"
    error(reviewer.post(f"/api/announcements/{ann}/reject", json={"reason": " "}), 422)


def test_emergency_is_role_gated_and_audited(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
    ann = new_announcement(officer, "Cháy rừng", "Thông báo khẩn! Cháy rừng tại thôn Nà Héo.")
    made = operator.post("/api/emergency", json={"announcement_id": ann, "zones": ["na-heo"]})
    assert made.status_code == 201 and len(made.json()["airings"]) == 1
    from sqlalchemy import select

    from radio.models import AuditEvent

    with services[0].sessions() as db:
        assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "emergency"))


def test_health_cache_stats_and_openapi(base: str) -> None:
    assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
    stats = client(base, "canbo").get("/api/cache/stats").json()
    assert {"hits", "misses", "bytes", "evictions", "seconds_saved"} <= set(stats)
    assert "/api/slots" in httpx.get(f"{base}/openapi.json").json()["paths"]


def test_changes_by_session_cookie_need_the_csrf_token(base: str) -> None:
    officer = client(base, "canbo")
    forged = httpx.Client(base_url=base, cookies=officer.cookies)  # another site's form
    body = {"title": "Giả mạo", "text": TEXT, "voice": "espeak-north-female"}
    error(forged.post("/api/announcements", json=body), 403)
    error(forged.post("/api/announcements", json=body, headers={"X-CSRF-Token": "x" * 32}), 403)
    assert forged.get("/api/announcements").json() == []  # reading needs no token; none saved
    token = officer.post("/api/tokens").json()["token"]
    bearer = httpx.post(
        f"{base}/api/announcements", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 201  # scripts with a bearer token are not a browser


def test_reading_preview_and_a_lexicon_entry_on_the_spot(base: str) -> None:
    officer = client(base, "canbo")
    text = "Họp lúc 14h00 ngày 2/12 tại UBND xã.\nThôn Nà Héo, HTX Tân Tiến."
    lines = officer.post(
        "/api/reading", json={"text": text, "voice": "espeak-north-female"}
    ).json()["lines"]
    first = {r["original"]: (r["reading"], r["kind"]) for r in lines[0]["rewrites"]}
    assert first["14h00"][0] == "mười bốn giờ"
    assert "tháng mười hai" in first["2/12"][0]
    assert first["UBND"][0] == "ủy ban nhân dân"
    for r in lines[0]["rewrites"]:
        assert lines[0]["cleaned"][r["start"] : r["end"]] == r["original"]
    assert "HTX" in {r["original"] for r in lines[1]["rewrites"]}
    added = officer.post("/api/lexicon", json={"written": "Tân Tiến", "spoken": "tân tiến"})
    assert added.status_code == 201
    officer.post("/api/lexicon", json={"written": "Nà Héo", "spoken": "na heo"})
    again = officer.post("/api/reading", json={"text": text, "voice": "espeak-north-female"})
    kinds = {r["original"]: r["kind"] for r in again.json()["lines"][1]["rewrites"]}
    assert kinds["Nà Héo"] == "lexicon" and kinds["Tân Tiến"] == "lexicon"
    assert len(officer.get("/api/lexicon").json()) == 2
    bad = error(officer.post("/api/lexicon", json={"written": "a = b", "spoken": "x"}), 422)
    assert bad["field"] == "written"
    error(officer.post("/api/reading", json={"text": text, "voice": "khong-co"}), 422)
    error(client(base, "chutich").post("/api/lexicon", json={"written": "A", "spoken": "a"}), 403)


def test_a_broken_lexicon_line_is_shown_and_never_stops_a_render(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """A hand-edited lexicon.txt with a slip: readings go on without that line, the preview
    names it, and an entry added from the console leaves the person's lines as they were."""
    path = services[0].settings.lexicon_path
    path.write_text("# tên thôn\nNà Héo = Nà Hẻo\nBản Cám: bản cám\n", "utf-8")
    officer = client(base, "canbo")
    body = {"text": "Thôn Nà Héo họp.", "voice": "espeak-north-female"}
    reading = officer.post("/api/reading", json=body).json()
    assert reading["lexicon_problems"] == [
        f"{path}:3: expected 'written = spoken', got 'Bản Cám: bản cám'"
    ]
    assert reading["lines"][0]["rewrites"][0]["reading"] == "Nà Hẻo"
    ann = new_announcement(officer, text="Thôn Nà Héo họp lúc 7 giờ.")
    preview = officer.post(f"/api/announcements/{ann}/preview")
    assert preview.status_code == 200, preview.text
    assert decode_mp3(officer.get(preview.json()["audio_url"]).content).duration > 1
    added = officer.post("/api/lexicon", json={"written": "HTX", "spoken": "hợp tác xã"})
    assert added.status_code == 201
    assert added.json()["level"] == "above"  # kept in the database, audited
    assert path.read_text("utf-8") == "# tên thôn\nNà Héo = Nà Hẻo\nBản Cám: bản cám\n"
    levels = {e["written"]: e["level"] for e in officer.get("/api/lexicon").json()}
    assert levels == {"Nà Héo": "installation", "HTX": "above"}


def test_a_slot_can_be_checked_without_saving_it(base: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
    first, second = new_announcement(officer), new_announcement(officer, "Tiêm phòng")
    at = {"zones": ["na-heo"], "at": "2026-12-01T17:00:00+07:00"}
    assert officer.post("/api/slots", json={"announcement_id": first, **at}).status_code == 201
    checked = officer.post("/api/slots?check=true", json={"announcement_id": second, **at})
    assert checked.status_code == 200
    assert checked.json()["conflicts"] == ["«Họp thôn» 17:00 01/12/2026"]
    assert checked.json()["next"] == ["2026-12-01T17:00:00+07:00"]
    assert len(officer.get("/api/slots").json()) == 1  # nothing saved


def test_voices_are_listed_with_a_sample_to_listen_to(base: str) -> None:
    officer = client(base, "canbo")
    voices = {v["id"]: v for v in officer.get("/api/voices").json()}
    assert voices["espeak-south-male"]["installed"]
    assert not voices["vi_VN-vais1000-medium"]["installed"]
    sample = officer.get("/api/voices/espeak-south-male/sample.mp3")
    assert decode_mp3(sample.content).duration > 2.0
    error(officer.get("/api/voices/vi_VN-vais1000-medium/sample.mp3"), 409)
    error(officer.post("/api/voices/vi_VN-vais1000-medium/pull"), 403)  # operators only


def test_failed_logins_slow_down_guessing_without_locking_anyone_out(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    def login(user: str, password: str, source: str = "127.0.0.1") -> httpx.Response:
        transport = httpx.HTTPTransport(local_address=source)
        with httpx.Client(transport=transport) as http:
            return http.post(
                f"{base}/api/auth/login", json={"username": user, "password": password}
            )

    for _ in range(5):
        error(login("canbo", "doan-mo"), 401)
    slowed = error(login("canbo", "canbo-mat-khau"), 429)  # this address waits a moment
    assert "1 giây" in slowed["vi"] and "1 seconds" in slowed["en"]
    assert login("canbo", "canbo-mat-khau", "127.0.0.2").status_code == 200  # not locked out
    assert login("chutich", "chutich-mat-khau").status_code == 200  # others unaffected
    error(login("canbo", "doan-mo"), 429)
    services[1].advance(timedelta(seconds=2))
    error(login("canbo", "doan-mo"), 401)  # the sixth: now it waits 2 s, then 4 s, …
    error(login("canbo", "canbo-mat-khau"), 429)
    services[1].advance(timedelta(seconds=3))
    assert login("canbo", "canbo-mat-khau").status_code == 200  # the wait ends
    services[1].advance(timedelta(minutes=16))  # the address's window, too
    for i in range(20):  # one address guessing across many names
        error(login(f"khach{i}", "doan-mo"), 401)
    error(login("vanhanh", "vanhanh-mat-khau"), 429)
    with services[0].sessions() as db:
        events = db.query(AuditEvent).filter(AuditEvent.action == "lockout").all()
        assert [e.target for e in events] == ["user:canbo"]


def test_the_address_throttle_counts_parallel_guesses_and_ignores_forwarded_for(
    base: str,
) -> None:
    """40 parallel attempts all passed the 20-failure throttle, and X-Forwarded-For from
    127.0.0.1 was believed (no proxy is configured here)."""

    def guess(i: int) -> int:
        wrong = {"username": f"khach{i}", "password": "doan-mo"}
        spoofed = {"X-Forwarded-For": f"10.0.0.{i}"}
        return httpx.post(f"{base}/api/auth/login", json=wrong, headers=spoofed).status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert statuses.count(401) == 20 and statuses.count(429) == 20


def test_the_slot_check_warns_of_an_overrun_and_offers_a_rate_that_fits(base: str) -> None:
    operator, officer = client(base, "vanhanh"), client(base, "canbo")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"})
    long_text = " ".join([TEXT] * 6)
    first = new_announcement(officer, "Dài", long_text)
    alone = officer.post(
        "/api/slots?check=true",
        json={"announcement_id": first, "zones": ["na-heo"], "at": "2026-12-01T16:00:00+07:00"},
    ).json()
    assert alone["fits"] and alone["room_seconds"] is None
    seconds = alone["estimated_seconds"]
    assert seconds > 20
    second = new_announcement(officer, "Sau")
    officer.post(
        "/api/slots",
        json={"announcement_id": second, "zones": ["na-heo"], "at": "2026-12-01T17:00:00+07:00"},
    )
    start = 17 * 3600 - round(seconds * 0.85)
    at = f"2026-12-01T{start // 3600:02d}:{start % 3600 // 60:02d}:{start % 60:02d}+07:00"
    tight = officer.post(
        "/api/slots?check=true", json={"announcement_id": first, "zones": ["na-heo"], "at": at}
    ).json()
    assert not tight["fits"] and tight["room_seconds"] == round(seconds * 0.85)
    assert 1.1 < tight["rate_to_fit"] < 1.35
    officer.put(
        f"/api/announcements/{first}",
        json={
            "title": "Dài",
            "text": long_text,
            "voice": "espeak-north-female",
            "rate": tight["rate_to_fit"],
        },
    )
    faster = officer.post(f"/api/announcements/{first}/preview").json()["duration"]
    assert faster <= tight["room_seconds"]  # the offered rate does fit, rendered
