"""One broadcast loudness for every program: -16 LUFS integrated, true peak at most -1 dBTP.

Listeners in a hamlet must not reach for the volume between a soft-spoken voice and a loud
one. Loudness is measured per ITU-R BS.1770 (pyloudnorm); true peak on a 4x oversampled
signal. Gain brings the program to the target; where speech peaks would then pass the
ceiling, a look-ahead limiter lowers just those moments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# pyloudnorm and scipy are imported where they are used: scipy.signal alone costs two
# seconds of start-up, which every `radio` command that never renders would pay.

TARGET_LUFS = -16.0
CEILING_DBTP = -1.0
# The limiter aims 1 dB under the ceiling: a 48 kbps MP3 encoder overshoots the master's
# peaks by up to about 0.5 dB, and what airs is the MP3 (EBU Tech 3343 advises this margin).
_LIMIT_DBTP = CEILING_DBTP - 1.0
_OVERSAMPLE = 4
_LOOKAHEAD_S = 0.005
_PASSES = 4

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float


def measure(audio: Float, sample_rate: int) -> Loudness:
    return Loudness(_integrated(audio, sample_rate), _db(float(np.max(_true_peaks(audio)))))


def normalize(audio: Float, sample_rate: int) -> Float:
    """audio (float, full scale 1.0) brought to the broadcast target."""
    if not np.any(audio):
        return audio
    ceiling = 10 ** (_LIMIT_DBTP / 20)
    lookahead = max(1, round(_LOOKAHEAD_S * sample_rate))
    for _ in range(_PASSES):
        loudness = _integrated(audio, sample_rate)
        if not np.isfinite(loudness):
            return audio  # too short or too quiet to gate: nothing meaningful to match
        audio = audio * 10 ** ((TARGET_LUFS - loudness) / 20)
        audio = _limit(audio, ceiling, lookahead)
        if abs(_integrated(audio, sample_rate) - TARGET_LUFS) < 0.2:
            break
    return audio


def _limit(audio: Float, ceiling: float, lookahead: int) -> Float:
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    peaks = _true_peaks(audio)
    if peaks.max() <= ceiling:
        return audio
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    # The gain at a sample is the lowest any neighbour within the look-ahead needs, then
    # smoothed over a shorter window, which can only lower it further: no click, no overshoot.
    gain = minimum_filter1d(needed, size=2 * lookahead + 1)
    return np.asarray(audio * uniform_filter1d(gain, size=lookahead + 1), np.float64)


def _true_peaks(audio: Float) -> Float:
    """Per-sample peak of the 4x oversampled signal (inter-sample peaks included)."""
    from scipy.signal import resample_poly

    upsampled = np.abs(resample_poly(audio, _OVERSAMPLE, 1))
    padded = np.pad(upsampled, (0, -len(upsampled) % _OVERSAMPLE))
    return np.asarray(padded.reshape(-1, _OVERSAMPLE).max(axis=1)[: len(audio)], np.float64)


def _integrated(audio: Float, sample_rate: int) -> float:
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    if len(audio) < meter.block_size * sample_rate:
        audio = np.pad(audio, (0, int(meter.block_size * sample_rate) - len(audio) + 1))
    return float(meter.integrated_loudness(audio))


def _db(amplitude: float) -> float:
    return float(20 * np.log10(max(amplitude, 1e-12)))
