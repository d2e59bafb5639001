"""How long a text will take to read, before any synthesis: to warn that a program will
overrun its slot, and to offer the speaking rate that makes it fit.

Each segment's length is modelled per voice as `(a × syllables + c × commas + b) / rate
+ e × syllables` seconds (Vietnamese writes one syllable per word, so syllables are easy
to count on the normalized text); the pauses and chimes the assembly adds are exact. The
last term is the part of speech that the rate does not scale: little for eSpeak (1.46
times as fast at rate 1.5), more for a Piper (VITS) voice, which rounds every phoneme's
length up to a whole frame after scaling it (1.34 times, `radio bench engines`). The
coefficients are learnt from the voice's own segments as the renderer synthesizes them
(least squares over running sums kept in a small SQLite file beside the cache), so the
estimate improves with use; until a voice has enough segments, a prior is used. Segments
heard at one rate only cannot tell `a` from `e`: a ridge term keeps `e` at nothing until
segments at other rates show it.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voices.split import Segment

FIT_MARGIN = 0.04  # a rate offered to fit aims this much short of the room
MIN_SEGMENTS = 8  # below this many observations a voice's own fit is not trusted
# seconds per syllable, per comma, per segment (all scaled by the rate), and per syllable
# whatever the rate: a middling voice
PRIOR = (0.21, 0.18, 0.15, 0.0)
# how strongly the rate-invariant term is held at the prior's nothing (in the units of the
# sums: syllables squared); segments at several rates outweigh it at once
RIDGE = np.array([1e-6, 1e-6, 1e-6, 1.0])
_SYLLABLE = re.compile(r"\w+")
_FEATURES = len(PRIOR)
_SCALED = 3  # the first three features are the ones the rate divides


def features(text: str, rate: float) -> tuple[float, float, float, float]:
    """(syllables, inner breaks, 1) divided by the rate, and syllables, of a normalized
    segment read at `rate`."""
    syllables = float(len(_SYLLABLE.findall(text)))
    breaks = float(sum(text.count(p) for p in ",;:()"))
    return syllables / rate, breaks / rate, 1.0 / rate, syllables


log = logging.getLogger("voices.estimate")


@dataclass(frozen=True)
class Estimate:
    seconds: float  # the whole program: speech, pauses, chimes
    speech_seconds: float  # the part of speech that the speaking rate scales
    segments: int
    calibrated: bool  # from this voice's own measurements, not the prior

    def rate_to_fit(self, seconds: float, rate: float) -> float | None:
        """The speaking rate at which the program fits in `seconds` with a small margin
        for the estimate's error, or None if no rate between 0.5 and 2 can do it."""
        room = seconds * (1 - FIT_MARGIN) - (self.seconds - self.speech_seconds)
        if room <= 0:
            return None
        needed = math.ceil(self.speech_seconds * rate / room * 100) / 100
        return needed if 0.5 <= needed <= 2.0 else None


class Calibration:
    """Running least-squares sums per voice identity, shared by every process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            # The write lock up front: two processes creating the table at once would
            # otherwise both read, then one be refused at once ("database is locked").
            db.execute("BEGIN IMMEDIATE")
            db.execute(  # "sums" held an earlier model's; its voices learn again
                "CREATE TABLE IF NOT EXISTS fits (identity TEXT PRIMARY KEY, n INTEGER,"
                " xtx TEXT, xty TEXT)"
            )
            db.execute("COMMIT")

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def observe(self, identity: str, text: str, seconds: float, rate: float) -> None:
        """Learn from one segment synthesized at `rate`. Best effort: a measurement that
        cannot be kept (a full disk) must not fail the render it came from."""
        x = np.array(features(text, rate))
        try:
            with self._lock, self._db() as db:
                db.execute("BEGIN IMMEDIATE")
                n, xtx, xty = self._sums(db, identity)
                xtx += np.outer(x, x)
                xty += x * seconds
                db.execute(
                    "INSERT OR REPLACE INTO fits VALUES (?, ?, ?, ?)",
                    (identity, n + 1, _dump(xtx), _dump(xty)),
                )
                db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            log.warning("duration calibration not updated: %s", exc)

    def coefficients(self, identity: str) -> tuple[np.ndarray, bool]:
        with self._db() as db:
            n, xtx, xty = self._sums(db, identity)
        if n >= MIN_SEGMENTS:
            try:
                fitted = np.linalg.solve(xtx + np.diag(RIDGE), xty)
                if fitted[_SCALED] < 0:  # noise, not a voice that slows when sped up
                    fitted = np.zeros(_FEATURES)
                    keep = slice(0, _SCALED)
                    fitted[keep] = np.linalg.solve(
                        xtx[keep, keep] + np.diag(RIDGE[keep]), xty[keep]
                    )
                if fitted[0] > 0:
                    return fitted, True
            except np.linalg.LinAlgError:
                pass
        return np.array(PRIOR), False

    @staticmethod
    def _sums(db: sqlite3.Connection, identity: str) -> tuple[int, np.ndarray, np.ndarray]:
        row = db.execute("SELECT n, xtx, xty FROM fits WHERE identity = ?", (identity,)).fetchone()
        if row is None:
            return 0, np.zeros((_FEATURES, _FEATURES)), np.zeros(_FEATURES)
        return int(row[0]), _load(row[1]).reshape(_FEATURES, _FEATURES), _load(row[2])

    def estimate(
        self,
        segments: list[Segment],
        identity: str,
        rate: float,
        pause_after: Callable[[Segment], float],
        extra_seconds: float = 0.0,
    ) -> Estimate:
        """The program made of these (normalized, split) segments; `pause_after` and
        `extra_seconds` (chimes) are the assembly's own, so only speech is estimated."""
        coefficients, calibrated = self.coefficients(identity)
        speech = scaled = 0.0
        for segment in segments:
            x = np.array(features(segment.text, rate))
            part = float(np.dot(coefficients[:_SCALED], x[:_SCALED]))
            speech += max(0.2, part + float(np.dot(coefficients[_SCALED:], x[_SCALED:])))
            scaled += part
        pauses = sum(pause_after(s) for s in segments[:-1])
        return Estimate(speech + pauses + extra_seconds, scaled, len(segments), calibrated)


def _dump(values: np.ndarray) -> str:
    return " ".join(repr(float(v)) for v in values.ravel())


def _load(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()])
