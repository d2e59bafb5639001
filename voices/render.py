"""From text to a broadcast-ready program, through the caches.

normalize -> split -> each segment through the segment cache -> assemble with pauses (and
chimes) -> resample to the broadcast rate -> loudness-normalize -> one MP3 encoder pass ->
program store. An unchanged text with unchanged settings is found whole in the program
store before any of that; one edited sentence costs one segment of synthesis.

What decides how a text sounds travels as one `Reading`, so every caller (the station,
the command line, the benchmarks) describes it the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from voices.assembly import Assembly, Float, assemble, at_broadcast_rate, segments_of
from voices.audio import format as broadcast
from voices.audio.decode import decode_audio
from voices.audio.encode import encode_mp3, encode_wav
from voices.audio.loudness import Loudness, normalize
from voices.audio.pcm import Pcm
from voices.engines.catalog import Catalog, VoiceInfo
from voices.engines.engine import SynthesisParams, Synthesizer
from voices.estimate import Calibration, Estimate
from voices.normalize import NORMALIZER_VERSION, NORTH, SOUTH, Lexicon, Normalizer
from voices.split import Segment
from voices.store.programs import ProgramStore, RenderedProgram, RenderedSegment
from voices.store.segments import SegmentCache, segment_key


class EmptyTextError(ValueError):
    """The text has nothing to read aloud."""


def normalizer_for(info: VoiceInfo, lexicon: Lexicon) -> Normalizer:
    """Numbers are read the way the voice's region reads them (ngàn, lẻ in the south)."""
    return Normalizer(lexicon, SOUTH if info.dialect == "nam" else NORTH)


@dataclass(frozen=True)
class Reading:
    """How a text becomes speech: the voice, how its words are read (the normalizer, with
    the lexicon and the voice's regional numbers), the speaking parameters and how the
    segments are joined."""

    voice: Synthesizer
    normalizer: Normalizer
    params: SynthesisParams = SynthesisParams()
    assembly: Assembly = Assembly()

    @classmethod
    def of(
        cls,
        catalog: Catalog,
        voice_id: str,
        lexicon: Lexicon | None = None,
        params: SynthesisParams = SynthesisParams(),
        chime: bool = False,
    ) -> Reading:
        """The reading of an installed voice; raises VoiceError for one that cannot be
        used as asked."""
        voice = catalog.synthesizer(voice_id)
        normalizer = normalizer_for(catalog.info(voice_id), lexicon or Lexicon())
        return cls(voice, normalizer, params, Assembly(chime=chime))

    def key(self, text: str) -> str:
        """Everything that changes a segment's audio and nothing else. A lexicon entry
        enters through the normalized text: it changes the key of exactly the segments
        whose reading it changes."""
        return segment_key(
            self.voice.identity,
            f"rate={self.params.rate:g}",
            f"volume={self.params.volume:g}",
            NORMALIZER_VERSION,
            text,
        )


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

    def estimate(self, text: str, reading: Reading) -> Estimate:
        """How long `render` would make the program, without synthesizing anything."""
        segments, _ = segments_of([text], reading.normalizer, reading.assembly)
        assembly = reading.assembly
        return self.calibration.estimate(
            segments,
            reading.voice.identity,
            reading.params.rate,
            assembly.pause_after,
            assembly.chimes_s,
        )

    def render(self, text: str, reading: Reading) -> RenderedProgram:
        return self.render_parts([text], reading)

    def render_parts(self, parts: Sequence[str], reading: Reading) -> RenderedProgram:
        """Parts read one after another, each normalized and cached on its own, joined with
        no pause unless a part ends a sentence: a template's fixed parts stay cached while
        only its fields are new."""
        segments, pauses = segments_of(parts, reading.normalizer, reading.assembly)
        if not segments:
            raise EmptyTextError("the text is empty: there is nothing to read")
        keys = [reading.key(s.text) for s in segments]
        joins = [] if len(parts) == 1 else [f"pauses={pauses}"]
        render_key = _hash([*keys, repr(reading.assembly), *joins, broadcast.describe()])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        rendered = [
            self._synthesized(segment, key, reading)
            for segment, key in zip(segments, keys, strict=True)
        ]
        audio = [pcm for _, pcm in rendered]
        signal, loudness = normalize(
            assemble(audio, pauses, reading.assembly), broadcast.SAMPLE_RATE
        )
        return self._save(render_key, signal, loudness, tuple(r for r, _ in rendered))

    def warm(self, parts: Sequence[str], reading: Reading, keep_for: str) -> int:
        """Synthesize the parts' segments into the cache and keep them there for `keep_for`
        (a template's fixed parts, when it is saved); the number that were not there yet."""
        segments, _ = segments_of(parts, reading.normalizer, Assembly())
        keys = [reading.key(segment.text) for segment in segments]
        made = [
            self._synthesized(segment, key, reading)
            for segment, key in zip(segments, keys, strict=True)
        ]
        self.cache.keep(keep_for, keys)
        return sum(not r.hit for r, _ in made)

    def import_audio(self, data: bytes) -> RenderedProgram:
        """A recording (MP3, WAV, FLAC, Ogg Vorbis) made into a program the way speech is:
        mono, the broadcast rate, the same loudness, one encoder pass."""
        render_key = _hash([hashlib.sha256(data).hexdigest(), "import", broadcast.describe()])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        signal, loudness = normalize(at_broadcast_rate(decode_audio(data)), broadcast.SAMPLE_RATE)
        return self._save(render_key, signal, loudness, ())

    def _synthesized(
        self, segment: Segment, key: str, reading: Reading
    ) -> tuple[RenderedSegment, Pcm]:
        voice, params = reading.voice, reading.params
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
    ) -> RenderedProgram:
        pcm = Pcm.from_float(signal, broadcast.SAMPLE_RATE)
        return self.programs.save(
            render_key,
            mp3=encode_mp3(pcm),
            master=encode_wav(pcm),
            loudness=loudness,
            duration=pcm.duration,
            segments=segments,
        )


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
