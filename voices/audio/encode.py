"""Encoding PCM to MP3 (lameenc, in-process) and WAV.

lameenc gives bare MP3 frames. An MP3 decoder cannot know that LAME put 576 samples of
delay in front and padded the last frame, so a 3.30 s announcement would decode as 3.37 s.
We prepend the standard Xing/LAME "Info" frame that records delay and padding; decoders
that read it (ffmpeg, mpg123, miniaudio/dr_mp3) trim them and give back the exact length.
"""

from __future__ import annotations

import io
import struct
import wave

import lameenc

from voices.audio.format import BITRATE_KBPS
from voices.audio.pcm import Pcm

_LAME_ENCODER_DELAY = 576
_XING_FRAMES_AND_BYTES = 0x3


def encode_mp3(pcm: Pcm, bitrate_kbps: int = BITRATE_KBPS) -> bytes:
    """Constant-bitrate mono MP3 at the PCM's own sample rate."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(pcm.sample_rate)
    encoder.set_out_sample_rate(pcm.sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(5)  # LAME's default; 2 costs twice the time, inaudibly at 48 kbps
    frames = bytes(encoder.encode(pcm.samples.tobytes()) + encoder.flush())
    if not frames:
        return frames
    return _info_frame(frames, len(pcm.samples), bitrate_kbps, pcm.sample_rate) + frames


def _samples_per_frame(sample_rate: int) -> int:
    return 1152 if sample_rate >= 32000 else 576


def _frame_bytes(bitrate_kbps: int, sample_rate: int) -> int:
    return _samples_per_frame(sample_rate) // 8 * bitrate_kbps * 1000 // sample_rate


def _count_frames(mp3: bytes, bitrate_kbps: int, sample_rate: int) -> int:
    """Frames in a CBR stream of bare frames, following each header's padding bit."""
    size, count, offset = _frame_bytes(bitrate_kbps, sample_rate), 0, 0
    while offset + 4 <= len(mp3):
        offset += size + ((mp3[offset + 2] >> 1) & 1)
        count += 1
    return count


def _info_frame(frames: bytes, samples: int, bitrate_kbps: int, sample_rate: int) -> bytes:
    header = bytearray(frames[:4])
    header[2] &= 0xFD  # no padding bit: the tag frame has the nominal size
    mpeg1 = bool(header[1] & 0x08)
    side_info = 17 if mpeg1 else 9  # mono
    n_frames = _count_frames(frames, bitrate_kbps, sample_rate)
    padding = n_frames * _samples_per_frame(sample_rate) - samples - _LAME_ENCODER_DELAY
    size = _frame_bytes(bitrate_kbps, sample_rate)
    xing = b"Info" + struct.pack(">III", _XING_FRAMES_AND_BYTES, n_frames, len(frames) + size)
    lame = bytearray(36)
    lame[:9] = b"LAME3.100"
    lame[21:24] = ((_LAME_ENCODER_DELAY << 12) | max(0, padding)).to_bytes(3, "big")
    body = bytes(header) + bytes(side_info) + xing + bytes(lame)
    return body + bytes(size - len(body))


def encode_wav(pcm: Pcm) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(pcm.sample_rate)
        wav.writeframes(pcm.samples.tobytes())
    return buffer.getvalue()
