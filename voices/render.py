"""From announcement text to a broadcast-ready program, through the caches.

normalize -> split -> each segment through the segment cache -> assemble with pauses (and
chimes) -> resample to the broadcast rate -> loudness-normalize -> one MP3 encoder pass ->
program store. An unchanged text with unchanged settings is found whole in the program
store before any of that; one edited sentence costs one segment of synthesis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soxr

from voices.audio import Pcm
from voices.cache import SegmentCache, segment_key
from voices.catalog import VoiceInfo
from voices.chime import CHIME_S, GAP_AFTER_S, chime
from voices.decode import decode_audio
from voices.encode import MP3_BITRATE_KBPS, encode_mp3, encode_wav
from voices.engine import SynthesisParams, Synthesizer
from voices.estimate import Calibration, Estimate
from voices.loudness import CEILING_DBTP, TARGET_LUFS, Loudness, normalize
from voices.normalize import NORMALIZER_VERSION, NORTH, SOUTH, Lexicon, Normalizer
from voices.programs import Program, ProgramStore, RenderedSegment
from voices.split import Segment, split

BROADCAST_RATE = 22050
_FORMAT = (
    f"mono {BROADCAST_RATE} Hz, MP3 CBR {MP3_BITRATE_KBPS} kbps (lameenc {version('lameenc')}),"
    f" {TARGET_LUFS} LUFS, {CEILING_DBTP} dBTP, soxr {version('soxr')}"
)


class EmptyTextError(ValueError):
    """The text has nothing to read aloud."""


@dataclass(frozen=True)
class Assembly:
    """How segments are joined into a program."""

    sentence_pause_s: float = 0.35
    paragraph_pause_s: float = 0.8
    chime: bool = False

    def pause_after(self, segment: Segment) -> float:
        return self.paragraph_pause_s if segment.ends_paragraph else self.sentence_pause_s

    @property
    def chimes_s(self) -> float:
        """The time the chimes and their gaps add to a program."""
        return 2 * (CHIME_S + GAP_AFTER_S) if self.chime else 0.0


def normalizer_for(info: VoiceInfo, lexicon: Lexicon) -> Normalizer:
    """Numbers are read the way the voice's region reads them (ngàn, lẻ in the south)."""
    return Normalizer(lexicon, SOUTH if info.dialect == "nam" else NORTH)


class Renderer:
    def __init__(
        self, cache: SegmentCache, programs: ProgramStore, calibration: Calibration
    ) -> None:
        self.cache = cache
        self.programs = programs
        self.calibration = calibration

    @classmethod
    def at(cls, cache_dir: Path, max_bytes: int) -> Renderer:
        return cls(
            SegmentCache(cache_dir, max_bytes),
            ProgramStore(cache_dir / "programs"),
            Calibration(cache_dir / "calibration.sqlite"),
        )

    def estimate(
        self,
        text: str,
        voice: Synthesizer,
        params: SynthesisParams,
        normalizer: Normalizer,
        assembly: Assembly | None = None,
    ) -> Estimate:
        """How long `render` would make the program, without synthesizing anything."""
        assembly = assembly or Assembly()
        segments = split(normalizer.normalize(text))
        return self.calibration.estimate(
            segments, voice.identity, params.rate, assembly.pause_after, assembly.chimes_s
        )

    def render(
        self,
        text: str,
        voice: Synthesizer,
        params: SynthesisParams,
        normalizer: Normalizer,
        assembly: Assembly | None = None,
    ) -> Program:
        return self.render_parts([text], voice, params, normalizer, assembly)

    def render_parts(
        self,
        parts: Sequence[str],
        voice: Synthesizer,
        params: SynthesisParams,
        normalizer: Normalizer,
        assembly: Assembly | None = None,
    ) -> Program:
        """Parts read one after another, each normalized and cached on its own, joined with
        no pause unless a part ends a sentence: a template's fixed parts stay cached while
        only its fields are new."""
        assembly = assembly or Assembly()
        segments, pauses = _segments(parts, normalizer, assembly)
        if not segments:
            raise EmptyTextError("the text is empty: there is nothing to read")
        keys = [self.key(voice, params, s.text) for s in segments]
        joins = [] if len(parts) == 1 else [f"pauses={pauses}"]
        render_key = _hash([*keys, repr(assembly), *joins, _FORMAT])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        rendered = [
            self._synthesized(segment, key, voice, params)
            for segment, key in zip(segments, keys, strict=True)
        ]
        audio = [pcm for _, pcm in rendered]
        signal, loudness = normalize(_assemble(audio, pauses, assembly), BROADCAST_RATE)
        return self._save(render_key, signal, loudness, tuple(r for r, _ in rendered))

    def warm(
        self,
        parts: Sequence[str],
        voice: Synthesizer,
        params: SynthesisParams,
        normalizer: Normalizer,
        keep_for: str,
    ) -> int:
        """Synthesize the parts' segments into the cache and keep them there for `keep_for`
        (a template's fixed parts, when it is saved); the number that were not there yet."""
        segments, _ = _segments(parts, normalizer, Assembly())
        keys = [self.key(voice, params, segment.text) for segment in segments]
        made = [
            self._synthesized(segment, key, voice, params)
            for segment, key in zip(segments, keys, strict=True)
        ]
        self.cache.keep(keep_for, keys)
        return sum(not r.hit for r, _ in made)

    def import_audio(self, data: bytes) -> Program:
        """A recording (MP3, WAV, FLAC, Ogg Vorbis) made into a program the way speech is:
        mono, the broadcast rate, the same loudness, one encoder pass."""
        render_key = _hash([hashlib.sha256(data).hexdigest(), "import", _FORMAT])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        signal, loudness = normalize(_at_broadcast_rate(decode_audio(data)), BROADCAST_RATE)
        return self._save(render_key, signal, loudness, ())

    def _synthesized(
        self, segment: Segment, key: str, voice: Synthesizer, params: SynthesisParams
    ) -> tuple[RenderedSegment, Pcm]:
        found = self.cache.get_or_synthesize(key, partial(voice.synthesize, segment.text, params))
        if not found.hit:  # measured once, when synthesized: what estimates learn from
            self.calibration.observe(voice.identity, segment.text, found.pcm.duration, params.rate)
        return (
            RenderedSegment(
                text=segment.text,
                key=key,
                hit=found.hit,
                duration=found.pcm.duration,
                synthesis_seconds=found.synthesis_seconds,
                ends_paragraph=segment.ends_paragraph,
            ),
            found.pcm,
        )

    def _save(
        self,
        render_key: str,
        signal: Float,
        loudness: Loudness,
        segments: tuple[RenderedSegment, ...],
    ) -> Program:
        pcm = Pcm.from_float(signal, BROADCAST_RATE)
        return self.programs.save(
            render_key,
            mp3=encode_mp3(pcm),
            master=encode_wav(pcm),
            loudness=loudness,
            duration=pcm.duration,
            segments=segments,
        )

    @staticmethod
    def key(voice: Synthesizer, params: SynthesisParams, text: str) -> str:
        """Everything that changes a segment's audio and nothing else. A lexicon entry
        enters through the normalized text: it changes the key of exactly the segments
        whose reading it changes."""
        return segment_key(
            voice.identity,
            f"rate={params.rate:g}",
            f"volume={params.volume:g}",
            NORMALIZER_VERSION,
            text,
        )


Float = npt.NDArray[np.float64]


JOIN_PAUSE_S = 0.05  # between parts of one sentence: a breath, not a pause
_SENTENCE_END = (".", "!", "?", "…", ":", ";")


def _segments(
    parts: Sequence[str], normalizer: Normalizer, assembly: Assembly
) -> tuple[list[Segment], list[float]]:
    """The segments of all parts and the pause after each one."""
    segments: list[Segment] = []
    pauses: list[float] = []
    for part in parts:
        found = split(normalizer.normalize(part))
        segments += found
        pauses += [assembly.pause_after(s) for s in found]
        if found and not part.rstrip().endswith(_SENTENCE_END) and len(parts) > 1:
            pauses[-1] = JOIN_PAUSE_S
    return segments, pauses


def _assemble(audio: list[Pcm], pauses: list[float], assembly: Assembly) -> Float:
    parts: list[Float] = []
    if assembly.chime:
        parts += [chime(BROADCAST_RATE, rising=True), _silence(GAP_AFTER_S)]
    for index, (pcm, pause) in enumerate(zip(audio, pauses, strict=True)):
        parts.append(_at_broadcast_rate(pcm))
        if index < len(audio) - 1:
            parts.append(_silence(pause))
    if assembly.chime:
        parts += [_silence(GAP_AFTER_S), chime(BROADCAST_RATE, rising=False)]
    return np.concatenate(parts)


def _at_broadcast_rate(pcm: Pcm) -> Float:
    audio = pcm.samples.astype(np.float64) / 32768.0
    if pcm.sample_rate == BROADCAST_RATE:
        return audio
    return np.asarray(
        soxr.resample(audio, pcm.sample_rate, BROADCAST_RATE, quality="HQ"), np.float64
    )


def _silence(seconds: float) -> Float:
    return np.zeros(round(seconds * BROADCAST_RATE))


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
