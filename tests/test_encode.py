from __future__ import annotations

import numpy as np
import pytest

from tests.audio_checks import decode_mp3
from voices import Pcm, encode_mp3


def burst_signal(sample_rate: int, seconds: float) -> Pcm:
    rng = np.random.default_rng(7)
    samples = np.zeros(round(sample_rate * seconds), dtype=np.int16)
    samples[5000:5400] = (rng.standard_normal(400) * 8000).astype(np.int16)
    return Pcm(samples, sample_rate)


@pytest.mark.parametrize("rate", [16000, 22050, 44100])
@pytest.mark.parametrize("seconds", [0.4, 3.3, 61.7])
def test_mp3_decodes_to_the_exact_length(rate: int, seconds: float) -> None:
    pcm = burst_signal(rate, seconds)
    decoded = decode_mp3(encode_mp3(pcm))
    assert decoded.sample_rate == rate
    assert abs(len(decoded.samples) - len(pcm.samples)) <= 1


def test_mp3_is_time_aligned_with_its_source() -> None:
    """The Info frame's delay must be LAME's real one, or every decode is shifted."""
    pcm = burst_signal(22050, 2.0)
    decoded = decode_mp3(encode_mp3(pcm)).samples.astype(np.float64)
    source = pcm.samples.astype(np.float64)
    lags = [abs(np.dot(decoded[k : k + 8000], source[:8000])) for k in range(0, 40)]
    assert int(np.argmax(lags)) <= 2
