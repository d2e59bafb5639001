"""PCM audio as it travels between engines, the cache and the encoders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16]


@dataclass(frozen=True)
class Pcm:
    """Mono signed 16-bit audio at a known rate.

    One representation everywhere keeps engines interchangeable: an engine's only job is to
    turn a segment into this, and everything after it (cache, assembly, encoding) reads it.
    """

    samples: Samples
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @classmethod
    def from_float(cls, audio: npt.NDArray[np.floating], sample_rate: int) -> Pcm:
        """Convert float audio in [-1, 1] (clipping anything beyond) to int16."""
        clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        return cls((clipped * 32767.0).astype(np.int16), sample_rate)

    @classmethod
    def silence(cls, seconds: float, sample_rate: int) -> Pcm:
        return cls(np.zeros(round(seconds * sample_rate), dtype=np.int16), sample_rate)

    def scaled(self, gain: float) -> Pcm:
        """The same audio multiplied by gain, saturating rather than wrapping around."""
        if gain == 1.0:
            return self
        scaled = np.clip(self.samples.astype(np.float32) * gain, -32768, 32767)
        return Pcm(scaled.astype(np.int16), self.sample_rate)


def concatenate(parts: list[Pcm]) -> Pcm:
    """Join PCM pieces that share one sample rate."""
    if not parts:
        raise ValueError("nothing to concatenate")
    rates = {p.sample_rate for p in parts}
    if len(rates) != 1:
        raise ValueError(f"pieces have different sample rates: {sorted(rates)}")
    return Pcm(np.concatenate([p.samples for p in parts]), parts[0].sample_rate)
