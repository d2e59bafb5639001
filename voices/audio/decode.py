"""Reading recordings people upload: a bulletin recorded at the district, a notice an
officer recorded on a phone in Tày. MP3, WAV, FLAC and Ogg Vorbis are decoded in-process
by miniaudio's wheel (fast, no process started); anything else a phone or a browser
records (M4A/AAC, AMR/3GP, Opus in Ogg or WebM) by the wheel's ffmpeg."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import miniaudio
import numpy as np

from voices.audio import ffmpeg
from voices.audio.pcm import Pcm

DECODE_RATE = 44100
MAX_SECONDS = 30 * 60  # longer than any bulletin: a bigger file is a mistake
CHUNK_FRAMES = 65_536  # decoded at a time
FORMATS = "MP3, WAV, FLAC, Ogg, M4A/AAC, AMR/3GP, Opus/WebM"


class AudioFileError(ValueError):
    """Not a recording we can read, or an unreasonably long one; `vi` says it for people."""

    vi = f"tệp không phải bản ghi âm đọc được ({FORMATS})"


class TooLongAudioError(AudioFileError):
    vi = f"bản ghi dài quá {MAX_SECONDS // 60} phút"


class EmptyAudioError(AudioFileError):
    vi = "bản ghi không có âm thanh"


def decode_audio(data: bytes, max_seconds: int = MAX_SECONDS) -> Pcm:
    """Mono at 44.1 kHz (the renderer takes it to the broadcast rate with soxr), refused
    past `max_seconds` without ever holding more than that."""
    try:
        pcm = _by_miniaudio(data, max_seconds)
    except miniaudio.MiniaudioError:
        pcm = _by_ffmpeg(data, max_seconds)
    if pcm.duration < 0.1:
        raise EmptyAudioError("the recording is empty")
    return pcm


def too_long(max_seconds: int) -> AudioFileError:
    return TooLongAudioError(f"the recording is longer than {max_seconds // 60} minutes")


def _by_ffmpeg(data: bytes, max_seconds: int) -> Pcm:
    try:
        return ffmpeg.decode(data, DECODE_RATE, max_seconds)
    except ffmpeg.TooLongError:
        raise too_long(max_seconds) from None
    except ffmpeg.DecodeError as exc:
        raise AudioFileError(f"not a recording in a format we read ({FORMATS})") from exc


def _by_miniaudio(data: bytes, max_seconds: int) -> Pcm:
    """Decoded as a stream, twice: once to count the samples, keeping none (a small file
    can hold hours of low-bitrate audio: refused at the cap without ever holding them),
    then into an array of exactly that size."""
    frames = _count(data, max_seconds)
    samples = np.empty(frames, dtype=np.int16)
    filled = 0
    for chunk in _stream(data):
        part = np.frombuffer(chunk, dtype=np.int16)[: frames - filled]
        samples[filled : filled + len(part)] = part
        filled += len(part)
    return Pcm(samples[:filled], DECODE_RATE)


def _count(data: bytes, max_seconds: int) -> int:
    limit, frames = max_seconds * DECODE_RATE, 0
    for chunk in _stream(data):
        frames += len(chunk)
        if frames > limit:
            raise too_long(max_seconds)
    return frames


def _stream(data: bytes) -> Iterator[Any]:
    yield from miniaudio.stream_memory(
        bytes(data),
        output_format=miniaudio.SampleFormat.SIGNED16,
        nchannels=1,
        sample_rate=DECODE_RATE,
        frames_to_read=CHUNK_FRAMES,
    )
