"""The playout: live zone channels that receivers pull as paced MP3 streams."""

from playout.channel import Channel, Event, Play, Playout
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
from playout.listeners import HANG_UP, Listener, QueueListener, StreamListener

__all__ = [
    "HANG_UP",
    "Channel",
    "Event",
    "FrameError",
    "FrameGain",
    "Frames",
    "Listener",
    "Play",
    "Playout",
    "QueueListener",
    "StreamListener",
    "gain_steps",
    "silence",
    "silent_frame",
    "split_frames",
    "with_gain",
]
