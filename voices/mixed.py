"""Mixed programmes: an ordered list of parts, as a bilingual notice is made: a chime, the
Vietnamese text read by a voice, a pause, the same notice recorded in Tày, a chime.

Each spoken part is read as any text is (segments from the cache, so an edit to one
sentence synthesizes only that sentence) and levelled on its own, as recordings were when
they were made, so every part meets the next at one loudness; pydub joins them with short
crossfades (no click where a recording starts), and the whole is levelled once more and
encoded once. The program's key is made of its parts' keys: the same parts are the same
program, found again without any work."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voices.assembly import Float
from voices.audio.editing import AudioSegment
from voices.audio.pcm import Pcm

CROSSFADE_MS = 30  # where two parts meet: long enough to hide a click, short enough to hear none
MAX_PAUSE_S = 10.0


@dataclass(frozen=True)
class Spoken:
    """A text read by the programme's voice."""

    text: str


@dataclass(frozen=True)
class Recorded:
    """A recording already made a program (decoded, trimmed, levelled): by its hash."""

    program: str


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Bell:
    """The station's chime: rising before, falling after (`rising` False)."""

    rising: bool = True


Part = Spoken | Recorded | Pause | Bell


def join(signals: list[Float], sample_rate: int) -> Float:
    """The parts one after another, each meeting the next with a CROSSFADE_MS crossfade
    (shorter where a part is shorter)."""
    pieces = [_segment(s, sample_rate) for s in signals if len(s)]
    if not pieces:
        return np.zeros(0)
    out = pieces[0]
    for piece in pieces[1:]:
        out = out.append(piece, crossfade=min(CROSSFADE_MS, len(out), len(piece)))
    samples = np.frombuffer(out.raw_data, dtype=np.int16)
    return np.asarray(samples.astype(np.float64) / 32768.0, np.float64)


def _segment(signal: Float, sample_rate: int) -> AudioSegment:
    pcm = Pcm.from_float(signal, sample_rate)
    return AudioSegment(
        data=pcm.samples.tobytes(), sample_width=2, frame_rate=sample_rate, channels=1
    )
