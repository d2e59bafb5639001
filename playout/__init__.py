"""The playout: live zone channels that receivers pull as paced MP3 streams."""

from playout.channel import HANG_UP, Channel, Event, Play, Playout
from playout.frames import (
    FrameError,
    FrameGain,
    Frames,
    gain_steps,
    silence,
    silent_frame,
    split_frames,
    with_gain,
)

__all__ = [
    "HANG_UP",
    "Channel",
    "Event",
    "FrameError",
    "FrameGain",
    "Frames",
    "Play",
    "Playout",
    "gain_steps",
    "silence",
    "silent_frame",
    "split_frames",
    "with_gain",
]
