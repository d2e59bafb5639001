"""The playout: live zone channels that receivers pull as paced MP3 streams."""

from playout.channel import HANG_UP, Channel, Event, Play, Playout
from playout.frames import (
    FRAME_SECONDS,
    FrameError,
    FrameGain,
    Frames,
    gain_steps,
    silent_frame,
    split_frames,
    with_gain,
)

__all__ = [
    "FRAME_SECONDS",
    "HANG_UP",
    "Channel",
    "Event",
    "FrameError",
    "FrameGain",
    "Frames",
    "Play",
    "Playout",
    "gain_steps",
    "silent_frame",
    "split_frames",
    "with_gain",
]
