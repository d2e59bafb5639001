"""Several communes under a district, and bulletins the district sends them (Circular
39/2020): each commune sees only its own; normal bulletins wait in the inbox until
scheduled, priority ones go first in the next slot, emergencies cut into every zone of
the chosen communes at once. Real HTTP, real database, real playout."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
import numpy as np
import pyloudnorm
import pytest
from sqlalchemy import select

from radio.models import Airing, AuditEvent, User
from radio.onair import OnAir
from radio.services import Services, build
from radio.settings import Settings
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import approve, asrun_rows, client, error
from tests.audio_checks import decode_mp3
from tests.clirun import radio
from voices.audio.format import TARGET_LUFS

BULLETIN = {
    "title": "Tiêm chủng mở rộng",
    "text": "Trạm y tế xã tổ chức tiêm chủng cho trẻ em vào sáng thứ Bảy.",
    "voice": "espeak-north-female",
}
# commune -> its zones; "xa" (the installation's first commune) is never chosen below.
COMMUNES = {"vi-huong": ["ban-chang", "na-vai"], "na-ri": ["pac-lang"], "xa": ["na-heo"]}


def district(base: str) -> None:
    """Communes, their zones and their people, made by the district's operator; commune
    users' passwords follow the seeded ones ("<name>-mat-khau")."""
    operator = client(base, "vanhanh")
    for commune, zones in COMMUNES.items():
        if commune != "xa":
            made = operator.post("/api/communes", json={"slug": commune, "name": commune})
            assert made.status_code == 201, made.text
        for zone in zones:
            made = operator.post(
                "/api/zones", json={"slug": zone, "name": zone, "commune": commune}
            )
            assert made.status_code == 201, made.text
    for name, role, commune in [
        ("cbvihuong", "officer", "vi-huong"),
        ("ctvihuong", "reviewer", "vi-huong"),
        ("cbnari", "officer", "na-ri"),
    ]:
        made = operator.post(
            "/api/users",
            json={
                "username": name,
                "password": f"{name}-mat-khau",
                "role": role,
                "commune": commune,
            },
        )
        assert made.status_code == 201, made.text


@pytest.fixture
def api(services: tuple[Services, ManualClock]) -> Iterator[str]:
    """The API without playout: the scheduler is ticked by the test."""
    with serving(create_app(services[0])) as base:
        district(base)
        yield base


@pytest.fixture
def live(services: tuple[Services, ManualClock], onair: OnAir) -> Iterator[str]:
    with serving(create_app(services[0], onair)) as base:
        district(base)
        yield base


def test_a_commune_sees_and_uses_only_its_own(api: str) -> None:
    officer, other = client(api, "cbvihuong"), client(api, "cbnari")
    assert [z["slug"] for z in officer.get("/api/zones").json()] == ["ban-chang", "na-vai"]
    assert [c["slug"] for c in officer.get("/api/communes").json()] == ["vi-huong"]
    assert officer.get("/api/me").json()["commune"]["slug"] == "vi-huong"
    nari = {**BULLETIN, "title": "Họp", "text": "Xã Na Rì họp dân lúc 8 giờ."}
    theirs = other.post("/api/announcements", json=nari).json()["id"]
    error(officer.get(f"/api/announcements/{theirs}"), 404)
    error(officer.post(f"/api/announcements/{theirs}/submit"), 404)
    assert all(a["id"] != theirs for a in officer.get("/api/announcements").json())
    ours = officer.post("/api/announcements", json=BULLETIN).json()["id"]
    their_audio = other.post(f"/api/announcements/{theirs}/preview").json()["audio_url"]
    our_audio = officer.post(f"/api/announcements/{ours}/preview").json()["audio_url"]
    assert officer.get(our_audio).status_code == 200
    error(officer.get(their_audio), 404)  # nor its audio, though programs are named by hash
    at = "2026-12-01T09:00:00+07:00"
    body = {"announcement_id": ours, "zones": ["pac-lang"], "at": at}
    assert error(officer.post("/api/slots", json=body), 422)["field"] == "zones"
    error(officer.post("/api/zones", json={"slug": "x", "name": "x", "commune": "na-ri"}), 403)
    error(officer.post("/api/communes", json={"slug": "y", "name": "y"}), 403)
    # the district sees every commune's work
    district_officer = client(api, "canbo")
    seen = {a["id"] for a in district_officer.get("/api/announcements").json()}
    assert {theirs, ours} <= seen
    assert district_officer.get(their_audio).status_code == 200
    assert len(district_officer.get("/api/zones").json()) == 4


def test_a_normal_bulletin_waits_in_the_inbox_and_airs_once_scheduled(
    live: str, services: tuple[Services, ManualClock]
) -> None:
    sender = client(live, "canbo")
    sent = sender.post(
        "/api/bulletins", json={**BULLETIN, "level": "normal", "communes": ["vi-huong", "na-ri"]}
    )
    assert sent.status_code == 201, sent.text
    bulletin = sent.json()
    assert [(c["commune"], c["state"]) for c in bulletin["communes"]] == [
        ("vi-huong", "inbox"),
        ("na-ri", "inbox"),
    ]
    officer = client(live, "cbvihuong")
    inbox = officer.get("/api/bulletins").json()
    assert [[c["commune"] for c in b["communes"]] for b in inbox] == [["vi-huong"]]
    announcement = inbox[0]["communes"][0]["announcement_id"]
    assert officer.get(f"/api/announcements/{announcement}").json()["status"] == "approved"
    error(officer.put(f"/api/announcements/{announcement}", json=BULLETIN), 409)  # not ours
    services[1].advance(timedelta(hours=3))  # time passes: nothing airs unscheduled
    time.sleep(1.5)
    with services[0].sessions() as db:
        assert db.scalar(select(Airing.id).where(Airing.announcement_id == announcement)) is None
    slot = officer.post(
        "/api/slots",
        json={
            "announcement_id": announcement,
            "zones": ["ban-chang", "na-vai"],
            "at": "2026-12-01T08:10:00+07:00",
        },
    )
    assert slot.status_code == 201, slot.text
    states = {
        c["commune"]: c for c in sender.get(f"/api/bulletins/{bulletin['id']}").json()["communes"]
    }
    assert states["vi-huong"]["state"] == "scheduled"
    assert states["vi-huong"]["next_at"] == "2026-12-01T08:10:00+07:00"
    assert states["na-ri"]["state"] == "inbox"
    services[1].advance(timedelta(minutes=10))
    deadline = time.monotonic() + 30
    while (state := _state(sender, bulletin["id"], "vi-huong"))["state"] != "aired":
        assert time.monotonic() < deadline, state
        time.sleep(0.3)
    assert state["zones_aired"] == ["ban-chang", "na-vai"]
    assert _state(sender, bulletin["id"], "na-ri")["state"] == "inbox"
    rows = asrun_rows(officer, "2026-12-01")  # the commune's own as-run log
    assert {(r["commune"], r["zone"], r["status"]) for r in rows} == {
        ("vi-huong", "ban-chang", "aired"),
        ("vi-huong", "na-vai", "aired"),
    }


def _state(sender: httpx.Client, bulletin: int, commune: str) -> dict[str, object]:
    found = sender.get(f"/api/bulletins/{bulletin}").json()["communes"]
    return next(c for c in found if c["commune"] == commune)


def test_a_priority_bulletin_goes_first_in_the_next_slot_and_the_officer_may_move_it(
    api: str, services: tuple[Services, ManualClock]
) -> None:
    officer, reviewer = client(api, "cbvihuong"), client(api, "ctvihuong")
    own = officer.post("/api/announcements", json={**BULLETIN, "title": "Họp thôn"}).json()["id"]
    officer.post(f"/api/announcements/{own}/submit").raise_for_status()
    approve(reviewer, own)
    at = "2026-12-01T07:00:00+07:00"
    made = officer.post(
        "/api/slots", json={"announcement_id": own, "zones": ["ban-chang"], "at": at}
    )
    assert made.status_code == 201, made.text
    sent = client(api, "canbo").post(
        "/api/bulletins",
        json={
            **BULLETIN,
            "title": "Phòng chống dịch",
            "level": "priority",
            "communes": ["vi-huong"],
        },
    )
    assert sent.status_code == 201, sent.text
    state = sent.json()["communes"][0]
    assert state["state"] == "scheduled" and state["next_at"] == at  # the zone's next slot

    def order() -> list[tuple[str, str, bool]]:
        items = officer.get("/api/timeline", params={"zone": "ban-chang"}).json()["items"]
        return [(i["title"], i["start"][11:19], i["conflict"]) for i in items]

    first = order()
    assert [t for t, _, _ in first] == ["Phòng chống dịch", "Họp thôn"]
    assert first[0][1] == "07:00:00" and first[1][1] > "07:00:00"  # queued behind it
    assert not any(clash for _, _, clash in first)
    # na-vai has nothing scheduled this week: the bulletin waits in its inbox there
    assert officer.get("/api/timeline", params={"zone": "na-vai"}).json()["items"] == []
    slots = [s for s in officer.get("/api/slots").json() if s["announcement_id"] != own]
    moved = officer.put(f"/api/slots/{slots[0]['id']}/position", json={"position": 1})
    assert moved.status_code == 200, moved.text
    assert [t for t, _, _ in order()] == ["Họp thôn", "Phòng chống dịch"]
    # and playout gets them in that order at 07:00
    services[1].advance(timedelta(hours=2) - timedelta(seconds=2))
    due = services[0].scheduler.tick().due
    with services[0].sessions() as db:
        titles = [db.get(Airing, i).announcement.title for i in due]  # type: ignore[union-attr]
    assert titles == ["Họp thôn", "Phòng chống dịch"]


def test_an_emergency_from_the_district_is_on_every_zone_of_the_chosen_communes_within_2s(
    live: str, services: tuple[Services, ManualClock], onair: OnAir
) -> None:
    error(
        client(live, "canbo").post(  # the district's officer lacks the emergency right
            "/api/bulletins",
            json={**BULLETIN, "level": "emergency", "communes": ["vi-huong"]},
        ),
        403,
    )
    error(
        client(live, "cbvihuong").post(  # communes do not send bulletins
            "/api/bulletins", json={**BULLETIN, "level": "normal", "communes": ["vi-huong"]}
        ),
        403,
    )
    sender = client(live, "vanhanh")
    assert sender.get("/api/bulletins").json() == []  # nothing half-made
    body = {
        "title": "Lũ quét",
        "text": "Thông báo khẩn. Lũ quét đang về. Bà con di chuyển lên chỗ cao ngay.",
        "voice": "espeak-north-female",
        "level": "emergency",
        "communes": ["vi-huong", "na-ri"],
    }
    sent = sender.post("/api/bulletins", json=body)
    answered = time.monotonic()
    assert sent.status_code == 201, sent.text
    chosen = ["ban-chang", "na-vai", "pac-lang"]
    waiting = set(chosen)
    while waiting:
        for zone in list(waiting):
            playing = onair.playout.channel(zone).current
            if playing is not None and playing.emergency:
                waiting.discard(zone)
        assert time.monotonic() - answered < 2.0, f"not on air within 2 s: {sorted(waiting)}"
        time.sleep(0.01)
    assert onair.playout.channel("na-heo").current is None  # a commune not chosen
    with services[0].sessions() as db:
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "bulletin-emergency"))
        assert event is not None and event.detail["communes"] == ["vi-huong", "na-ri"]
    bulletin = sent.json()["id"]
    deadline = time.monotonic() + 40
    while {_state(sender, bulletin, c)["state"] for c in ("vi-huong", "na-ri")} != {"aired"}:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert _state(sender, bulletin, "vi-huong")["zones_aired"] == ["ban-chang", "na-vai"]
    assert _state(sender, bulletin, "na-ri")["zones_aired"] == ["pac-lang"]


def test_each_commune_has_its_own_public_page_and_feed(live: str) -> None:
    """Residents of a commune find what aired on their loudspeakers, not their neighbours'."""
    sender = client(live, "vanhanh")
    body = {**BULLETIN, "title": "Cháy rừng", "level": "emergency", "communes": ["na-ri"]}
    bulletin = sender.post("/api/bulletins", json=body).json()["id"]
    deadline = time.monotonic() + 40
    while _state(sender, bulletin, "na-ri")["state"] != "aired":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    anyone = httpx.Client(base_url=live)  # no login
    assert "Cháy rừng" in anyone.get("/public/na-ri").text
    assert "Cháy rừng" not in anyone.get("/public/vi-huong").text
    everything = anyone.get("/public").text
    assert "Cháy rừng" in everything and 'href="/public/vi-huong"' in everything
    feeds = {
        c: ElementTree.fromstring(anyone.get(f"/public/{c}/feed.xml").content) for c in COMMUNES
    }
    assert [i.findtext("title") for i in feeds["na-ri"].iter("item")] == ["Cháy rừng"]
    assert [i.findtext("title") for i in feeds["vi-huong"].iter("item")] == []
    assert feeds["na-ri"].findtext("channel/link") == f"{live}/public/na-ri"
    error(anyone.get("/public/khong-co-xa-nay"), 404)


def _recording(seconds: float, rate: int = 48000) -> bytes:
    """A stereo WAV of tone bursts, quieter than broadcast level."""
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.05 * np.sin(2 * np.pi * 330 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
    stereo = (np.stack([tone, tone], axis=1) * 32767).astype(np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(stereo.tobytes())
    return out.getvalue()


def test_a_recorded_bulletin_is_brought_to_broadcast_format_and_loudness(api: str) -> None:
    sender = client(api, "canbo")
    form = {"title": "Bản tin huyện", "level": "normal", "communes": ["vi-huong", "na-ri"]}
    bad = sender.post(
        "/api/bulletins/audio", data=form, files={"file": ("x.mp3", b"not audio at all" * 100)}
    )
    assert error(bad, 422)["field"] == "file"
    assert sender.get("/api/bulletins").json() == []
    sent = sender.post(
        "/api/bulletins/audio", data=form, files={"file": ("ban-tin.wav", _recording(6.0))}
    )
    assert sent.status_code == 201, sent.text
    program = sent.json()["program"]
    audio = sender.get(f"/api/programs/{program}.mp3")
    pcm = decode_mp3(audio.content)
    assert pcm.sample_rate == 22050
    assert pcm.duration == pytest.approx(6.0, abs=0.1)
    meter = pyloudnorm.Meter(pcm.sample_rate)
    lufs = meter.integrated_loudness(pcm.samples.astype(np.float64) / 32768)
    assert lufs == pytest.approx(TARGET_LUFS, abs=1.0)
    states = [c["state"] for c in sent.json()["communes"]]
    assert states == ["inbox", "inbox"]


def test_the_shell_adds_a_user_to_a_commune_and_refuses_an_unknown_one(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADIO_PASSWORD", "cbxa-mat-khau")
    added = radio("user", "add", "cbxa", "--role", "officer", "--commune", "xa")
    assert added.returncode == 0, added.stderr
    assert "added officer cbxa of xa" in added.stdout
    wrong = radio("user", "add", "cbkhac", "--role", "officer", "--commune", "khong-co")
    assert wrong.returncode != 0
    assert "no commune 'khong-co' (there are: xa)" in wrong.stderr
    services = build(Settings.from_env({"RADIO_DATA_DIR": str(data_dir)}))
    with services.sessions() as db:
        users = {u.username: u.commune_id for u in db.scalars(select(User))}
    services.close()
    assert users == {"cbxa": 1}  # and nothing of the refused one
