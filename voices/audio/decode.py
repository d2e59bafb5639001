"""Reading recordings people upload (a bulletin recorded at the district, say): MP3, WAV,
FLAC or Ogg Vorbis, decoded in-process by miniaudio's wheel, no ffmpeg needed."""

from __future__ import annotations

import miniaudio
import numpy as np

from voices.audio.pcm import Pcm

DECODE_RATE = 44100
MAX_SECONDS = 30 * 60  # longer than any bulletin: a bigger file is a mistake


class AudioFileError(ValueError):
    """Not a recording we can read, or an unreasonably long one."""


def decode_audio(data: bytes) -> Pcm:
    """Mono at 44.1 kHz (the renderer takes it to the broadcast rate with soxr)."""
    try:
        decoded = miniaudio.decode(
            data,
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=DECODE_RATE,
        )
    except miniaudio.MiniaudioError as exc:
        raise AudioFileError("not an MP3, WAV, FLAC or Ogg Vorbis recording") from exc
    pcm = Pcm(np.asarray(decoded.samples, dtype=np.int16), decoded.sample_rate)
    if pcm.duration > MAX_SECONDS:
        raise AudioFileError(f"the recording is longer than {MAX_SECONDS // 60} minutes")
    if pcm.duration < 0.1:
        raise AudioFileError("the recording is empty")
    return pcm
