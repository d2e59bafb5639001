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
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import miniaudio

from voices.assembly import (
    SENTENCE_PAUSE_S,
    Assembly,
    Float,
    assemble,
    at_broadcast_rate,
    segments_of,
    silence,
)
from voices.audio import format as broadcast
from voices.audio.chime import chime
from voices.audio.decode import AudioFileError, decode_audio
from voices.audio.encode import encode_mp3, encode_wav
from voices.audio.loudness import Loudness, measure, normalize
from voices.audio.pcm import Pcm
from voices.audio.trim import trim_silence
from voices.engines.catalog import Catalog, VoiceInfo
from voices.engines.engine import SynthesisParams, Synthesizer
from voices.estimate import Calibration, Estimate
from voices.mixed import Bell, Part, Pause, Recorded, Spoken, join
from voices.normalize import NORMALIZER_VERSION, NORTH, SOUTH, Lexicon, Normalizer
from voices.split import Segment
from voices.store.integrity import intact
from voices.store.programs import SUBDIRECTORY as PROGRAMS
from voices.store.programs import ProgramStore, RenderedProgram, RenderedSegment
from voices.store.segments import SegmentCache, segment_key

MAX_SECONDS = 15 * 60  # the longest text read aloud (bulletins take 1 to 5 minutes)
MAX_SPOKEN_CHARS = 120_000  # the most normalized text one program may have
# Programs made at once (synthesis, assembly, loudness, encoding): each holds its whole
# signal several times over, and more at once than cores gains no time. Twenty previews
# at once peaked at 800 MB, ten 1-minute recordings at 1.7 GB. Urgent ones do not queue.
MAKING_AT_ONCE = 2
MAX_MIXED_S = 30 * 60  # a mixed programme may hold a recording as long as any upload
MIXED_VERSION = "mixed-1"  # how parts are joined: 1 levels each part, then crossfades
IMPORT_VERSION = "import-2"  # how a recording is made a program: 2 cuts silence at the ends


class TooLongError(ValueError):
    """The text would be read for longer than a program may last. Raised before anything
    is synthesized: `999.999.999.999` is read many times longer than it is written."""

    def __init__(self, seconds: float, limit: float) -> None:
        super().__init__(f"it would be read for {seconds / 60:.0f} minutes")
        self.seconds, self.limit = seconds, limit


class EmptyTextError(ValueError):
    """The text has nothing to read aloud."""


class MissingPartError(ValueError):
    """A mixed programme names a recording the store no longer holds whole."""


Made = tuple[Float, tuple[RenderedSegment, ...]]  # a part's signal, and its segments


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
        sentence_pause_s: float = SENTENCE_PAUSE_S,
    ) -> Reading:
        """The reading of an installed voice; raises VoiceError for one that cannot be
        used as asked."""
        voice = catalog.synthesizer(voice_id)
        normalizer = normalizer_for(catalog.info(voice_id), lexicon or Lexicon())
        assembly = Assembly(sentence_pause_s=sentence_pause_s, chime=chime)
        return cls(voice, normalizer, params, assembly)

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
        self._making = threading.BoundedSemaphore(MAKING_AT_ONCE)

    @classmethod
    def at(cls, cache_dir: Path, max_bytes: int, masters: bool = True) -> Renderer:
        """A renderer over the caches in `cache_dir`; `masters` False keeps only the MP3
        of each program (see ProgramStore)."""
        return cls(
            SegmentCache(cache_dir, max_bytes),
            ProgramStore(cache_dir / PROGRAMS, masters),
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

    def _bounded(self, segments: list[Segment], reading: Reading) -> None:
        """Refuse, before any synthesis, a text whose reading is too long: by its spoken
        length first (cheap), then by the calibrated estimate of its duration."""
        spoken = sum(len(s.text) for s in segments)
        if spoken > MAX_SPOKEN_CHARS:
            raise TooLongError(spoken / 15.0, MAX_SECONDS)  # about 15 characters a second
        seconds = self.calibration.estimate(
            segments,
            reading.voice.identity,
            reading.params.rate,
            reading.assembly.pause_after,
            reading.assembly.chimes_s,
        ).seconds
        if seconds > MAX_SECONDS:
            raise TooLongError(seconds, MAX_SECONDS)

    def render(self, text: str, reading: Reading, urgent: bool = False) -> RenderedProgram:
        return self.render_parts([text], reading, urgent)

    def render_parts(
        self, parts: Sequence[str], reading: Reading, urgent: bool = False
    ) -> RenderedProgram:
        """Parts read one after another, each normalized and cached on its own, joined with
        no pause unless a part ends a sentence: a template's fixed parts stay cached while
        only its fields are new. A program not made yet waits its turn (MAKING_AT_ONCE),
        unless `urgent` (an emergency)."""
        segments, pauses = segments_of(parts, reading.normalizer, reading.assembly)
        if not segments:
            raise EmptyTextError("the text is empty: there is nothing to read")
        self._bounded(segments, reading)
        keys = [reading.key(s.text) for s in segments]
        joins = [] if len(parts) == 1 else [f"pauses={pauses}"]
        render_key = _hash([*keys, repr(reading.assembly), *joins, broadcast.describe()])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        with self._turn(urgent):
            return self.programs.load(render_key) or self._make(
                render_key, segments, keys, pauses, reading
            )

    def _make(
        self,
        render_key: str,
        segments: list[Segment],
        keys: list[str],
        pauses: list[float],
        reading: Reading,
    ) -> RenderedProgram:
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
        """A recording (any format `decode_audio` reads) made into a program the way speech
        is: mono, silence cut from either end, the broadcast rate, the same loudness, one
        encoder pass."""
        render_key = _hash([hashlib.sha256(data).hexdigest(), IMPORT_VERSION, broadcast.describe()])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        with self._turn(urgent=False):
            found = self.programs.load(render_key)  # made meanwhile by the same upload
            if found is not None:
                return found
            samples = at_broadcast_rate(trim_silence(decode_audio(data)))
            signal, loudness = normalize(samples, broadcast.SAMPLE_RATE)
            return self._save(render_key, signal, loudness, ())

    def adopt(self, mp3: bytes) -> RenderedProgram:
        """An MP3 another station made in the broadcast format, kept byte for byte so that
        its hash stays the sender's (what was approved there is what airs here): it must
        decode at the broadcast rate; it is measured, never encoded again."""
        render_key = _hash([hashlib.sha256(mp3).hexdigest(), "adopted", broadcast.describe()])
        found = self.programs.load(render_key)
        if found is not None:
            return found
        try:
            info = miniaudio.mp3_get_info(mp3)
        except miniaudio.DecodeError:
            raise AudioFileError("not an MP3") from None
        if (info.sample_rate, info.nchannels) != (broadcast.SAMPLE_RATE, broadcast.CHANNELS):
            raise AudioFileError(f"not the broadcast format ({info.sample_rate} Hz)")
        signal = at_broadcast_rate(decode_audio(mp3))
        return self.programs.save(
            render_key,
            mp3=mp3,
            master=encode_wav(Pcm.from_float(signal, broadcast.SAMPLE_RATE)),
            loudness=measure(signal, broadcast.SAMPLE_RATE),
            duration=info.duration,
            segments=(),
        )

    def import_pcm(self, pcm: Pcm) -> RenderedProgram:
        """Sound already decoded (seconds of a relayed station, say) made a program at the
        broadcast loudness, as it would air."""
        digest = hashlib.sha256(pcm.samples.tobytes()).hexdigest()
        render_key = _hash([digest, f"pcm@{pcm.sample_rate}", broadcast.describe()])
        found = self.programs.load(render_key)
        if found is not None:
            return found
        signal, loudness = normalize(at_broadcast_rate(pcm), broadcast.SAMPLE_RATE)
        return self._save(render_key, signal, loudness, ())

    def render_mixed(
        self, parts: Sequence[Part], reading: Reading, urgent: bool = False
    ) -> RenderedProgram:
        """A mixed programme (voices.mixed): its parts made in order, each spoken one
        through the segment cache, joined with crossfades and levelled once more."""
        plans = [self._plan(part, reading) for part in parts]
        if not any(isinstance(p, Spoken | Recorded) for p in parts):
            raise EmptyTextError("a programme needs a text or a recording")
        render_key = _hash([MIXED_VERSION, *(key for key, _ in plans), broadcast.describe()])
        program = self.programs.load(render_key)
        if program is not None:
            return program
        with self._turn(urgent):
            found = self.programs.load(render_key)
            if found is not None:
                return found
            made = [make() for _, make in plans]
            joined = join([signal for signal, _ in made], broadcast.SAMPLE_RATE)
            if len(joined) > MAX_MIXED_S * broadcast.SAMPLE_RATE:
                raise TooLongError(len(joined) / broadcast.SAMPLE_RATE, MAX_MIXED_S)
            signal, loudness = normalize(joined, broadcast.SAMPLE_RATE)
            segments = tuple(s for _, part in made for s in part)
            return self._save(render_key, signal, loudness, segments)

    def _plan(self, part: Part, reading: Reading) -> tuple[str, Callable[[], Made]]:
        """A part's key (all that changes its audio) and how to make its signal."""
        match part:
            case Spoken(text):
                segments, pauses = segments_of([text], reading.normalizer, reading.assembly)
                if not segments:
                    raise EmptyTextError("a text part has nothing to read aloud")
                self._bounded(segments, reading)
                keys = [reading.key(s.text) for s in segments]
                key = _hash([*keys, repr(pauses), repr(reading.assembly)])
                return key, partial(self._spoken, segments, keys, pauses, reading)
            case Recorded(program):
                return f"recording={program}", partial(self._recorded, program)
            case Pause(seconds):
                return f"pause={seconds:g}", lambda: (silence(seconds), ())
            case Bell(rising):
                return f"bell={rising}", lambda: (chime(broadcast.SAMPLE_RATE, rising), ())
        raise TypeError(f"not a part: {part!r}")

    def _spoken(
        self, segments: list[Segment], keys: list[str], pauses: list[float], reading: Reading
    ) -> Made:
        rendered = [self._synthesized(s, k, reading) for s, k in zip(segments, keys, strict=True)]
        plain = Assembly(reading.assembly.sentence_pause_s, reading.assembly.paragraph_pause_s)
        signal = assemble([pcm for _, pcm in rendered], pauses, plain)
        return normalize(signal, broadcast.SAMPLE_RATE)[0], tuple(r for r, _ in rendered)

    def _recorded(self, program: str) -> Made:
        path = self.programs.directory / f"{program}.mp3"
        if not intact(path, program):
            raise MissingPartError(f"the recording {program[:12]}… is gone or damaged")
        return at_broadcast_rate(decode_audio(path.read_bytes())), ()

    @contextmanager
    def _turn(self, urgent: bool) -> Iterator[None]:
        if urgent:
            yield
            return
        with self._making:
            yield

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
