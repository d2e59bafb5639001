from __future__ import annotations

import numpy as np
import pytest

from tests.audio_checks import reference_loudness_lufs, reference_true_peak_dbtp
from voices import Pcm
from voices.audio.loudness import measure, normalize

RATE = 22050


def test_true_peak_sees_between_the_samples() -> None:
    """A sine at a quarter of the rate, sampled 45 degrees off its crests: every sample is
    at 0.707 (-3 dB) while the waveform itself reaches 1.0 (0 dBTP)."""
    t = np.arange(RATE)
    fade = np.minimum(1.0, np.minimum(t, RATE - 1 - t) / 2205)  # 100 ms in and out
    sine = np.sin(2 * np.pi * t / 4 + np.pi / 4) * 0.9 * fade
    assert 20 * np.log10(np.abs(sine).max()) == pytest.approx(-3.93, abs=0.05)
    assert measure(sine, RATE).true_peak_dbtp == pytest.approx(20 * np.log10(0.9), abs=0.2)


def test_normalize_reaches_the_target_on_speechlike_bursts() -> None:
    rng = np.random.default_rng(3)
    envelope = np.repeat(rng.uniform(0, 1, 60) > 0.4, RATE // 4)  # talk and pauses
    audio = rng.standard_normal(len(envelope)) * envelope * 0.02
    audio[RATE * 3 : RATE * 3 + 50] = 0.9  # one spike far above the rest
    out, level = normalize(audio, RATE)
    pcm = Pcm.from_float(out, RATE)
    assert reference_loudness_lufs(pcm) == pytest.approx(-16.0, abs=0.5)
    assert reference_true_peak_dbtp(pcm) <= -1.5
    assert level.integrated_lufs == pytest.approx(reference_loudness_lufs(pcm), abs=0.1)


def test_silence_stays_silent() -> None:
    out, _ = normalize(np.zeros(RATE), RATE)
    assert not np.any(out)


def test_true_peak_of_a_long_loud_signal_is_found_in_its_last_block() -> None:
    """A loud recording makes nearly every sample a candidate, interpolated in blocks
    (bounded memory): a sine growing to its crest at the very end, 45 degrees off the
    samples, peaks between the samples of the last block."""
    n = 4 * 48000  # 192,000 samples, the louder half (96,000) in two blocks
    t = np.arange(n)
    sine = np.sin(2 * np.pi * t / 4 + np.pi / 4) * 0.9 * (t / (n - 1))
    assert 20 * np.log10(np.abs(sine).max()) == pytest.approx(-3.93, abs=0.05)
    assert measure(sine, 48000).true_peak_dbtp == pytest.approx(20 * np.log10(0.9), abs=0.2)
