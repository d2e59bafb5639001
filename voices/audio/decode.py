"""Reading recordings people upload (a bulletin recorded at the district, say): MP3, WAV,
FLAC or Ogg Vorbis, decoded in-process by miniaudio's wheel, no ffmpeg needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import miniaudio
import numpy as np

from voices.audio.pcm import Pcm

DECODE_RATE = 44100
MAX_SECONDS = 30 * 60  # longer than any bulletin: a bigger file is a mistake
CHUNK_FRAMES = 65_536  # decoded at a time


class AudioFileError(ValueError):
    """Not a recording we can read, or an unreasonably long one."""


def decode_audio(data: bytes) -> Pcm:
    """Mono at 44.1 kHz (the renderer takes it to the broadcast rate with soxr).

    Decoded as a stream, twice: once to count the samples, keeping none (a small file can
    hold hours of low-bitrate audio: refused at 30 minutes without ever holding them),
    then into an array of exactly that size."""
    frames = _count(data)
    if frames < 0.1 * DECODE_RATE:
        raise AudioFileError("the recording is empty")
    samples = np.empty(frames, dtype=np.int16)
    filled = 0
    for chunk in _stream(data):
        part = np.frombuffer(chunk, dtype=np.int16)[: frames - filled]
        samples[filled : filled + len(part)] = part
        filled += len(part)
    return Pcm(samples[:filled], DECODE_RATE)


def _count(data: bytes) -> int:
    limit, frames = MAX_SECONDS * DECODE_RATE, 0
    for chunk in _stream(data):
        frames += len(chunk)
        if frames > limit:
            raise AudioFileError(f"the recording is longer than {MAX_SECONDS // 60} minutes")
    return frames


def _stream(data: bytes) -> Iterator[Any]:
    try:
        yield from miniaudio.stream_memory(
            bytes(data),
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=DECODE_RATE,
            frames_to_read=CHUNK_FRAMES,
        )
    except miniaudio.MiniaudioError as exc:
        raise AudioFileError("not an MP3, WAV, FLAC or Ogg Vorbis recording") from exc
