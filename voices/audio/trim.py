"""Silence at either end of a recording, cut off: an officer's phone recording starts
with the tap on the button and ends with the reach for it, seconds of room noise that
would air as dead air.

pydub measures it (its leading-silence detection, run on the recording and on the
recording reversed). Silence is judged against the recording's own peak, not a fixed
level: a phone's noise floor sits 40 dB or more under its speech whether it was recorded
close or far, while a fixed −50 dBFS would cut a quiet recording's words or keep a noisy
one's hiss."""

from __future__ import annotations

from voices.audio.decode import EmptyAudioError
from voices.audio.editing import AudioSegment, detect_leading_silence
from voices.audio.pcm import Pcm

BELOW_PEAK_DB = 40.0  # quieter than this under the peak is silence
MARGIN_S = 0.15  # kept at each end, so the first breath and the last word's decay stay
CHUNK_MS = 10


class SilentError(EmptyAudioError):
    """Nothing in the recording rises above silence."""

    vi = "bản ghi chỉ có im lặng"


def trim_silence(pcm: Pcm) -> Pcm:
    """The recording from its first sound to its last, with MARGIN_S of room at each end."""
    segment = AudioSegment(
        data=pcm.samples.tobytes(), sample_width=2, frame_rate=pcm.sample_rate, channels=1
    )
    if segment.max == 0:
        raise SilentError("the recording is silent")
    threshold = segment.max_dBFS - BELOW_PEAK_DB
    lead_ms = detect_leading_silence(segment, silence_threshold=threshold, chunk_size=CHUNK_MS)
    tail_ms = detect_leading_silence(
        segment.reverse(), silence_threshold=threshold, chunk_size=CHUNK_MS
    )
    margin = round(MARGIN_S * pcm.sample_rate)
    start = max(0, round(lead_ms * pcm.sample_rate / 1000) - margin)
    end = min(len(pcm.samples), len(pcm.samples) - round(tail_ms * pcm.sample_rate / 1000) + margin)
    return Pcm(pcm.samples[start:end], pcm.sample_rate)
