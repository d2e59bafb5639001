"""Outside stations a commune relays (tiếp sóng): the Voice of Vietnam, the province's
radio, as HTTP/Icecast MP3 or AAC streams or HLS playlists. Read by the wheel's ffmpeg
into the broadcast rate, mono; only network protocols are allowed (a source's URL never
reads a file of this machine)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import numpy as np

from voices.audio import ffmpeg
from voices.audio.format import SAMPLE_RATE
from voices.audio.pcm import Pcm

PROTOCOLS = "http,https,tcp,tls,crypto"
SCHEMES = ("http://", "https://")
STALL_S = 5.0  # a source silent on the wire this long is dead
_STREAM = re.compile(r"Stream #\d+:\d+[^\n]*?: Audio: (\w+)([^\n]*)")
_BITRATE = re.compile(r", (\d+) kb/s")


class SourceError(Exception):
    """The source could not be read: ffmpeg's last words are the message."""


@dataclass(frozen=True)
class Probe:
    """A few seconds of a source, as the relay would take them, and what it says it is."""

    pcm: Pcm  # mono at the broadcast rate, before levelling
    codec: str
    bitrate_kbps: int | None


def command(url: str, seconds: float | None = None) -> list[str]:
    """ffmpeg reading the source into mono s16le at the broadcast rate on its stdout."""
    limit = ["-t", f"{seconds:g}"] if seconds else []
    return [
        ffmpeg.executable(), "-nostdin", "-hide_banner", "-v", "info",
        "-protocol_whitelist", PROTOCOLS, "-rw_timeout", str(int(STALL_S * 1e6)),
        "-i", url, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE),
        *limit, "-f", "s16le", "pipe:1",
    ]  # fmt: skip


def probe(url: str, seconds: float = 10.0) -> Probe:
    """`seconds` of the source (a live stream takes that long to give them)."""
    if not url.startswith(SCHEMES):
        raise SourceError("only http:// and https:// sources are relayed")
    try:
        done = subprocess.run(command(url, seconds), capture_output=True, timeout=seconds + 20)
    except subprocess.TimeoutExpired:
        late = f"the source gave less than {seconds:g} s in {seconds + 20:g} s"
        raise SourceError(late) from None
    log = done.stderr.decode("utf-8", "replace")
    sound = done.stdout[: len(done.stdout) // 2 * 2]
    if done.returncode != 0 or len(sound) < 2 * SAMPLE_RATE:
        last = [line for line in log.strip().splitlines() if line.strip()][-1:] or ["no audio"]
        raise SourceError(last[0][-300:])
    found = _STREAM.search(log)
    codec = found.group(1) if found else "unknown"
    rate = _BITRATE.search(found.group(2)) if found else None
    bitrate = int(rate.group(1)) if rate else None
    return Probe(Pcm(np.frombuffer(sound, dtype=np.int16), SAMPLE_RATE), codec, bitrate)
