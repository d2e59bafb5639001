"""A speech on the air: PCM from a microphone (the console's, over a WebSocket) levelled,
encoded into the broadcast format and fed to each zone's channel as a live input that
cuts into normal programs and yields to emergencies (`playout.Play.cuts_in`). What was
said is kept, levelled as it aired, for the archive."""

from __future__ import annotations

import time

import numpy as np

from playout import Play, Playout
from playout.frames import Frames
from playout.live import Fanout, LiveEncoder, LiveFrames
from playout.relay import Leveller
from radio.live import MAX_LIVE_S, OnAir
from voices.audio.format import SAMPLE_RATE
from voices.audio.pcm import Pcm

BEHIND_S = 0.3  # the most a zone lags behind the speaker (jitter absorbed up to it)


class Microphone:
    def __init__(self, playout: Playout, speech: OnAir, silence: bytes) -> None:
        self.fanout = Fanout()
        self.encoder = LiveEncoder()
        self.leveller = Leveller()
        self.kept: list[np.ndarray] = []
        self.plays: list[Play] = []
        until = time.time() + MAX_LIVE_S
        for zone, airing_id in speech.airings.items():
            live = LiveFrames(silence, behind_s=BEHIND_S)
            self.fanout.add(live)
            play = Play(airing_id, speech.title, Frames(()), live=live, until=until, cuts_in=True)
            playout.play(zone, play)
            self.plays.append(play)

    @property
    def seconds(self) -> float:
        return sum(len(k) for k in self.kept) / SAMPLE_RATE

    def feed(self, data: bytes) -> None:
        """Mono 16-bit PCM at the broadcast rate, as it was spoken."""
        sound = np.frombuffer(data[: len(data) // 2 * 2], np.int16) / 32768.0
        if not len(sound):
            return
        levelled = (self.leveller.level(sound) * 32767).astype(np.int16)
        self.kept.append(levelled)
        self.fanout.push(self.encoder.encode(levelled))

    def stop(self) -> Pcm | None:
        """Off the air once what has arrived has played; what was said, if anything."""
        now = time.time()
        for play in self.plays:
            assert play.live is not None
            play.until = min(play.until, now + play.live.buffered_s)
        if not self.kept:
            return None
        return Pcm(np.concatenate(self.kept), SAMPLE_RATE)
