"""The playout: live zone channels that receivers pull as paced MP3 streams."""

from playout.channel import Channel, Event, Play, Playout
from playout.frames import FRAME_SECONDS, FrameError, Frames, silent_frame, split_frames

__all__ = [
    "FRAME_SECONDS",
    "Channel",
    "Event",
    "FrameError",
    "Frames",
    "Play",
    "Playout",
    "silent_frame",
    "split_frames",
]
