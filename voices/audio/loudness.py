"""One broadcast loudness for every program: -16 LUFS integrated, true peak at most -1 dBTP.

Listeners in a hamlet must not reach for the volume between a soft-spoken voice and a loud
one. Loudness is measured per ITU-R BS.1770 (pyloudnorm). True peak is the peak of the
signal interpolated 4x (inter-sample peaks included), as BS.1770 Annex 2 defines it. Gain
brings the program to the target; where speech peaks would then pass the ceiling, a
look-ahead limiter lowers just those moments. This runs on every render, including the
re-render after a one-sentence edit, so it avoids whole-signal work it does not need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from voices.audio.format import CEILING_DBTP, TARGET_LUFS

# pyloudnorm and scipy are imported where they are used: scipy.signal alone costs two
# seconds of start-up, which every `radio` command that never renders would pay.

TOLERANCE_LU = 0.5
# The limiter aims 1 dB under the ceiling: a 48 kbps MP3 encoder overshoots the master's
# peaks by up to about 0.5 dB, and what airs is the MP3 (EBU Tech 3343 advises this margin).
_LIMIT_DBTP = CEILING_DBTP - 1.0
_LOOKAHEAD_S = 0.005
_PASSES = 5
# Only samples above this share of the ceiling (or of the largest sample) can have a true
# peak above it: speech's inter-sample overshoot is far below 6 dB.
_CANDIDATE = 0.5
_TAPS = 12
_PHASES = np.array([0.25, 0.5, 0.75])
_BLOCK = 65_536  # candidate samples interpolated at a time
_OFFSETS = np.arange(_TAPS) - _TAPS // 2 + 1  # samples -5..6 around the interval 0..1
# (taps x phases) windowed-sinc weights interpolating the points between sample 0 and 1.
_DISTANCE = _OFFSETS[:, None] - _PHASES[None, :]
_WEIGHTS = np.sinc(_DISTANCE) * (0.5 + 0.5 * np.cos(np.pi * _DISTANCE / (_TAPS / 2 + 1)))

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float


def measure(audio: Float, sample_rate: int) -> Loudness:
    return Loudness(_integrated(audio, sample_rate), _db(float(np.max(true_peaks(audio)))))


def normalize(audio: Float, sample_rate: int) -> tuple[Float, Loudness]:
    """audio (float, full scale 1.0) brought to the broadcast target, and its loudness.

    Limiting takes back part of any gain. How much is read off the energy the limiter
    removed (a dot product), so the gain is settled without measuring loudness again on
    every try; pyloudnorm then measures the result, and one correction follows if needed.
    """
    original = _integrated(audio, sample_rate)
    if not np.isfinite(original):
        return audio, measure(audio, sample_rate)  # silent, or too short to gate
    ceiling = 10 ** (_LIMIT_DBTP / 20)
    lookahead = max(1, round(_LOOKAHEAD_S * sample_rate))
    gain_db = TARGET_LUFS - original
    out = audio
    for _ in range(_PASSES):
        scaled = audio * 10 ** (gain_db / 20)
        out = _limit(scaled, ceiling, lookahead)
        loss_db = 10 * np.log10(np.dot(out, out) / np.dot(scaled, scaled))
        if abs(original + gain_db + loss_db - TARGET_LUFS) < TOLERANCE_LU / 2:
            break
        gain_db = TARGET_LUFS - original - loss_db
    loudness = _integrated(out, sample_rate)
    if abs(loudness - TARGET_LUFS) >= TOLERANCE_LU:
        out = _limit(audio * 10 ** ((gain_db + TARGET_LUFS - loudness) / 20), ceiling, lookahead)
        loudness = _integrated(out, sample_rate)
    return out, Loudness(loudness, _db(float(np.max(true_peaks(out)))))


def true_peaks(audio: Float, floor: float | None = None) -> Float:
    """Per-sample true peak: the larger of the sample's magnitude and the interpolated
    signal's at a quarter, half and three quarters of the way to the next sample. Only
    samples at or above `floor` (default: half the largest) and their neighbours are
    interpolated; quieter ones cannot reach a peak that matters."""
    peaks = np.abs(audio)
    if floor is None:
        floor = _CANDIDATE * float(peaks.max(initial=0.0))
    loud = peaks >= floor
    # An interval can peak above both of its ends: look at those on either side of a loud sample.
    loud[:-1] |= loud[1:]
    starts = np.flatnonzero(loud)
    every = sliding_window_view(np.pad(audio, _TAPS), _TAPS)
    # In blocks: the gathered windows are _TAPS copies of each sample, and in a loud
    # recording (music, a tone) nearly every sample is a candidate; whole, a minute of it
    # would take 280 MB.
    for block in range(0, len(starts), _BLOCK):
        at = starts[block : block + _BLOCK]
        windows = every[at + _TAPS + _OFFSETS[0]]
        peaks[at] = np.maximum(peaks[at], np.abs(windows @ _WEIGHTS).max(axis=1))
    return peaks


def _limit(audio: Float, ceiling: float, lookahead: int) -> Float:
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    peaks = true_peaks(audio, floor=_CANDIDATE * ceiling)
    over = np.flatnonzero(peaks > ceiling)
    if not len(over):
        return audio
    gain = np.ones_like(audio)
    # Only the neighbourhoods of the peaks over the ceiling change; work on those alone.
    gaps = np.flatnonzero(np.diff(over) > 4 * lookahead)
    firsts, lasts = over[np.r_[0, gaps + 1]], over[np.r_[gaps, len(over) - 1]]
    for first, last in zip(firsts, lasts, strict=True):
        lo, hi = max(0, first - 2 * lookahead), min(len(audio), last + 2 * lookahead + 1)
        needed = np.minimum(1.0, ceiling / np.maximum(peaks[lo:hi], 1e-9))
        # The gain at a sample is the lowest any neighbour within the look-ahead needs, then
        # smoothed over a shorter window, which can only lower it further: no click, no
        # overshoot.
        smooth = uniform_filter1d(minimum_filter1d(needed, size=2 * lookahead + 1), lookahead + 1)
        gain[lo:hi] = smooth
    return np.asarray(audio * gain, np.float64)


def _integrated(audio: Float, sample_rate: int) -> float:
    import pyloudnorm

    meter = pyloudnorm.Meter(sample_rate)
    if len(audio) < meter.block_size * sample_rate:
        audio = np.pad(audio, (0, int(meter.block_size * sample_rate) - len(audio) + 1))
    return float(meter.integrated_loudness(audio))


def _db(amplitude: float) -> float:
    return float(20 * np.log10(max(amplitude, 1e-12)))
