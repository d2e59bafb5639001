"""The reference receiver: what a hamlet's loudspeaker box does, written out in Python.
Tests and the demo use it in place of loudspeakers, and it shows the receiver protocol.

- It sends heartbeats (status, clock offset, what it plays) and learns its zone.
- It pulls the zone's live stream into its sink: a file, or a stock player's stdin.
- It fetches the zone's upcoming programs ahead of airtime (checked against their
  sha256), and when its link is down at airtime it plays its own copy from the position
  the program has reached on the server's clock: a flaky link still airs on time.
- It reports every airing it played, from the stream or its copy, and keeps retrying a
  report until the server has it.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from playout import FrameGain, split_frames
from receiver.sinks import ReceiverError, Sink
from voices.audio.format import FRAME_SECONDS
from voices.files import write_atomically
from voices.store.integrity import matches

HEARTBEAT_S = 30.0
PREFETCH_S = 60.0
FIRST_CONTACT_MAX_S = 30.0  # the longest wait between calls to a server not answering yet
STALL_S = 3.0  # the stream always carries frames (silence between programs): a link down
LOCAL_CHUNK = 8  # frames written at a time from a local copy, as the server sends them


@dataclass(frozen=True)
class Upcoming:
    airing_id: int
    at: float  # server time, epoch seconds
    program: str  # sha256 of the MP3
    duration: float
    title: str
    url: str

    @property
    def end(self) -> float:
        return self.at + self.duration


@dataclass
class Played:
    """An airing this receiver is playing or played, and how."""

    item: Upcoming
    started_at: float
    last_heard: float
    volume: int
    sources: set[str] = field(default_factory=set)

    def report(self) -> dict[str, object]:
        return {
            "airing_id": self.item.airing_id,
            "program": self.item.program,
            "source": "+".join(s for s in ("stream", "local") if s in self.sources),
            "started_at": datetime.fromtimestamp(self.started_at, UTC).isoformat(),
            "completed": self.last_heard >= self.item.end - 1.0,
            "volume": self.volume,
        }


class ReferenceReceiver:
    def __init__(
        self,
        server: str,
        token: str,
        sink: Sink,
        cache_dir: Path,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.client = httpx.Client(
            base_url=server.rstrip("/"),
            timeout=10,
            headers={"Authorization": f"Bearer {token}"},
            follow_redirects=True,  # a separate worker serves the streams
        )
        self.sink = sink
        self.cache_dir = cache_dir
        self.heartbeat_s = heartbeat_s
        self.gain = FrameGain()  # the volume the server asks for, applied to every frame
        self.stop = threading.Event()
        self.zone = ""
        self.offset = 0.0  # server clock minus ours, seconds
        self.upcoming: list[Upcoming] = []
        self.link_down = False
        self._lock = threading.Lock()
        self._playing: dict[int, Played] = {}
        self._unsent: list[dict[str, object]] = []
        self._played_locally: set[int] = set()

    def server_now(self) -> float:
        return time.time() + self.offset

    def run(self) -> None:
        """Receive until `stop` is set. Raises ReceiverError when refused."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if not self._first_contact():
            self.sink.close()
            return
        self._prefetch()
        housekeeping = threading.Thread(target=self._housekeep, daemon=True)
        housekeeping.start()
        try:
            while not self.stop.is_set():
                item = self._due_local() if self.link_down else None
                if item is not None:
                    self._play_local(item)
                    continue
                try:
                    self._stream()
                except httpx.HTTPError as exc:  # a flaky link: our copies cover airtime
                    self.link_down = True
                    print(f"stream interrupted ({exc.__class__.__name__})", file=sys.stderr)
                    self.stop.wait(self._retry_in())
        finally:
            self.stop.set()
            housekeeping.join(15)
            self.sink.close()

    # -- the live stream and the local copies ---------------------------------------------

    def _stream(self) -> None:
        path = f"/stream/{self.zone}.mp3"
        with self.client.stream("GET", path, timeout=httpx.Timeout(10, read=STALL_S)) as response:
            if response.status_code in (401, 403, 404):
                raise ReceiverError(f"the server refused the stream: HTTP {response.status_code}")
            if response.status_code != 200:
                raise httpx.HTTPError(f"HTTP {response.status_code}")
            self.gain.restart()
            for chunk in response.iter_bytes():
                self.link_down = False
                self.sink.write(self.gain.feed(chunk))
                self._heard("stream")
                if self.stop.is_set():
                    return

    def _due_local(self) -> Upcoming | None:
        now = self.server_now()
        for item in self.upcoming:
            fresh = item.airing_id not in self._played_locally
            if fresh and item.at <= now < item.end and self._copy(item).is_file():
                return item
        return None

    def _retry_in(self) -> float:
        """A second between reconnections, less when an airtime falls sooner."""
        now = self.server_now()
        soonest = min((i.at - now for i in self.upcoming if i.at > now), default=1.0)
        return min(1.0, max(0.0, soonest))

    def _play_local(self, item: Upcoming) -> None:
        """Our copy from where the program is now, paced like the server's stream."""
        self._played_locally.add(item.airing_id)
        frames = split_frames(self._copy(item).read_bytes()).frames
        position = max(0, int((self.server_now() - item.at) / FRAME_SECONDS))
        print(f"link down: playing {item.title!r} from our copy", file=sys.stderr)
        while position < len(frames) and not self.stop.is_set():
            self.sink.write(self.gain.feed(b"".join(frames[position : position + LOCAL_CHUNK])))
            self._heard("local")
            position += LOCAL_CHUNK
            ahead = item.at + (position - LOCAL_CHUNK) * FRAME_SECONDS - self.server_now()
            self.stop.wait(max(0.0, ahead))

    def _heard(self, source: str) -> None:
        now = self.server_now()
        with self._lock:
            for item in self.upcoming:
                if item.at <= now < item.end:
                    played = self._playing.setdefault(
                        item.airing_id, Played(item, now, now, self.gain.volume)
                    )
                    played.last_heard = now
                    played.sources.add(source)

    def _copy(self, item: Upcoming) -> Path:
        return self.cache_dir / f"{item.program}.mp3"

    # -- talking to the server --------------------------------------------------------------

    def _housekeep(self) -> None:
        """Heartbeats, prefetching and receipts, on their own clock."""
        next_beat = time.monotonic() + self.heartbeat_s
        next_fetch = time.monotonic() + PREFETCH_S
        while not self.stop.wait(1.0):
            try:
                self._finish_played()
                self._send_receipts()
                if time.monotonic() >= next_beat:
                    self._heartbeat("playing" if self._now_playing() else "idle")
                    next_beat = time.monotonic() + self.heartbeat_s
                if time.monotonic() >= next_fetch:
                    self._prefetch()
                    next_fetch = time.monotonic() + PREFETCH_S
            except httpx.HTTPError:
                continue  # the link is down; try again next second
        self._finish_played(everything=True)
        try:
            self._send_receipts()
        except httpx.HTTPError:
            print(f"{len(self._unsent)} receipts could not be sent", file=sys.stderr)

    def _first_contact(self) -> bool:
        """Keep calling until the server answers (False if stopped first): after a power
        cut the loudspeakers are often up before the network or the server is. Only a
        refusal of the token is final."""
        wait = 1.0
        while not self.stop.is_set():
            try:
                self._heartbeat("starting")
                return True
            except httpx.HTTPError as exc:
                reason = exc.__class__.__name__
                print(f"server not reachable ({reason}); again in {wait:.0f} s", file=sys.stderr)
                self.stop.wait(wait)
                wait = min(wait * 2, FIRST_CONTACT_MAX_S)
        return False

    def _heartbeat(self, status: str) -> None:
        sent = time.time()
        body = {"status": status, "playing": self._now_playing(), "volume": self.gain.volume}
        response = self.client.post("/api/receivers/heartbeat", json=body)
        if response.status_code in (401, 403):
            raise ReceiverError(f"the server refused this receiver: HTTP {response.status_code}")
        response.raise_for_status()
        answer = response.json()
        received = time.time()
        server = datetime.fromisoformat(answer["server_time"]).timestamp()
        self.offset = server - (sent + received) / 2
        self.zone = str(answer["zone"])
        self.gain.volume = int(answer.get("volume", 100))
        applied = {**body, "volume": self.gain.volume, "clock_offset_ms": self.offset * 1000}
        self.client.post("/api/receivers/heartbeat", json=applied)

    def _prefetch(self) -> None:
        """Fetch the zone's upcoming programs we do not have, and forget the rest."""
        try:
            response = self.client.get("/api/receivers/upcoming")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            print(f"could not list upcoming programs ({exc.__class__.__name__})", file=sys.stderr)
            return
        upcoming = [
            Upcoming(
                item["airing_id"],
                datetime.fromisoformat(item["at"]).timestamp(),
                item["program"],
                item["duration"],
                item["title"],
                item["url"],
            )
            for item in response.json()
        ]
        for item in upcoming:
            if not self._copy(item).is_file():
                self._fetch(item)
        with self._lock:
            keep = {i.program for i in upcoming} | {p.item.program for p in self._playing.values()}
            self.upcoming = upcoming + [p.item for p in self._playing.values()]
        for copy in self.cache_dir.glob("*.mp3"):
            if copy.stem not in keep:
                copy.unlink(missing_ok=True)

    def _fetch(self, item: Upcoming) -> None:
        response = self.client.get(item.url)
        if response.status_code != 200:
            print(f"could not fetch {item.title!r}: HTTP {response.status_code}", file=sys.stderr)
            return
        if not matches(response.content, item.program):
            print(f"fetched {item.title!r} does not match its hash; dropped", file=sys.stderr)
            return
        write_atomically(self._copy(item), response.content)

    def _finish_played(self, everything: bool = False) -> None:
        now = self.server_now()
        with self._lock:
            for airing_id, played in list(self._playing.items()):
                if everything or now >= played.item.end:
                    self._unsent.append(played.report())
                    del self._playing[airing_id]

    def _send_receipts(self) -> None:
        while self._unsent:
            response = self.client.post("/api/receivers/played", json=self._unsent[0])
            if response.status_code >= 500:
                response.raise_for_status()
            if response.status_code != 200:
                print(f"receipt refused: {response.text}", file=sys.stderr)
            self._unsent.pop(0)

    def _now_playing(self) -> str | None:
        with self._lock:
            return next((p.item.title for p in self._playing.values()), None)
