"""The one broadcast format every program airs in, written down once.

A channel splices programs and silence frame by frame, and many IP loudspeakers fail when
the format changes mid-stream, so everything that can air is encoded alike: mono MPEG-2
Layer III at 22,050 Hz, constant 48 kbps, levelled to -16 LUFS with true peaks at most
-1 dBTP. The encoder, the renderer, the channels, the stream headers and the Icecast push
all read it from here.
"""

from __future__ import annotations

from importlib.metadata import version

SAMPLE_RATE = 22050
CHANNELS = 1
BITRATE_KBPS = 48
FRAME_SAMPLES = 576  # MPEG-2 Layer III: 576 samples a frame
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
BYTES_PER_SECOND = BITRATE_KBPS * 1000 // 8
TARGET_LUFS = -16.0
CEILING_DBTP = -1.0
MEDIA_TYPE = "audio/mpeg"


def describe() -> str:
    """The format and the versions of what makes it, for the program store's render key:
    a program made by another encoder or resampler is rendered again, not reused."""
    return (
        f"mono {SAMPLE_RATE} Hz, MP3 CBR {BITRATE_KBPS} kbps (lameenc {version('lameenc')}),"
        f" {TARGET_LUFS} LUFS, {CEILING_DBTP} dBTP, soxr {version('soxr')}"
    )


def stream_headers() -> dict[str, str]:
    """What a listener (an IP speaker, Icecast's relays) is told about the stream."""
    return {
        "icy-br": str(BITRATE_KBPS),
        "icy-sr": str(SAMPLE_RATE),
        "ice-audio-info": f"samplerate={SAMPLE_RATE};channels={CHANNELS};bitrate={BITRATE_KBPS}",
    }
