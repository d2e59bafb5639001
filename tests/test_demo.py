"""`radio demo`, the README's first command: everything starts, the sample bulletin airs
on both hamlets' loudspeakers, and Ctrl-C stops it all cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from schedules import LOCAL_TZ
from tests.apiclient import asrun_rows
from tests.audio_checks import loud_span
from tests.clirun import RADIO


def started(lead: float) -> tuple[subprocess.Popen[str], str]:
    """`radio demo` on a free port, once it says it is running; and what it printed."""
    demo = subprocess.Popen(
        [RADIO, "demo", "--port", "0", "--lead", str(lead)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert demo.stdout is not None
    printed = ""
    while "Press Ctrl-C to stop." not in printed:
        line = demo.stdout.readline()
        assert line, f"the demo ended early: {printed}"
        printed += line
    return demo, printed


def test_the_demo_airs_its_bulletin_on_both_loudspeakers_and_stops_on_ctrl_c() -> None:
    demo, printed = started(6)
    try:
        base = re.search(r"Console:\s+(http://\S+)/", printed).group(1)  # type: ignore[union-attr]
        password = re.search(r"vanhanh\s+(\S+)", printed).group(1)  # type: ignore[union-attr]
        home = Path(re.search(r"recording to (\S+)/loa-", printed).group(1))  # type: ignore[union-attr]
        assert len(re.findall(r"/stream/[a-z-]+\.mp3\?token=\S+", printed)) == 2
        assert httpx.get(f"{base}/login").status_code == 200
        operator = httpx.Client(base_url=base)
        token = operator.post(
            "/api/auth/login", json={"username": "vanhanh", "password": password}
        ).json()["token"]
        operator.headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 90
        while True:
            now = datetime.fromisoformat(httpx.get(f"{base}/api/health").json()["time"])
            today = (
                now.astimezone(LOCAL_TZ).date().isoformat()
            )  # the as-run log's days are Hà Nội's
            rows = asrun_rows(operator, today)
            if len(rows) == 2 and all(r["status"] == "aired" for r in rows):
                break
            assert time.monotonic() < deadline, rows
            time.sleep(1.0)
        duration = operator.get("/api/announcements").json()[0]
        program = operator.post(f"/api/announcements/{duration['id']}/preview").json()
        for zone in ("na-heo", "ban-cam"):
            heard = loud_span((home / f"loa-{zone}.mp3").read_bytes())
            assert heard == pytest.approx(program["duration"], abs=0.8)
    finally:
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=30)
    assert demo.returncode == 0
    assert "stopped." in rest


def test_the_demo_stops_when_signals_come_in_a_burst() -> None:
    """A supervisor stopping the process group reaches the demo directly and through
    `uv run`, which forwards it (as it does a second Ctrl-C): two or three signals at once.
    A handler that took a lock deadlocked on the second one; the demo must still stop, and
    cleanly."""
    demo, _ = started(60)
    for sig in (signal.SIGINT, signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        demo.send_signal(sig)
    try:
        rest, _ = demo.communicate(timeout=30)
    finally:
        demo.kill()
    assert demo.returncode == 0
    assert "stopped." in rest
