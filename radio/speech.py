"""The station's speech service: text read aloud through the voices library and kept as a
program row, the one way the application reaches `voices`.

Announcements, bulletins, templates, voice samples and the reading preview all come here
with a `Voicing` (voice, rate, chime); the service builds the `Reading` (synthesizer,
normalizer with the lexicon of the voicing's commune, parameters, assembly) once per call.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radio.errors import Conflict, Invalid, NotFound
from radio.lexicons import Lexicons
from radio.models import Announcement, Program, Revision, Source
from voices import (
    DEFAULT_VOICE,
    MAX_SECONDS,
    AudioFileError,
    Catalog,
    EmptyTextError,
    Lexicon,
    Reading,
    RenderedProgram,
    Renderer,
    SynthesisParams,
    TooLongError,
    VoiceError,
    VoiceInfo,
    normalizer_for,
)
from voices.assembly import SENTENCE_PAUSE_S
from voices.estimate import Estimate
from voices.mixed import Bell, Part, Pause, Recorded, Spoken
from voices.normalize import clean_line
from voices.render import MissingPartError

log = logging.getLogger("radio.speech")
ESTIMATES_KEPT = 4096  # texts whose estimated length is remembered
SAMPLE_TEXT = "Kính thưa bà con. Đây là giọng đọc của Đài truyền thanh xã."


def too_long(exc: TooLongError) -> Invalid:
    minutes, limit = round(exc.seconds / 60), round(exc.limit / 60)
    return Invalid(
        f"read aloud, this text would last about {minutes} minutes; at most {limit} minutes"
        " fit in a program (numbers, dates and abbreviations are read out in full)",
        f"đọc lên, nội dung này dài khoảng {minutes} phút; một chương trình tối đa {limit}"
        " phút (số, ngày tháng và chữ viết tắt được đọc đầy đủ)",
        field="text",
    )


@dataclass(frozen=True)
class Voicing:
    """How a text is read: the settings a revision, a bulletin or a template carries."""

    voice: str
    rate: float = 1.0
    chime: bool = False
    commune: int | None = None  # whose lexicon (None: the level above's)

    @classmethod
    def of(cls, revision: Revision) -> Voicing:
        commune = revision.announcement.commune_id
        return cls(revision.voice, revision.rate, revision.chime, commune)


class LexiconFile:
    """The pronunciation lexicon, parsed once and again only when its file changes. Lines
    that cannot be read are left out (and shown with the reading preview), never a reason
    to fail a render; they are logged once per change of the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._lexicon = Lexicon()

    def current(self) -> Lexicon:
        with self._lock:
            try:
                stat = self.path.stat()
                seen: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                seen = None
            if seen != self._seen:
                self._lexicon = Lexicon.load(self.path)
                self._seen = seen
                for problem in self._lexicon.problems:
                    log.warning("lexicon line left out: %s", problem)
            return self._lexicon


class Speech:
    def __init__(
        self,
        catalog: Catalog,
        renderer: Renderer,
        lexicons: Lexicons,
        sentence_pause_s: float = SENTENCE_PAUSE_S,
    ) -> None:
        self.catalog = catalog
        self.renderer = renderer
        self.lexicons = lexicons
        self.sentence_pause_s = sentence_pause_s
        self._estimates: dict[tuple[str, Voicing, str], float] = {}

    def voice(self, voice_id: str) -> VoiceInfo:
        """The catalog's voice, or a refusal naming the field."""
        try:
            return self.catalog.info(voice_id)
        except VoiceError as exc:
            raise Invalid(str(exc), f"không có giọng '{voice_id}'", field="voice") from None

    def reading(self, voicing: Voicing) -> Reading:
        try:
            return Reading.of(
                self.catalog,
                voicing.voice,
                self.lexicons.of(voicing.commune),
                SynthesisParams(rate=voicing.rate),
                chime=voicing.chime,
                sentence_pause_s=self.sentence_pause_s,
            )
        except VoiceError as exc:
            raise Invalid(
                f"unknown voice: {exc}",
                f"giọng đọc không dùng được: {voicing.voice}",
                field="voice",
            ) from None

    def render(
        self, parts: Sequence[str], voicing: Voicing, urgent: bool = False
    ) -> RenderedProgram:
        """Rendered through the caches (free when previewed before); a new program waits
        its turn behind others being made, unless `urgent` (an emergency)."""
        reading = self.reading(voicing)
        with _refused():
            return self.renderer.render_parts(parts, reading, urgent)

    def check_length(self, text: str, voicing: Voicing) -> None:
        """Refuse (422, saying how long) a text that would be read for longer than a
        program may last, before anything is saved or synthesized."""
        try:
            seconds = self.estimate(text, voicing).seconds
        except EmptyTextError:
            return  # said elsewhere: nothing to read
        if seconds > MAX_SECONDS:
            raise too_long(TooLongError(seconds, MAX_SECONDS))

    def render_row(
        self, db: Session, parts: Sequence[str], voicing: Voicing, urgent: bool = False
    ) -> Program:
        return program_row(db, self.render(parts, voicing, urgent))

    def render_revision(self, db: Session, revision: Revision, urgent: bool = False) -> Program:
        """The revision's program, recorded on it."""
        program = self.program_of(db, revision, urgent)
        revision.program_hash = program.hash
        db.flush()
        return program

    def program_of(self, db: Session, revision: Revision, urgent: bool = False) -> Program:
        """The revision's program, made by what it is made of; the revision untouched. A
        recording, or audio fixed elsewhere (from above, from a template), is what it is:
        never re-rendered."""
        fixed = db.get(Program, revision.program_hash) if revision.program_hash else None
        if fixed is not None and revision.fixed:
            return fixed
        if revision.recorded:
            raise Conflict("the recording's audio is gone", "không còn âm thanh của bản ghi")
        voicing = Voicing.of(revision)
        if revision.source == Source.MIXED:
            return program_row(db, self.render_mixed(revision.parts or [], voicing, urgent))
        return self.render_row(db, [revision.text], voicing, urgent)

    def render_mixed(
        self, parts: list[dict[str, Any]], voicing: Voicing, urgent: bool = False
    ) -> RenderedProgram:
        """A mixed revision's parts (as radio.mixes stores them) made one program. Parts
        with no text need no voice: the built-in one stands in, reading nothing."""
        if not any(p["kind"] == "text" for p in parts):
            voicing = replace(voicing, voice=DEFAULT_VOICE)
        reading = self.reading(voicing)
        with _refused():
            return self.renderer.render_mixed([_part(p) for p in parts], reading, urgent)

    def estimate(self, text: str, voicing: Voicing) -> Estimate:
        """How long the text will take, without synthesizing it."""
        return self.renderer.estimate(text, self.reading(voicing))

    def expected_seconds(self, announcement: Announcement) -> float:
        """How long the announcement's program lasts: its rendered length once there is
        one, else the estimate of its text (read by the built-in voice if its own is gone).
        The one answer timelines, clash checks and fit checks use."""
        revision = announcement.current
        if revision.program is not None:
            return revision.program.duration
        voicing = Voicing.of(revision)
        key = (revision.text, voicing, self.lexicons.of(voicing.commune).version)
        if key not in self._estimates:
            if len(self._estimates) >= ESTIMATES_KEPT:
                self._estimates.clear()
            try:
                seconds = self.estimate(revision.text, voicing).seconds
            except Invalid:
                fallback = replace(voicing, voice=DEFAULT_VOICE)
                seconds = self.estimate(revision.text, fallback).seconds
            self._estimates[key] = seconds
        return self._estimates[key]

    def warm(self, parts: Sequence[str], voicing: Voicing, keep_for: str) -> int:
        """Parts synthesized into the cache now and kept there for `keep_for`."""
        return self.renderer.warm(parts, self.reading(voicing), keep_for)

    def import_audio(self, db: Session, data: bytes) -> Program:
        try:
            return program_row(db, self.renderer.import_audio(data))
        except AudioFileError as exc:
            raise Invalid(str(exc), exc.vi, field="file") from None

    def adopt(self, db: Session, mp3: bytes) -> Program:
        """Another station's program, kept byte for byte (its hash unchanged)."""
        try:
            return program_row(db, self.renderer.adopt(mp3))
        except AudioFileError as exc:
            raise Invalid(str(exc), exc.vi, field="program") from None

    def sample(self, voice_id: str) -> RenderedProgram:
        """A short sentence in the voice, rendered through the cache (so, once)."""
        try:
            info = self.catalog.info(voice_id)
        except VoiceError as exc:
            raise NotFound(str(exc), f"không có giọng '{voice_id}'") from None
        if not info.installed:
            raise Conflict("the voice is not installed", "giọng chưa được cài đặt")
        return self.render([SAMPLE_TEXT], Voicing(voice_id))

    def explain(self, text: str, voice_id: str, commune: int | None) -> list[dict[str, Any]]:
        """The text as the voice will read it in the commune, line by line, with every
        rewritten span (number, date, abbreviation…) and its reading: the console's
        reading preview."""
        normalizer = normalizer_for(self.voice(voice_id), self.lexicons.of(commune))
        lines = []
        for line in text.split("\n"):
            spoken, rewrites = normalizer.explain(line)
            lines.append(
                {
                    "text": unicodedata.normalize("NFC", line),
                    "cleaned": clean_line(line),
                    "reading": spoken,
                    "rewrites": [asdict(r) for r in rewrites],
                }
            )
        return lines


def program_row(db: Session, rendered: RenderedProgram) -> Program:
    """The database's record of a rendered program (one per content hash). The same audio
    uploaded twice at once, or the same text previewed by two officers, makes the same
    row in two transactions: the second finds the first's."""
    program = db.get(Program, rendered.hash)
    if program is not None:
        return program
    try:
        with db.begin_nested():
            program = Program(
                hash=rendered.hash,
                duration=rendered.duration,
                loudness_lufs=rendered.loudness.integrated_lufs,
                mp3_path=str(rendered.mp3_path),
            )
            db.add(program)
    except IntegrityError:
        found = db.get(Program, rendered.hash)
        if found is None:
            raise
        return found
    return program


def _part(stored: dict[str, Any]) -> Part:
    """A stored part (radio.mixes) as the speech library takes it."""
    kind = stored["kind"]
    if kind == "text":
        return Spoken(stored["text"])
    if kind == "recording":
        return Recorded(stored["program"])
    if kind == "pause":
        return Pause(float(stored["seconds"]))
    return Bell(bool(stored.get("rising", True)))


@contextmanager
def _refused() -> Iterator[None]:
    """What the speech library refuses, as the API says it."""
    try:
        yield
    except EmptyTextError:
        raise Invalid("the text has nothing to read aloud", "nội dung không có gì để đọc") from None
    except TooLongError as exc:
        raise too_long(exc) from None
    except MissingPartError as exc:
        raise Conflict(str(exc), "một bản ghi trong chương trình không còn nguyên") from None
