"""The one interface every speech engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voices.audio.pcm import Pcm


class SynthesisError(Exception):
    """An engine could not turn a segment into audio."""


@dataclass(frozen=True)
class SynthesisParams:
    """What a user may set per announcement.

    rate is a speed factor (1.0 the voice's natural pace, 1.2 a fifth faster) so that the
    same number means the same thing for every engine; each engine maps it to its own knob.
    """

    rate: float = 1.0
    volume: float = 1.0

    def __post_init__(self) -> None:
        if not 0.5 <= self.rate <= 2.0:
            raise ValueError(f"rate must be between 0.5 and 2.0, got {self.rate}")
        if not 0.0 < self.volume <= 2.0:
            raise ValueError(f"volume must be above 0 and at most 2.0, got {self.volume}")


class Synthesizer(Protocol):
    """A voice ready to speak: turns one normalized segment into PCM.

    A segment is already normalized and split: a synthesizer never sees digits or
    abbreviations it would have to guess at, and it returns the raw voice (no per-sentence
    peak normalization) so loudness is decided once, for the whole program.
    """

    @property
    def voice_id(self) -> str: ...

    @property
    def sample_rate(self) -> int: ...

    @property
    def identity(self) -> str:
        """Everything about this voice that changes its audio: engine and engine version,
        voice, model file hash, speaker. The synthesis cache keys on it."""
        ...

    def synthesize(self, text: str, params: SynthesisParams) -> Pcm: ...
