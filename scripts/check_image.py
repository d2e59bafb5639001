"""What scripts/check-image asks of a station running from the image, over HTTP as a user
and a loudspeaker would: sign in, add a zone and a loudspeaker, write an announcement,
hear it, approve it, schedule it 20 s ahead, then pull 10 s of the zone's stream from its
airtime and check that it decodes to speech. Exit 0 when all of it held.

    uv run python scripts/check_image.py http://127.0.0.1:PORT [--stream-base URL]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import miniaudio
import numpy as np

TEXT = "Kính thưa bà con. Thôn Nà Héo họp lúc 14 giờ tại nhà văn hóa."
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def step(what: str) -> None:
    print(f"check-image: {what}", flush=True)


def signed_in(base: str, user: str, password: str) -> httpx.Client:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit("check-image: the station did not answer /api/health within 90 s")
        time.sleep(0.5)
    client = httpx.Client(base_url=base, timeout=120)
    answer = client.post("/api/auth/login", json={"username": user, "password": password})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return client


def announce(client: httpx.Client) -> tuple[str, datetime]:
    """A zone, its loudspeaker's token, and an approved announcement scheduled on it."""
    client.post("/api/zones", json={"slug": "na-heo", "name": "Nà Héo"}).raise_for_status()
    token = client.post("/api/receivers", json={"name": "Loa 1", "zone": "na-heo"})
    token.raise_for_status()
    body = {"title": "Họp thôn", "text": TEXT, "voice": "espeak-north-female"}
    made = client.post("/api/announcements", json=body)
    made.raise_for_status()
    number = made.json()["id"]
    heard = client.post(f"/api/announcements/{number}/preview")
    heard.raise_for_status()
    client.post(f"/api/announcements/{number}/submit").raise_for_status()
    shown = client.get(f"/api/announcements/{number}").json()
    approval = {"revision": shown["revision"]["number"], "program": heard.json()["hash"]}
    client.post(f"/api/announcements/{number}/approve", json=approval).raise_for_status()
    at = (datetime.now(HANOI) + timedelta(seconds=20)).replace(microsecond=0)
    slot = {"announcement_id": number, "zones": ["na-heo"], "at": at.isoformat()}
    client.post("/api/slots", json=slot).raise_for_status()
    return str(token.json()["token"]), at


def listen(url: str, at: datetime, seconds: float = 10.0) -> bytes:
    """The stream's bytes from just before airtime for `seconds` after it."""
    time.sleep(max(0.0, (at - datetime.now(HANOI)).total_seconds() - 2))
    got = bytearray()
    with httpx.stream("GET", url, timeout=30, follow_redirects=True) as answer:
        answer.raise_for_status()
        ends = time.monotonic() + seconds + 2
        for chunk in answer.iter_bytes():
            got += chunk
            if time.monotonic() > ends:
                break
    return bytes(got)


def spoken_seconds(mp3: bytes) -> float:
    decoded = miniaudio.decode(mp3, output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1)
    samples = np.asarray(decoded.samples, dtype=np.float32)
    rate = decoded.sample_rate
    windows = samples[: len(samples) // rate * rate].reshape(-1, rate)
    return float(np.sum(np.sqrt(np.mean(windows**2, axis=1)) > 0.01))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--stream-base", help="where the zone's stream is pulled (Icecast)")
    parser.add_argument("--user", default="vanhanh")
    parser.add_argument("--password", default="vanhanh-mat-khau")
    args = parser.parse_args()
    client = signed_in(args.base, args.user, args.password)
    step("signed in; making, approving and scheduling an announcement")
    token, at = announce(client)
    stream = f"{args.stream_base or args.base}/stream/na-heo.mp3?token={token}"
    if args.stream_base:
        stream = f"{args.stream_base}/na-heo.mp3?token={token}"
    step(f"listening to {stream.split('?')[0]} at {at:%H:%M:%S}")
    heard = spoken_seconds(listen(stream, at))
    if heard < 2:
        sys.exit(f"check-image: the stream decoded but held {heard:.0f} s of speech")
    step(f"the stream decodes and holds {heard:.0f} s of speech")
    if args.stream_base:  # Icecast asks the API: a token that is not a receiver's is refused
        wrong = httpx.get(f"{args.stream_base}/na-heo.mp3?token=not-a-receiver", timeout=10)
        if wrong.status_code not in (401, 403):
            sys.exit(f"check-image: Icecast let a wrong token listen ({wrong.status_code})")
        step(f"Icecast refuses a token that is not a receiver's ({wrong.status_code})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
