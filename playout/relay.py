"""Relaying an outside station (tiếp sóng) into a live input: the wheel's ffmpeg pulls
the source in real time, the sound is brought to the broadcast loudness by a slow gain
(so a quiet station and a loud one sound alike, without pumping), encoded and pushed to
the channel's `LiveFrames`.

A source that fails (the connection drops, ffmpeg stops) or goes silent (below
DEAD_AIR_DBFS for `dead_air_s`) is reported, dropped and tried again with backoff (at
most BACKOFF_S[-1] apart, so it rejoins within a few seconds of coming back); meanwhile
the live input fills with its standby. Every change of state goes to `on_state`."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

import numpy as np

from playout.live import Fanout, LiveEncoder, LiveFrames
from playout.sources import command
from voices.audio.format import SAMPLE_RATE

DEAD_AIR_DBFS = -50.0
BACKOFF_S = (0.5, 1.0, 2.0, 3.0)
CHUNK_S = 0.1
TARGET_DBFS = -18.0  # the RMS a levelled programme has, near −16 LUFS for speech
MAX_GAIN_DB, MIN_GAIN_DB = 24.0, -12.0
GAIN_STEP_DB = 0.05  # per chunk: 0.5 dB a second, slow enough not to pump
WINDOW_S = 3.0


class Leveller:
    """A slow gain towards TARGET_DBFS, judged on the last WINDOW_S of sound that is not
    silence (silence holds the gain where it is). The first second sets it at once: a
    station starts at its own level, not with a fade."""

    def __init__(self) -> None:
        self.gain_db = 0.0
        self._window: list[float] = []
        self._settled = False

    def level(self, chunk: np.ndarray) -> np.ndarray:
        power = float(np.mean(np.square(chunk, dtype=np.float64))) if len(chunk) else 0.0
        if power > 10 ** (DEAD_AIR_DBFS / 10):
            self._window = [*self._window, power][-round(WINDOW_S / CHUNK_S) :]
            wanted = TARGET_DBFS - 10 * np.log10(np.mean(self._window))
            wanted = min(MAX_GAIN_DB, max(MIN_GAIN_DB, wanted))
            if not self._settled and len(self._window) * CHUNK_S >= 1.0:
                self.gain_db, self._settled = wanted, True
            step = min(GAIN_STEP_DB, abs(wanted - self.gain_db))
            self.gain_db += step if wanted > self.gain_db else -step
        return np.clip(chunk * 10 ** (self.gain_db / 20), -1.0, 1.0)


class Relay:
    def __init__(
        self,
        url: str,
        live: LiveFrames | Fanout,
        on_state: Callable[[str, str], None],
        dead_air_s: float = 10.0,
    ) -> None:
        self.url, self.live, self.on_state, self.dead_air_s = url, live, on_state, dead_air_s
        self._stop = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name=f"relay {url}", daemon=True)
        self.leveller = Leveller()
        self._reached = False  # the last pull gave sound

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._process is not None:
            self._process.kill()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        tries = 0
        while not self._stop.is_set():
            why = self._pull()
            if self._stop.is_set():
                break
            self.on_state("lost", why)
            self._stop.wait(BACKOFF_S[min(tries, len(BACKOFF_S) - 1)])
            tries = 0 if self._reached else tries + 1  # a source that played starts over

    def _pull(self) -> str:
        """Relay until the source fails or stays silent; why it ended. A decoder that
        cannot start (no ffmpeg, no process left to fork) is a failure like any other:
        reported and tried again, never the end of the relay's thread."""
        try:
            self._process = subprocess.Popen(
                _with_realtime(command(self.url)),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            self._reached = False
            return f"the decoder did not start: {exc}"
        encoder, quiet, on_air = LiveEncoder(), 0.0, False
        self._reached = False
        chunk_bytes = round(CHUNK_S * SAMPLE_RATE) * 2
        try:
            assert self._process.stdout is not None
            while data := self._process.stdout.read(chunk_bytes):
                sound = np.frombuffer(data[: len(data) // 2 * 2], np.int16) / 32768.0
                if not on_air:
                    on_air = self._reached = True
                    self.on_state("on-air", "")
                loud = np.mean(np.square(sound)) > 10 ** (DEAD_AIR_DBFS / 10)
                quiet = 0.0 if loud else quiet + len(sound) / SAMPLE_RATE
                if quiet >= self.dead_air_s:
                    return "silent"
                levelled = self.leveller.level(sound)
                self.live.push(encoder.encode((levelled * 32767).astype(np.int16)))
            return "ended"
        finally:
            self._process.kill()
            self._process.wait()


def _with_realtime(args: list[str]) -> list[str]:
    """The source read at its own pace (`-re`), as a station plays: a file served whole
    is relayed as if it were live."""
    at = args.index("-i")
    return [*args[:at], "-re", *args[at:]]
