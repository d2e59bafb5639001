"""Faults and bad input: the database going away and coming back, a full disk while
rendering, and input no one should send. Each gets a clear answer and loses nothing that
was already saved (docs/reliability.md)."""

from __future__ import annotations

import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock, SystemClock
from tests.apiclient import TEXT, client, error
from tests.clirun import RADIO
from tests.conftest import seeded
from tests.flaky import Link


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("😀🎉📢", 422),  # nothing readable once emoji are dropped
        ("\x00\x07\x1b[31m\x08", 422),  # control characters only
        ("Họp thôn. " * 100_000, 413),  # a megabyte
    ],
)
def test_unreadable_or_huge_texts_are_refused(base: str, text: str, status: int) -> None:
    officer = client(base, "canbo")
    kept = officer.post(
        "/api/announcements", json={"title": "Giữ", "text": TEXT, "voice": "espeak-north-female"}
    ).json()
    body = {"title": "Lỗi", "text": text, "voice": "espeak-north-female"}
    made = officer.post("/api/announcements", json=body)
    if made.status_code == 201:  # accepted as a draft: it must not render or submit
        ann = made.json()["id"]
        error(officer.post(f"/api/announcements/{ann}/preview"), status)
        error(officer.post(f"/api/announcements/{ann}/submit"), status)
    else:
        error(made, status)
    assert officer.get(f"/api/announcements/{kept['id']}").json() == kept  # untouched


def test_malformed_json_and_wrong_types_are_422(base: str) -> None:
    officer = client(base, "canbo")
    headers = {"Content-Type": "application/json"}
    error(
        officer.post("/api/announcements", content=b'{"title": "A", "text": ', headers=headers), 422
    )
    error(officer.post("/api/announcements", content=b"\xff\xfe\x00", headers=headers), 422)
    error(officer.post("/api/announcements", json=["not", "an", "object"]), 422)
    error(officer.post("/api/slots", json={"announcement_id": "một", "zones": "na-heo"}), 422)
    far = {"start": "9999-12-31", "end": "9999-12-31"}
    error(officer.get("/api/asrun.csv", params=far), 422)  # past the last representable day
    error(officer.get("/api/announcements/99999999999999999999"), 422)
    assert officer.get("/api/announcements").json() == []


def test_nfd_text_reads_and_sounds_exactly_like_nfc(base: str) -> None:
    import unicodedata

    officer = client(base, "canbo")
    hashes = []
    for form in ("NFC", "NFD"):
        made = officer.post(
            "/api/announcements",
            json={
                "title": form,
                "text": unicodedata.normalize(form, TEXT),
                "voice": "espeak-north-female",
            },
        ).json()
        hashes.append(officer.post(f"/api/announcements/{made['id']}/preview").json()["hash"])
    assert hashes[0] == hashes[1]  # one program: the cache sees one text


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite is a local file
def test_the_database_going_away_gives_503_and_the_service_recovers_by_itself(
    db_url: str, data_dir: Path
) -> None:
    """PostgreSQL reached over a link the test cuts and restores; no restart between."""
    url = make_url(db_url)
    link = Link(url.port or 5432)
    services = seeded(
        url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False),
        data_dir,
        SystemClock(),
    )
    try:
        with serving(create_app(services)) as base:
            officer = client(base, "canbo")
            draft = {"title": "Trước", "text": TEXT, "voice": "espeak-north-female"}
            assert officer.post("/api/announcements", json=draft).status_code == 201
            link.cut()
            down = officer.post("/api/announcements", json={**draft, "title": "Trong"})
            body = error(down, 503)
            assert "thử lại" in body["vi"] and down.headers["retry-after"] == "5"
            error(officer.get("/api/announcements"), 503)
            assert httpx.get(f"{base}/api/health").status_code == 503
            link.restore()
            titles = [a["title"] for a in officer.get("/api/announcements").json()]
            assert titles == ["Trước"]  # what was saved is there; the refused one is not
            assert (
                officer.post("/api/announcements", json={**draft, "title": "Sau"}).status_code
                == 201
            )
    finally:
        link.close()
        services.close()


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def test_a_full_disk_while_rendering_fails_cleanly_and_caches_nothing_partial(
    data_dir: Path, tmp_path: Path
) -> None:
    """RLIMIT_FSIZE makes every write past 64 KB fail (EFBIG), as a full disk would."""
    story = tmp_path / "tin.txt"
    story.write_text(TEXT * 6, encoding="utf-8")
    out = tmp_path / "tin.mp3"
    out.write_bytes(b"the previous bulletin")
    failed = subprocess.run(
        [RADIO, "say", "-f", str(story), "-o", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limit_file_size(64_000),
        timeout=120,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith("radio: error: ") and "Traceback" not in failed.stderr
    assert out.read_bytes() == b"the previous bulletin"  # the old file is kept whole
    again = subprocess.run(
        [RADIO, "say", "-f", str(story), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    stats = subprocess.run(
        [RADIO, "cache", "stats", "--json"], capture_output=True, text=True, timeout=60
    )
    assert '"corrupt": 0' in stats.stdout  # nothing half-written was ever read back
