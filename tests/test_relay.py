"""The relay engine (issue 20, tiếp sóng), in playout: a real HTTP station on loopback
streams an MP3 of a known tone at its own pace; the relay pulls it through the wheel's
ffmpeg, levels it and feeds a live input that a channel-like reader takes four frames at a
time, in real time. The station is killed mid-relay and started again on the same port;
what the reader got is decoded and measured. The same with a real icecast2 between: a
station's encoder feeding a mount, killed (the mount goes) and started again."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from playout.frames import silence
from playout.live import LiveFrames
from playout.relay import Relay
from tests.audio_checks import decode_mp3
from tests.icecast import PASSWORD, icecast
from tests.stations import TONE_HZ, Station, running_station
from tests.test_recordings import dominant_hz
from voices.audio import ffmpeg
from voices.audio.format import FRAME_SECONDS
from voices.audio.pcm import Pcm


@dataclass
class Reader:
    """Takes the live input as a channel does, the frames due by the clock (about four
    every 0.1 s), noting when each take was the source's and when the standby's."""

    live: LiveFrames
    got: list[tuple[float, bytes, bool]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        start, taken = time.monotonic(), 0
        while not self.stop.wait(0.1):
            due = int((time.monotonic() - start) / FRAME_SECONDS) - taken
            before = self.live.filled
            frames = self.live.take(due)
            taken += due
            self.got.append((time.monotonic(), b"".join(frames), self.live.filled == before))

    def first(self, after: float, source: bool, lasting: float = 1.0) -> float:
        """Seconds after `after` until the takes are the source's (or the standby's) and
        stay so for `lasting`."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            takes = [(at, src) for at, _, src in list(self.got) if at > after]
            for index, (at, _) in enumerate(takes):
                span = [src for t, src in takes[index:] if t < at + lasting]
                if takes[-1][0] >= at + lasting and all(s == source for s in span):
                    return at - after
            time.sleep(0.05)
        raise AssertionError(f"no lasting {'source' if source else 'standby'} after {after}")

    def audio(self, start: float, end: float) -> Pcm:
        return decode_mp3(b"".join(d for at, d, src in self.got if start <= at < end and src))


States = list[tuple[float, str, str]]  # when, the relay's state, why


@contextlib.contextmanager
def relaying(url: str, dead_air_s: float) -> Iterator[tuple[Reader, States, float]]:
    """A relay of `url` into a live input that a Reader takes by the clock: the reader,
    the relay's states as they came, and when it started."""
    states: States = []
    live = LiveFrames(silence())
    relay = Relay(url, live, lambda s, why: states.append((time.monotonic(), s, why)), dead_air_s)
    reader = Reader(live)
    threading.Thread(target=reader.run, daemon=True).start()
    started = time.monotonic()
    relay.start()
    try:
        yield reader, states, started
    finally:
        reader.stop.set()
        relay.stop()


def test_a_station_is_relayed_levelled_and_rejoined_after_it_dies(station: Station) -> None:
    url = f"http://127.0.0.1:{station.port}/live"
    with relaying(url, dead_air_s=3.0) as (reader, states, started):
        assert reader.first(started, source=True) < 5  # on air within seconds
        time.sleep(6)
        heard = reader.audio(time.monotonic() - 4, time.monotonic())
        assert dominant_hz(heard) == pytest.approx(TONE_HZ, abs=3)
        rms_db = 20 * np.log10(np.sqrt(np.mean((heard.samples / 32768.0) ** 2)))
        assert rms_db == pytest.approx(-18.0, abs=2.0)  # a −29 dBFS station, levelled

        killed = time.monotonic()
        station.kill()
        assert reader.first(killed, source=False) <= 3.0 + 2.0  # the standby fills
        deadline = time.monotonic() + 5
        while not any(s == "lost" for at, s, _ in states if at > killed):  # and it is said
            assert time.monotonic() < deadline, states
            time.sleep(0.05)
        time.sleep(2)
        station.start()  # back, on the same port
        back = time.monotonic()
        assert reader.first(back, source=True) <= 5.0  # and the relay rejoins
        assert any(s == "on-air" for at, s, _ in states if at > back)


def icecast_source(port: int, mount: str) -> subprocess.Popen[bytes]:
    """A station's encoder feeding a real Icecast mount, in real time (the wheel's ffmpeg)."""
    tone = ["-re", "-f", "lavfi", "-i", f"aevalsrc=0.05*sin(2*PI*{TONE_HZ}*t):s=44100:d=600"]
    out = ["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "-content_type", "audio/mpeg"]
    target = f"icecast://source:{PASSWORD}@127.0.0.1:{port}/{mount}"
    return subprocess.Popen([ffmpeg.executable(), "-v", "error", *tone, *out, target])


def test_a_station_on_a_real_icecast_is_relayed_and_rejoined(tmp_path: Path) -> None:
    with icecast(tmp_path) as port:
        sources = [icecast_source(port, "vov1")]
        try:
            time.sleep(1.0)  # the mount is up
            url = f"http://127.0.0.1:{port}/vov1"
            with relaying(url, dead_air_s=3.0) as (reader, states, started):
                assert reader.first(started, source=True) < 5
                time.sleep(3)
                heard = reader.audio(time.monotonic() - 2.5, time.monotonic())
                assert dominant_hz(heard) == pytest.approx(TONE_HZ, abs=3)
                sources[0].kill()  # the station's encoder dies: Icecast drops the mount
                sources[0].wait()
                killed = time.monotonic()
                assert reader.first(killed, source=False) <= 3.0 + 2.0
                sources.append(icecast_source(port, "vov1"))
                back = time.monotonic()
                assert reader.first(back, source=True) <= 5.0
                assert [s for at, s, _ in states if at > killed][:1] == ["lost"]
        finally:
            for source in sources:
                source.kill()
                source.wait()


def test_a_station_gone_silent_is_dead_air_filled_and_tried_again(tmp_path: Path) -> None:
    """A source that stays connected but sends silence (a studio left on a muted desk) is
    as dead as one that drops: after the dead-air time it is reported and the standby
    fills; the relay tries again, and a source that sounds again is relayed again."""
    quiet_after = 4.0  # this station: a tone for 4 s, then silence (each connection anew)
    wave = f"0.05*sin(2*PI*{TONE_HZ}*t)*lt(t\\,{quiet_after:g})"
    with (
        running_station(tmp_path, wave) as station,
        relaying(f"http://127.0.0.1:{station.port}/live", 2.0) as (reader, states, started),
    ):
        on_air = reader.first(started, source=True)
        deadline = time.monotonic() + 15
        while not any(s == "lost" for _, s, _ in states):
            assert time.monotonic() < deadline, states
            time.sleep(0.05)
        said = next((at, why) for at, s, why in states if s == "lost")
        assert said[1] == "silent"
        # silent from about 4 s into the stream; reported after 2 s of it (+2 s slack)
        assert said[0] - started <= on_air + quiet_after + 2.0 + 2.0
        again = [at for at, s, _ in states if s == "on-air" and at > said[0]]
        deadline = time.monotonic() + 10
        while not again:  # connected anew: its tone again
            assert time.monotonic() < deadline, states
            time.sleep(0.05)
            again = [at for at, s, _ in states if s == "on-air" and at > said[0]]
        time.sleep(max(0.0, again[0] + 3.0 - time.monotonic()))
        heard = reader.audio(again[0] + 1.0, again[0] + 3.0)
        assert dominant_hz(heard) == pytest.approx(TONE_HZ, abs=3)


def test_a_decoder_that_cannot_start_is_reported_and_tried_again(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine cannot run ffmpeg (here: the wheel's binary named where there is none):
    the relay says so, keeps trying with backoff, and relays once it can."""
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", "/nonexistent/ffmpeg")
    ffmpeg.executable.cache_clear()  # looked up once per process: as if started so
    url = f"http://127.0.0.1:{station.port}/live"
    try:
        with relaying(url, dead_air_s=3.0) as (reader, states, _):
            deadline = time.monotonic() + 5
            while len([s for _, s, _ in states if s == "lost"]) < 2:  # said, tried again
                assert time.monotonic() < deadline, states
                time.sleep(0.05)
            assert "did not start" in states[0][2] and "nonexistent" in states[0][2]
            monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")  # ffmpeg is back
            ffmpeg.executable.cache_clear()
            back = time.monotonic()
            assert reader.first(back, source=True) <= 5.0
    finally:
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
        ffmpeg.executable.cache_clear()
