"""pydub, imported once for the whole package, quiet about the ffmpeg it looks for on PATH
when imported. Only its in-memory AudioSegment is used (recordings trimmed in
voices.audio.trim, mixed programmes joined in voices.mixed): nothing here makes pydub run
ffmpeg, so none is looked up at import (the wheel's is found, and run once to check it,
only when a recording needs decoding: voices.audio.ffmpeg)."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

__all__ = ["AudioSegment", "detect_leading_silence"]
