"""A live input for a channel: frames made as a source plays (a relayed station, a
microphone), kept at the live edge, with a standby to fill any gap.

`LiveFrames` is what a channel reads instead of a program's fixed frames: whatever has
arrived, up to what the channel needs; when nothing has (the source died, or has not
started), the standby's frames (a chosen recording, looped) or silence. It keeps no
more than KEEP_S: after an emergency cut into it, the relay resumes live, not from where
it was. `LiveEncoder` makes such frames from PCM as it comes, in the broadcast format."""

from __future__ import annotations

import threading
from collections import deque

import lameenc

from playout.frames import FrameGain, Frames, whole_frames
from voices.audio.format import BITRATE_KBPS, FRAME_SECONDS, SAMPLE_RATE
from voices.audio.pcm import Samples

KEEP_S = 2.0


class LiveFrames:
    """`behind_s` bounds how far behind the live edge the channel may fall: a source that
    gives frames at the channel's own rate, with jitter, would otherwise drift behind by
    every gap the standby filled, up to KEEP_S. Past it the oldest frames are skipped: a
    microphone stays within a fraction of a second of the speaker's mouth."""

    def __init__(
        self, silence: bytes, standby: Frames | None = None, behind_s: float = KEEP_S
    ) -> None:
        self.silence = silence
        self.standby = standby
        self._frames: deque[bytes] = deque(maxlen=round(KEEP_S / FRAME_SECONDS))
        self._behind = round(behind_s / FRAME_SECONDS)
        self._lock = threading.Lock()
        self._standby_at = 0
        self.filled = 0  # frames the standby (or silence) gave while the source was away

    def push(self, frames: list[bytes]) -> None:
        with self._lock:
            self._frames.extend(frames)

    @property
    def buffered_s(self) -> float:
        """What has arrived and not yet been taken, in seconds."""
        return len(self._frames) * FRAME_SECONDS

    def take(self, count: int) -> list[bytes]:
        """`count` frames: the source's, then the standby's for what it has not given."""
        with self._lock:
            while len(self._frames) > self._behind + count:
                self._frames.popleft()  # too far behind the live edge: skipped
            out = [self._frames.popleft() for _ in range(min(count, len(self._frames)))]
        missing = count - len(out)
        self.filled += missing
        return out + [self._standby_frame() for _ in range(missing)]

    def _standby_frame(self) -> bytes:
        if self.standby is None or not self.standby.frames:
            return self.silence
        frame = self.standby.frames[self._standby_at % len(self.standby.frames)]
        self._standby_at += 1
        return frame


class Fanout:
    """One source's frames pushed to every live input relaying it: each zone's channel
    takes frames at its own pace from its own input."""

    def __init__(self) -> None:
        self._inputs: list[LiveFrames] = []
        self._lock = threading.Lock()

    def add(self, live: LiveFrames) -> None:
        with self._lock:
            self._inputs = [*self._inputs, live]

    def remove(self, live: LiveFrames) -> None:
        with self._lock:
            self._inputs = [i for i in self._inputs if i is not live]

    def __len__(self) -> int:
        return len(self._inputs)

    def push(self, frames: list[bytes]) -> None:
        for live in self._inputs:
            live.push(frames)


class LiveEncoder:
    """Mono PCM at the broadcast rate in, whole broadcast-format frames out."""

    def __init__(self) -> None:
        self._encoder = lameenc.Encoder()
        self._encoder.set_bit_rate(BITRATE_KBPS)
        self._encoder.set_in_sample_rate(SAMPLE_RATE)
        self._encoder.set_out_sample_rate(SAMPLE_RATE)
        self._encoder.set_channels(1)
        self._encoder.set_quality(5)
        self._cutter = FrameGain()  # cuts bytes into whole frames (at full volume)

    def encode(self, samples: Samples) -> list[bytes]:
        return whole_frames(self._cutter.feed(bytes(self._encoder.encode(samples.tobytes()))))
