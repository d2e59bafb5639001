"""Fan-out (issue 18): a stream takes its connection over and the zone's channel writes to
the socket directly. What a receiver gets is a plain HTTP/1.1 body until close (no chunked
framing: many IP loudspeakers cannot read it), and a receiver that stops reading is let go
once BEHIND_S behind and counted, while the others on its zone keep hearing the zone."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from playout.listeners import BEHIND_S, SEND_BUFFER
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from tests.apiclient import setup_zone
from voices.audio import format as broadcast


@pytest.fixture
def base(services: tuple[Services, ManualClock], onair: OnAir) -> Iterator[str]:
    with serving(create_app(services[0], onair)) as url:
        yield url


def open_stream(base: str, token: str, receive_buffer: int | None = None) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    if receive_buffer is not None:  # before connecting: the window is agreed then
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /stream/na-heo.mp3?token={token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.settimeout(10)
    return sock


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_the_stream_is_a_plain_body_until_the_connection_closes(base: str) -> None:
    token, _ = setup_zone(base)
    with open_stream(base, token) as sock:
        head, body = read_head(sock)
        lines = head.decode("latin-1").lower().split("\r\n")
        assert lines[0] == "http/1.1 200 ok"
        headers = dict(line.split(": ", 1) for line in lines[1:])
        assert headers["content-type"] == broadcast.MEDIA_TYPE
        assert headers["connection"] == "close"
        assert "transfer-encoding" not in headers and "content-length" not in headers
        while len(body) < 4:
            body += sock.recv(4096)
        assert body[0] == 0xFF and body[1] & 0xE0 == 0xE0  # an MP3 frame, nothing before it


def test_a_receiver_that_stops_reading_is_let_go_and_counted(base: str, onair: OnAir) -> None:
    """Before, each listener had a queue of 40 chunks and a task; now its socket's buffer
    is the only backlog, bounded at BEHIND_S of audio beyond what the kernel holds."""
    stalled_token, _ = setup_zone(base)
    channel = onair.playout.channel("na-heo")
    with open_stream(base, stalled_token, 4096) as stalled, open_stream(base, stalled_token) as ok:
        read_head(stalled)
        read_head(ok)
        heard = 0
        # kernel buffers (ours SEND_BUFFER, its few kB) and then BEHIND_S in ours, at 6 kB/s
        deadline = time.monotonic() + BEHIND_S + 4 * SEND_BUFFER / broadcast.BYTES_PER_SECOND + 20
        while channel.dropped == 0:
            assert time.monotonic() < deadline, "the stalled receiver was never let go"
            heard += len(ok.recv(65536))  # the other one keeps reading
        assert len(channel.listeners) == 1  # the one that reads stays
        before = heard
        started = time.monotonic()
        while time.monotonic() - started < 1.5:
            heard += len(ok.recv(65536))
        assert heard - before >= broadcast.BYTES_PER_SECOND  # and still hears the zone
        stalled.settimeout(10)
        left = b""
        while chunk := stalled.recv(65536):  # what was sent before the hang-up, then the end
            left += chunk
        assert len(left) <= (BEHIND_S + 1) * broadcast.BYTES_PER_SECOND + 4 * SEND_BUFFER
