"""The station's speech service: text read aloud through the voices library and kept as a
program row, the one way the application reaches `voices`.

Announcements, bulletins, templates, voice samples and the reading preview all come here
with a `Voicing` (voice, rate, chime); the service builds the `Reading` (synthesizer,
normalizer with the lexicon, parameters, assembly) once per call, and keeps the lexicon
parsed in memory until its file changes.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from radio.errors import Conflict, Invalid
from radio.models import Announcement, Program, Revision
from voices import (
    DEFAULT_VOICE,
    AudioFileError,
    Catalog,
    EmptyTextError,
    Lexicon,
    Reading,
    RenderedProgram,
    Renderer,
    SynthesisParams,
    VoiceError,
    VoiceInfo,
    normalizer_for,
)
from voices.estimate import Estimate
from voices.files import write_atomically
from voices.normalize import clean_line
from voices.normalize.lexicon import with_entry

log = logging.getLogger("radio.speech")
ESTIMATES_KEPT = 4096  # texts whose estimated length is remembered
SAMPLE_TEXT = "Kính thưa bà con. Đây là giọng đọc của Đài truyền thanh xã."


@dataclass(frozen=True)
class Voicing:
    """How a text is read: the settings a revision, a bulletin or a template carries."""

    voice: str
    rate: float = 1.0
    chime: bool = False

    @classmethod
    def of(cls, revision: Revision) -> Voicing:
        return cls(revision.voice, revision.rate, revision.chime)


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

    def put(self, written: str, spoken: str) -> None:
        """Add or replace an entry; every other line stays as written. One writer at a
        time, and the file is replaced whole."""
        with self._lock:
            before = self.path.read_text("utf-8-sig") if self.path.exists() else ""
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, with_entry(before, written, spoken).encode())


class Speech:
    def __init__(self, catalog: Catalog, renderer: Renderer, lexicon_path: Path) -> None:
        self.catalog = catalog
        self.renderer = renderer
        self.lexicon = LexiconFile(lexicon_path)
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
                self.lexicon.current(),
                SynthesisParams(rate=voicing.rate),
                chime=voicing.chime,
            )
        except VoiceError as exc:
            raise Invalid(
                f"unknown voice: {exc}",
                f"giọng đọc không dùng được: {voicing.voice}",
                field="voice",
            ) from None

    def render(self, parts: Sequence[str], voicing: Voicing) -> RenderedProgram:
        """Rendered through the caches (free when previewed before)."""
        reading = self.reading(voicing)
        try:
            return self.renderer.render_parts(parts, reading)
        except EmptyTextError:
            raise Invalid(
                "the text has nothing to read aloud", "nội dung không có gì để đọc"
            ) from None

    def render_row(self, db: Session, parts: Sequence[str], voicing: Voicing) -> Program:
        return program_row(db, self.render(parts, voicing))

    def render_revision(self, db: Session, revision: Revision) -> Program:
        """The revision's program. Audio fixed elsewhere (from above, from a template) is
        what it is: never re-rendered."""
        fixed = db.get(Program, revision.program_hash) if revision.program_hash else None
        if fixed is not None and revision.announcement.fixed_audio:
            return fixed
        program = self.render_row(db, [revision.text], Voicing.of(revision))
        revision.program_hash = program.hash
        db.flush()
        return program

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
        key = (revision.text, voicing, self.lexicon.current().version)
        if key not in self._estimates:
            if len(self._estimates) >= ESTIMATES_KEPT:
                self._estimates.clear()
            try:
                seconds = self.estimate(revision.text, voicing).seconds
            except Invalid:
                fallback = Voicing(DEFAULT_VOICE, revision.rate, revision.chime)
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
            raise Invalid(
                str(exc),
                "tệp không đọc được: cần MP3, WAV, FLAC hoặc Ogg Vorbis dưới 30 phút",
                field="file",
            ) from None

    def sample(self, voice_id: str) -> RenderedProgram:
        """A short sentence in the voice, rendered through the cache (so, once)."""
        if not self.voice(voice_id).installed:
            raise Conflict("the voice is not installed", "giọng chưa được cài đặt")
        return self.render([SAMPLE_TEXT], Voicing(voice_id))

    def explain(self, text: str, voice_id: str) -> list[dict[str, Any]]:
        """The text as the voice will read it, line by line, with every rewritten span
        (number, date, abbreviation…) and its reading: the console's reading preview."""
        normalizer = normalizer_for(self.voice(voice_id), self.lexicon.current())
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
    """The database's record of a rendered program (one per content hash)."""
    program = db.get(Program, rendered.hash)
    if program is None:
        program = Program(
            hash=rendered.hash,
            duration=rendered.duration,
            loudness_lufs=rendered.loudness.integrated_lufs,
            mp3_path=str(rendered.mp3_path),
        )
        db.add(program)
        db.flush()
    return program
