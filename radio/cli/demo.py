"""`radio demo`: the whole station on one machine, in one command. A fresh installation
(SQLite, built-in voice) with a commune seeded, the server and playout, two reference
receivers standing in for hamlet loudspeakers, and an approved bulletin scheduled a
minute ahead. It goes through the same API as any user, so it also shows the flow."""

from __future__ import annotations

import argparse
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from radio.access.tokens import new_secret
from radio.settings import Settings
from schedules import LOCAL_TZ

ZONES = {"na-heo": "Thôn Nà Héo", "ban-cam": "Thôn Bản Cám"}
USERS = [  # username, role, may broadcast emergencies, full name, of the commune (else above)
    ("canbo", "officer", False, "Cán bộ văn hóa xã", True),
    ("chutich", "reviewer", False, "Chủ tịch UBND xã", True),
    ("vanhanh", "operator", True, "Kỹ thuật viên đài", False),
]
BULLETIN = (
    "Kính thưa bà con thôn Nà Héo và thôn Bản Cám. "
    "Ủy ban nhân dân xã thông báo: từ 7h30 ngày 2/12/2026, trạm y tế xã tiêm phòng "
    "vắc-xin cho trẻ em dưới 5 tuổi. Đề nghị các gia đình đưa con em đến đúng giờ. "
    "Xin trân trọng thông báo."
)


@dataclass
class Seeded:
    passwords: dict[str, str]
    tokens: dict[str, str]  # zone -> its receiver's token
    airtime: str


def register(commands: argparse._SubParsersAction[Any]) -> None:
    demo = commands.add_parser(
        "demo", help="the whole station on this machine: server, playout, two loudspeakers"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--lead", type=float, default=60.0, help="seconds until the sample bulletin airs"
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from radio.onair import OnAir
    from radio.services import build
    from radio.web.app import create_app
    from radio.web.server import serving
    from receiver import FileSink, ReferenceReceiver

    home = Path(tempfile.mkdtemp(prefix="loaxa-demo-"))
    demo_settings = Settings(home, settings.default_voice, settings.voices_url, 256 << 20, "")
    services = build(demo_settings)
    passwords = _seed_users(services)
    with serving(create_app(services, OnAir(services.scheduler)), args.host, args.port) as base:
        seeded = _seed_commune(base, passwords, args.lead)
        receivers = [
            ReferenceReceiver(
                base, token, FileSink(home / f"loa-{zone}.mp3"), home / f"cache-{zone}"
            )
            for zone, token in seeded.tokens.items()
        ]
        threads = [threading.Thread(target=r.run, daemon=True) for r in receivers]
        for thread in threads:
            thread.start()
        caught = _catch_interrupts()  # before the line that says Ctrl-C stops it
        _announce(base, seeded, home)
        _wait_for(caught)
        print("\nstopping: loudspeakers, playout, server…", flush=True)
        for receiver in receivers:
            receiver.stop.set()
        for thread in threads:
            thread.join(20)
    services.close()
    print(f"stopped. The demo's data (database, recordings) stays in {home}", flush=True)
    return 0


def _catch_interrupts() -> list[int]:
    """SIGINT and SIGTERM from now on only note the signal. The handler takes no lock
    (Event.set did, and deadlocked when a second signal came while it held it), and signals
    do come in twos: a supervisor that stops the whole process group (systemd) reaches the
    demo directly and through `uv run`, which forwards it, as it does a second Ctrl-C.
    Installed before the demo says "Press Ctrl-C": a signal right after the line stops it
    cleanly instead of killing it."""
    caught: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    return caught


def _wait_for(caught: list[int]) -> None:
    while not caught:
        time.sleep(0.2)


def _seed_users(services: Any) -> dict[str, str]:
    """Users with one-time passwords, printed once: the demo has no default password. The
    officer and the reviewer are the commune's own; the operator runs the installation."""
    from sqlalchemy import select

    from radio.access.sessions import hash_password
    from radio.models import Commune, Role, User

    passwords = {name: new_secret(9) for name, *_ in USERS}
    with services.sessions.begin() as db:
        commune = db.scalars(select(Commune)).one()  # a fresh installation has one
        for name, role, emergency, full_name, local in USERS:
            db.add(
                User(
                    username=name,
                    full_name=full_name,
                    password_hash=hash_password(passwords[name]),
                    role=Role(role),
                    can_emergency=emergency,
                    commune_id=commune.id if local else None,
                )
            )
    return passwords


def _session(base: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    answer = client.post("/api/auth/login", json={"username": user, "password": password})
    answer.raise_for_status()
    client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return client


def _seed_commune(base: str, passwords: dict[str, str], lead: float) -> Seeded:
    """Zones, loudspeakers and an approved bulletin, through the API as its users would."""
    operator, officer, reviewer = (
        _session(base, name, passwords[name]) for name in ("vanhanh", "canbo", "chutich")
    )
    commune = {"slug": "vi-huong", "name": "Xã Vi Hương"}
    operator.put("/api/communes/xa", json=commune).raise_for_status()
    tokens = {}
    for slug, name in ZONES.items():
        operator.post("/api/zones", json={"slug": slug, "name": name}).raise_for_status()
        made = operator.post("/api/receivers", json={"name": f"Loa {name}", "zone": slug})
        tokens[slug] = made.raise_for_status().json()["token"]
    draft = {"title": "Tiêm phòng cho trẻ em", "text": BULLETIN, "voice": "espeak-north-female"}
    announcement = officer.post("/api/announcements", json=draft).raise_for_status().json()["id"]
    officer.post(f"/api/announcements/{announcement}/submit").raise_for_status()
    heard = reviewer.post(f"/api/announcements/{announcement}/preview").raise_for_status()
    approval = {"revision": 1, "program": heard.json()["hash"]}
    reviewer.post(f"/api/announcements/{announcement}/approve", json=approval).raise_for_status()
    now = httpx.get(f"{base}/api/health").json()["time"]
    airtime = (datetime.fromisoformat(now) + timedelta(seconds=lead)).replace(microsecond=0)
    airtime = airtime.astimezone(LOCAL_TZ)
    slot = {"announcement_id": announcement, "zones": list(ZONES), "at": airtime.isoformat()}
    officer.post("/api/slots", json=slot).raise_for_status()
    return Seeded(passwords, tokens, airtime.isoformat())


def _announce(base: str, seeded: Seeded, home: Path) -> None:
    lines = [
        "",
        "Loa Xã demo is running.",
        f"  Console:  {base}/    (public page: {base}/public)",
        "  Users (one-time passwords, shown only now):",
        *(f"    {user:<8} {password}" for user, password in seeded.passwords.items()),
        "  Live streams (any player: ffplay, VLC, mpv):",
        *(
            f"    {ZONES[zone]}: {base}/stream/{zone}.mp3?token={token}"
            for zone, token in seeded.tokens.items()
        ),
        f"  Two loudspeakers are recording to {home}/loa-<zone>.mp3",
        f"  A sample bulletin, approved, airs at {seeded.airtime}",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
