"""pydub, set up once for the whole package: quiet about the ffmpeg it looks for on PATH
when imported, and pointed at the wheel's (voices.audio.ffmpeg) for whatever it encodes.
Recordings are trimmed (voices.audio.trim) and mixed programmes joined (voices.mixed)
with its AudioSegment."""

from __future__ import annotations

import warnings

from voices.audio import ffmpeg

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

AudioSegment.converter = ffmpeg.executable()

__all__ = ["AudioSegment", "detect_leading_silence"]
