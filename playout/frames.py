"""MP3 frames of the broadcast format, the unit a channel plays out.

Every program is one CBR stream at the broadcast format, so a channel can go from one
program (or silence) to the next at any frame boundary. A program's first frame never
borrows bits from earlier frames (the bit reservoir starts empty), so splicing there is
clean; the silence between programs is a frame that carries no audio data at all.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from voices.audio.encode import encode_mp3
from voices.audio.format import FRAME_SECONDS, SAMPLE_RATE
from voices.audio.pcm import Pcm

_SIDE_INFO = 9  # MPEG-2, mono


class FrameError(ValueError):
    """Bytes that are not MP3 frames of the broadcast format."""


@dataclass(frozen=True)
class Frames:
    frames: tuple[bytes, ...]

    @property
    def duration(self) -> float:
        return len(self.frames) * FRAME_SECONDS


def split_frames(mp3: bytes) -> Frames:
    """The audio frames of a program, without its leading Xing/Info frame."""
    frames = []
    offset = 0
    while offset + 4 <= len(mp3):
        header = mp3[offset : offset + 4]
        if header[0] != 0xFF or (header[1] & 0xE0) != 0xE0:
            raise FrameError(f"no MP3 frame at byte {offset}")
        size = _frame_size(header)
        frame = mp3[offset : offset + size]
        if len(frame) < size:
            raise FrameError("the last frame is truncated")
        if frame[4 + _SIDE_INFO : 8 + _SIDE_INFO] not in (b"Info", b"Xing"):
            frames.append(frame)
        offset += size
    return Frames(tuple(frames))


def whole_frames(data: bytes) -> list[bytes]:
    """Bytes holding whole frames (as FrameGain gives them), frame by frame."""
    frames, offset = [], 0
    while offset + 4 <= len(data):
        size = _frame_size(data[offset : offset + 4])
        frames.append(data[offset : offset + size])
        offset += size
    return frames


def silent_frame(like: bytes) -> bytes:
    """A frame with the header of `like` (no padding) and empty side info: it decodes to
    silence and depends on no other frame."""
    header = bytearray(like[:4])
    header[2] &= 0xFD
    return bytes(header) + bytes(_frame_size(bytes(header)) - 4)


@functools.cache
def silence() -> bytes:
    """The silent frame of the broadcast format, its header taken from a real encode: what
    a channel plays between programs."""
    tenth = Pcm.silence(0.1, SAMPLE_RATE)
    return silent_frame(split_frames(encode_mp3(tenth)).frames[0])


def _frame_size(header: bytes) -> int:
    version_bits = (header[1] >> 3) & 0x3
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x3
    if version_bits != 2 or rate_index != 0 or not 0 < bitrate_index < 15:
        raise FrameError("not an MPEG-2 Layer III frame at 22,050 Hz")
    bitrate = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)[bitrate_index]
    padding = (header[2] >> 1) & 1
    return 72 * bitrate * 1000 // SAMPLE_RATE + padding


# Volume without re-encoding, as mp3gain does: each granule's global_gain scales its
# decoded samples by 2^(gain/4), so one step is 1.5 dB.
GAIN_STEP_DB = 1.5
_GAIN_BIT = 8 + 1 + 12 + 9  # main_data_begin, private bit, part2_3_length, big_values
_GAIN_MASK = 0xFF


def gain_steps(volume: int) -> int:
    """Steps of global_gain to remove for a volume in percent (100 = as broadcast)."""
    if volume >= 100:
        return 0
    if volume <= 0:
        return 255  # as far down as the field goes: silence
    return round(-20 * math.log10(volume / 100) / GAIN_STEP_DB)


def with_gain(frame: bytes, steps: int) -> bytes:
    """The frame made `steps` × 1.5 dB quieter, by its side information alone."""
    if steps == 0:
        return frame
    if not frame[1] & 1:
        raise FrameError("frames with a CRC are not adjusted")
    start = 4
    side = int.from_bytes(frame[start : start + _SIDE_INFO], "big")
    shift = _SIDE_INFO * 8 - _GAIN_BIT - 8
    gain = (side >> shift) & _GAIN_MASK
    side = (side & ~(_GAIN_MASK << shift)) | (max(0, gain - steps) << shift)
    return frame[:start] + side.to_bytes(_SIDE_INFO, "big") + frame[start + _SIDE_INFO :]


class FrameGain:
    """Re-cuts a byte stream into whole frames and sets their volume, for a receiver that
    turns its loudspeaker up or down on the server's word."""

    def __init__(self) -> None:
        self.volume = 100
        self._pending = bytearray()

    def restart(self) -> None:
        """A new stream begins: forget the partial frame of the last one."""
        self._pending.clear()

    def feed(self, data: bytes) -> bytes:
        self._pending += data
        out = bytearray()
        steps = gain_steps(self.volume)
        while len(self._pending) >= 4:
            if self._pending[0] != 0xFF or (self._pending[1] & 0xE0) != 0xE0:
                sync = self._pending.find(b"\xff", 1)  # lost sync: skip to the next header
                del self._pending[: sync if sync > 0 else len(self._pending)]
                continue
            size = _frame_size(bytes(self._pending[:4]))
            if len(self._pending) < size:
                break
            out += with_gain(bytes(self._pending[:size]), steps)
            del self._pending[:size]
        return bytes(out)
