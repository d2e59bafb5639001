"""The intro and outro chimes, synthesized here (no third-party audio): three bell-like
notes rising before an announcement and falling after it, as on a public address system."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_NOTES_HZ = (523.25, 659.25, 783.99)  # C5, E5, G5
_NOTE_SPACING_S = 0.42
_RING_S = 1.4
_PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))  # ratio, amplitude
GAP_AFTER_S = 0.5
CHIME_S = _NOTE_SPACING_S * (len(_NOTES_HZ) - 1) + _RING_S


def chime(sample_rate: int, rising: bool = True) -> npt.NDArray[np.float64]:
    """Float audio (peak 0.5) of the three notes, each ringing out over the next."""
    notes = _NOTES_HZ if rising else _NOTES_HZ[::-1]
    length = round(CHIME_S * sample_rate)
    out = np.zeros(length)
    t = np.arange(round(_RING_S * sample_rate)) / sample_rate
    envelope = np.minimum(1.0, t / 0.004) * np.exp(-t / 0.35)
    for index, frequency in enumerate(notes):
        tone = sum(a * np.sin(2 * np.pi * frequency * r * t) for r, a in _PARTIALS)
        start = round(index * _NOTE_SPACING_S * sample_rate)
        out[start : start + len(t)] += tone * envelope
    return np.asarray(0.5 * out / np.max(np.abs(out)), np.float64)
