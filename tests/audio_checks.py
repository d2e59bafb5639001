"""Measurements on real audio, shared by the tests."""

from __future__ import annotations

import miniaudio
import numpy as np

from voices import Pcm


def rms(pcm: Pcm) -> float:
    return float(np.sqrt(np.mean(pcm.samples.astype(np.float64) ** 2))) if len(pcm.samples) else 0.0


def decode_mp3(data: bytes) -> Pcm:
    """Decode with miniaudio (dr_mp3) at the file's own rate."""
    info = miniaudio.mp3_get_info(data)
    decoded = miniaudio.decode(
        data,
        output_format=miniaudio.SampleFormat.SIGNED16,
        nchannels=1,
        sample_rate=info.sample_rate,
    )
    return Pcm(np.asarray(decoded.samples, dtype=np.int16), decoded.sample_rate)


def median_f0(pcm: Pcm) -> float:
    """Median pitch (Hz) of the voiced 40 ms frames, by autocorrelation."""
    x = pcm.samples.astype(np.float64)
    rate, frame = pcm.sample_rate, int(0.04 * pcm.sample_rate)
    lo, hi = rate // 400, rate // 60
    pitches = []
    for start in range(0, len(x) - frame, frame):
        window = x[start : start + frame]
        if np.sqrt(np.mean(window**2)) < 500:
            continue
        window = window - window.mean()
        ac = np.correlate(window, window, "full")[frame - 1 :]
        pitches.append(rate / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(pitches))


def spectral_centroid(pcm: Pcm) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.samples.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(pcm.samples), 1 / pcm.sample_rate)
    return float((spectrum * freqs).sum() / spectrum.sum())


def reference_true_peak_dbtp(pcm: Pcm) -> float:
    """True peak by 8x polyphase oversampling (scipy), independent of voices.audio.loudness."""
    from scipy.signal import resample_poly

    audio = pcm.samples.astype(np.float64) / 32768.0
    return float(20 * np.log10(np.max(np.abs(resample_poly(audio, 8, 1)))))


def reference_loudness_lufs(pcm: Pcm) -> float:
    import pyloudnorm

    return float(
        pyloudnorm.Meter(pcm.sample_rate).integrated_loudness(
            pcm.samples.astype(np.float64) / 32768.0
        )
    )


def loud_seconds(data: bytes) -> float:
    heard = decode_mp3(data)
    return loud_seconds_of(heard.samples, heard.sample_rate)


def loud_seconds_of(samples: np.ndarray, rate: int) -> float:
    window = 1024
    loud = [
        np.abs(samples[i : i + window].astype(float)).mean() > 200
        for i in range(0, len(samples) - window, window)
    ]
    return sum(loud) * window / rate


def loud_span(data: bytes) -> float:
    """Seconds from the first loud window to the last: a program's length in a recording,
    pauses between its sentences included."""
    heard = decode_mp3(data)
    window = 1024
    loud = np.flatnonzero(
        [
            np.abs(heard.samples[i : i + window].astype(float)).mean() > 200
            for i in range(0, len(heard.samples) - window, window)
        ]
    )
    return float((loud[-1] - loud[0] + 1) * window / heard.sample_rate) if len(loud) else 0.0
