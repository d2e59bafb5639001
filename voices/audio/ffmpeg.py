"""Recordings miniaudio cannot read (a phone's M4A/AAC, AMR/3GP, Opus in Ogg or WebM from a
browser's recorder, video containers with a sound track), decoded by the ffmpeg that
imageio-ffmpeg's wheel carries: nothing is installed on the machine, nothing downloaded.

The decoded sound is read from ffmpeg's pipe as it comes and refused as soon as it passes
the length cap, so a small file holding hours of low-bitrate audio costs no more than the
cap. pydub's own loader is not used here: it reads the whole output into memory and asks
ffprobe (which the wheel does not carry) what the file holds.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from functools import cache

import imageio_ffmpeg
import numpy as np

from voices.audio.pcm import Pcm

CHUNK_BYTES = 1 << 16
TIMEOUT_S = 300.0  # a stuck decoder is killed: far longer than any real recording takes


class DecodeError(ValueError):
    """ffmpeg could not read the file (its complaint is the message)."""


class TooLongError(DecodeError):
    """The sound in the file lasts longer than the cap."""


@cache
def executable() -> str:
    """The wheel's ffmpeg (or the one IMAGEIO_FFMPEG_EXE names)."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def decode(data: bytes, sample_rate: int, max_seconds: float) -> Pcm:
    """The file's first sound track, mono at `sample_rate`. A file, not a pipe, is what
    ffmpeg reads: a phone's M4A keeps its index at the end, which a pipe cannot seek to."""
    with tempfile.NamedTemporaryFile(suffix=".rec") as source, tempfile.TemporaryFile() as log:
        source.write(data)
        source.flush()
        command = [
            executable(), "-nostdin", "-hide_banner", "-v", "error",
            "-i", source.name, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(sample_rate),
            "-f", "s16le", "-t", str(max_seconds + 1), "pipe:1",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        watchdog = threading.Timer(TIMEOUT_S, process.kill)
        watchdog.start()
        try:
            sound = _read(process, int(max_seconds * sample_rate) * 2)
        finally:
            watchdog.cancel()
            process.kill()
            process.wait()
        if process.returncode != 0:
            log.seek(0)
            raise DecodeError(log.read().decode("utf-8", "replace").strip()[-300:])
    usable = len(sound) // 2 * 2
    return Pcm(np.frombuffer(bytes(sound[:usable]), dtype=np.int16), sample_rate)


def _read(process: subprocess.Popen[bytes], limit: int) -> bytearray:
    """Everything ffmpeg writes, refused as soon as it passes `limit` bytes."""
    assert process.stdout is not None
    sound = bytearray()
    while chunk := process.stdout.read(CHUNK_BYTES):
        sound += chunk
        if len(sound) > limit:
            raise TooLongError(f"longer than {limit} bytes of sound")
    process.wait()
    return sound
