"""How many receivers one `radio serve` process feeds on these cores, and how on time.

A real server runs as its own process (`radio serve` on a temporary installation, SQLite,
built-in voice). N receivers (raw asyncio sockets, in this process) spread over the zones
pull their streams while one approved program airs on every zone at a slot a few seconds
ahead. Per N it reports:
- late_share: share of chunks that arrive more than 1 s behind real time (the stream's
  bytes against the wall clock since the receiver's first byte);
- airtime_error_ms: median delay from the slot time to a receiver's first audible frame;
- start_skew_ms: spread of first audible frames across the receivers of one zone (max).
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.table import print_table, rows

ZONES = 4
BYTES_PER_S = 48_000 / 8
LISTEN_S = 14.0
LEAD_S = 6.0  # the slot is this far ahead when the receivers are connected
TEXT = "Kính thưa bà con. Đây là bản tin thử nghiệm của Đài truyền thanh xã Vi Hương."
COUNTS = (100, 500, 1000, 2000, 3000, 4000, 6000)


@dataclass
class Heard:
    first_byte: float | None = None
    received: int = 0
    chunks: int = 0
    late: int = 0
    first_audible: float | None = None
    buffer: bytearray = field(default_factory=bytearray)


def run(texts: list[str]) -> dict[str, object]:
    del texts  # the program is a fixed bulletin; the corpus is not needed
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "RADIO_DATA_DIR": tmp}
        tokens, program_s = _prepare(Path(tmp), max(COUNTS))
        radio = str(Path(sys.executable).with_name("radio"))
        server = subprocess.Popen(
            [radio, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            for count in COUNTS:
                slot_at = _schedule(Path(tmp), port, LEAD_S)
                rows.append(asyncio.run(_listen(port, tokens[:count], slot_at, program_s)))
                if not _holds(rows[-1]):
                    break  # the breaking point: larger N only fails harder
        finally:
            server.terminate()
            server.wait(10)
    holding = [r for r in rows if _holds(r)]
    best = max(holding, key=lambda r: r["receivers"]) if holding else rows[0]
    broke = next((r["receivers"] for r in rows if not _holds(r)), None)
    return {**best, "breaks_at": broke, "runs": rows}


def _holds(row: dict[str, float]) -> bool:
    """The issue's goals: every receiver served, < 1 % late chunks, airtime within 200 ms,
    start skew within 500 ms."""
    return (
        row["heard_program"] == row["receivers"]
        and row["late_share"] < 0.01
        and abs(row["airtime_error_ms"]) <= 200
        and row["start_skew_ms"] <= 500
    )


def _prepare(data_dir: Path, receivers: int) -> tuple[list[tuple[str, str]], float]:
    """Users, zones, receivers and an approved bulletin, through the service's own code."""
    from sqlalchemy import select

    from radio import announcements as flow
    from radio.access.sessions import hash_password
    from radio.access.tokens import new_token
    from radio.models import Commune, Receiver, Role, User, Zone
    from radio.services import build
    from radio.settings import Settings

    services = build(Settings.from_env({"RADIO_DATA_DIR": str(data_dir)}))
    tokens = []
    with services.sessions.begin() as db:
        officer = User(
            username="bench", password_hash=hash_password("bench-password"), role=Role.OPERATOR
        )
        commune = db.scalar(select(Commune))
        zones = [Zone(slug=f"zone-{i}", name=f"Zone {i}", commune=commune) for i in range(ZONES)]
        db.add_all([officer, *zones])
        db.flush()
        for i in range(receivers):
            token, digest = new_token(24)
            zone = zones[i % ZONES]
            db.add(Receiver(name=f"r{i}", zone=zone, token_hash=digest))
            tokens.append((zone.slug, token))
        announcement = flow.create(
            db, officer, flow.Draft("Bench", TEXT, "espeak-north-female"), services.speech
        )
        flow.submit(db, officer, announcement)
        program = services.speech.render_revision(db, announcement.current)
        flow.approve(db, officer, announcement, program)
        program_s = program.duration
    services.close()
    return tokens, program_s


def _schedule(data_dir: Path, port: int, lead_s: float) -> float:
    """A one-off slot on every zone `lead_s` from now; returns its wall-clock time."""
    from radio.models import Announcement, Slot, Zone
    from radio.services import build
    from radio.settings import Settings

    services = build(Settings.from_env({"RADIO_DATA_DIR": str(data_dir)}))
    at = datetime.now(UTC) + timedelta(seconds=lead_s)
    with services.sessions.begin() as db:
        from sqlalchemy import select

        announcement = db.scalars(select(Announcement)).one()
        db.add(Slot(announcement=announcement, zones=list(db.scalars(select(Zone))), at=at))
    services.close()
    return at.timestamp()


async def _listen(
    port: int, tokens: list[tuple[str, str]], slot_at: float, program_s: float
) -> dict[str, float]:
    heard = [Heard() for _ in tokens]
    end = time.time() + LISTEN_S
    await asyncio.gather(
        *(
            _receive(port, zone, token, h, end)
            for (zone, token), h in zip(tokens, heard, strict=True)
        )
    )
    connected = [h for h in heard if h.first_byte is not None]
    chunks = sum(h.chunks for h in connected) or 1
    audible = [h.first_audible for h in connected if h.first_audible is not None]
    skews = []
    for zone in {z for z, _ in tokens}:
        starts = [
            h.first_audible
            for (z, _), h in zip(tokens, heard, strict=True)
            if z == zone and h.first_audible is not None
        ]
        if len(starts) > 1:
            skews.append((max(starts) - min(starts)) * 1000)
    return {
        "receivers": len(tokens),
        "connected": len(connected),
        "heard_program": len(audible),
        "late_share": sum(h.late for h in connected) / chunks,
        "airtime_error_ms": statistics.median([(t - slot_at) * 1000 for t in audible])
        if audible
        else float("nan"),
        "start_skew_ms": max(skews) if skews else float("nan"),
        "program_s": program_s,
    }


async def _receive(port: int, zone: str, token: str, heard: Heard, end: float) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    writer.write(f"GET /stream/{zone}.mp3?token={token} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    await writer.drain()
    try:
        await reader.readuntil(b"\r\n\r\n")
        while time.time() < end:
            data = await asyncio.wait_for(reader.read(65536), timeout=max(0.1, end - time.time()))
            if not data:
                break
            now = time.time()
            if heard.first_byte is None:
                heard.first_byte = now
            behind = (now - heard.first_byte) - heard.received / BYTES_PER_S
            heard.chunks += 1
            heard.late += behind > 1.0
            heard.received += len(data)
            if heard.first_audible is None:
                heard.buffer += data
                if _audible(heard.buffer):
                    heard.first_audible = now
                heard.buffer = heard.buffer[-400:]
    except (TimeoutError, asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()


def _audible(data: bytes | bytearray) -> bool:
    """Whether the bytes hold a frame that is not our silent frame (whose body is zeros):
    a 32-byte run of frame body with any non-zero byte after a frame header."""
    index = data.find(b"\xff\xf3")
    while index != -1 and index + 40 <= len(data):
        if any(data[index + 8 : index + 40]):
            return True
        index = data.find(b"\xff\xf3", index + 2)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def report(figures: dict[str, object]) -> None:
    runs = rows(figures, "runs")
    print(f"{ZONES} zones, one process `radio serve`, receivers on loopback, {LISTEN_S:.0f} s")
    print_table(
        [
            "receivers",
            "connected",
            "heard program",
            "late >1 s",
            "airtime error ms",
            "start skew ms",
        ],
        [
            [
                r["receivers"],
                r["connected"],
                r["heard_program"],
                f"{r['late_share']:.2%}",
                r["airtime_error_ms"],
                r["start_skew_ms"],
            ]
            for r in runs
        ],
    )
    broke = figures["breaks_at"]
    print(f"holds at {figures['receivers']}; " + (f"breaks at {broke}" if broke else "never broke"))
