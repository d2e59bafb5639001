"""How long a text will take to read, before any synthesis: to warn that a program will
overrun its slot, and to offer the speaking rate that makes it fit.

Each segment's length is modelled per voice as `a × syllables + c × commas + b` seconds
at rate 1 (Vietnamese writes one syllable per word, so syllables are easy to count on the
normalized text), divided by the rate; the pauses and chimes the assembly adds are exact.
The coefficients are learnt from the voice's own segments as the renderer synthesizes
them (least squares over running sums kept in a small SQLite file beside the cache), so
the estimate improves with use; until a voice has enough segments, a prior is used.
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
PRIOR = (0.21, 0.18, 0.15)  # seconds per syllable, per comma, per segment: a middling voice
_SYLLABLE = re.compile(r"\w+")
_FEATURES = 3


def features(text: str) -> tuple[float, float, float]:
    """(syllables, commas and other inner breaks, 1) of a normalized segment."""
    return (
        float(len(_SYLLABLE.findall(text))),
        float(sum(text.count(p) for p in ",;:()")),
        1.0,
    )


log = logging.getLogger("voices.estimate")


@dataclass(frozen=True)
class Estimate:
    seconds: float  # the whole program: speech, pauses, chimes
    speech_seconds: float  # the part that the speaking rate scales
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
            db.execute(
                "CREATE TABLE IF NOT EXISTS sums (identity TEXT PRIMARY KEY, n INTEGER,"
                " xtx TEXT, xty TEXT)"
            )

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def observe(self, identity: str, text: str, seconds_at_rate_1: float) -> None:
        """Learn from one synthesized segment. Best effort: a measurement that cannot be
        kept (a full disk) must not fail the render it came from."""
        x = np.array(features(text))
        try:
            with self._lock, self._db() as db:
                db.execute("BEGIN IMMEDIATE")
                n, xtx, xty = self._sums(db, identity)
                xtx += np.outer(x, x)
                xty += x * seconds_at_rate_1
                db.execute(
                    "INSERT OR REPLACE INTO sums VALUES (?, ?, ?, ?)",
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
                fitted = np.linalg.solve(xtx + np.eye(_FEATURES) * 1e-6, xty)
                if fitted[0] > 0:
                    return fitted, True
            except np.linalg.LinAlgError:
                pass
        return np.array(PRIOR), False

    @staticmethod
    def _sums(db: sqlite3.Connection, identity: str) -> tuple[int, np.ndarray, np.ndarray]:
        row = db.execute("SELECT n, xtx, xty FROM sums WHERE identity = ?", (identity,)).fetchone()
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
        speech = sum(
            max(0.2, float(np.dot(coefficients, features(s.text))) / rate) for s in segments
        )
        pauses = sum(pause_after(s) for s in segments[:-1])
        return Estimate(speech + pauses + extra_seconds, speech, len(segments), calibrated)


def _dump(values: np.ndarray) -> str:
    return " ".join(repr(float(v)) for v in values.ravel())


def _load(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()])
