"""Joining synthesized segments into one program's signal: pauses between sentences and
paragraphs (a breath between parts of one sentence), chimes before and after, all at the
broadcast rate (voices at other rates resampled with soxr)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import soxr

from voices.audio.chime import CHIME_S, GAP_AFTER_S, chime
from voices.audio.format import SAMPLE_RATE
from voices.audio.pcm import Pcm
from voices.normalize import Normalizer
from voices.split import Segment, split

Float = npt.NDArray[np.float64]
JOIN_PAUSE_S = 0.05  # between parts of one sentence: a breath, not a pause
# After a sentence: long enough for a loudspeaker's echo off the hills to die down before
# the next sentence starts (a station sets its own: RADIO_SENTENCE_PAUSE_S).
SENTENCE_PAUSE_S = 0.5
PARAGRAPH_PAUSE_S = 0.8  # after a line: a list's items, a notice's paragraphs
CLAUSE_PAUSE_S = 0.2  # where a long sentence is cut after a comma: a breath
_SENTENCE_END = (".", "!", "?", "…", ":", ";")


@dataclass(frozen=True)
class Assembly:
    """How segments are joined into a program."""

    sentence_pause_s: float = SENTENCE_PAUSE_S
    paragraph_pause_s: float = PARAGRAPH_PAUSE_S
    chime: bool = False

    def pause_after(self, segment: Segment) -> float:
        """A line's end pauses longest (never shorter than a sentence's), a sentence's end
        next, a long sentence cut mid-way only a breath."""
        if segment.ends_paragraph:
            return max(self.paragraph_pause_s, self.sentence_pause_s)
        if segment.text.rstrip().endswith(_SENTENCE_END):
            return self.sentence_pause_s
        return min(CLAUSE_PAUSE_S, self.sentence_pause_s)

    @property
    def chimes_s(self) -> float:
        """The time the chimes and their gaps add to a program."""
        return 2 * (CHIME_S + GAP_AFTER_S) if self.chime else 0.0


def segments_of(
    parts: Sequence[str], normalizer: Normalizer, assembly: Assembly
) -> tuple[list[Segment], list[float]]:
    """The segments of all parts and the pause after each one: parts that do not end a
    sentence join the next with a breath (a template's fixed text and its fields)."""
    segments: list[Segment] = []
    pauses: list[float] = []
    for part in parts:
        found = split(normalizer.normalize(part))
        segments += found
        pauses += [assembly.pause_after(s) for s in found]
        if found and not part.rstrip().endswith(_SENTENCE_END) and len(parts) > 1:
            pauses[-1] = JOIN_PAUSE_S
    return segments, pauses


def assemble(audio: list[Pcm], pauses: list[float], assembly: Assembly) -> Float:
    parts: list[Float] = []
    if assembly.chime:
        parts += [chime(SAMPLE_RATE, rising=True), silence(GAP_AFTER_S)]
    for index, (pcm, pause) in enumerate(zip(audio, pauses, strict=True)):
        parts.append(at_broadcast_rate(pcm))
        if index < len(audio) - 1:
            parts.append(silence(pause))
    if assembly.chime:
        parts += [silence(GAP_AFTER_S), chime(SAMPLE_RATE, rising=False)]
    return np.concatenate(parts)


def at_broadcast_rate(pcm: Pcm) -> Float:
    audio = pcm.samples.astype(np.float64) / 32768.0
    if pcm.sample_rate == SAMPLE_RATE:
        return audio
    return np.asarray(soxr.resample(audio, pcm.sample_rate, SAMPLE_RATE, quality="HQ"), np.float64)


def silence(seconds: float) -> Float:
    return np.zeros(round(seconds * SAMPLE_RATE))
