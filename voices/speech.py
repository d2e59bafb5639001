"""From announcement text to one piece of audio: normalize, split, synthesize, join."""

from __future__ import annotations

from voices.audio import Pcm, concatenate
from voices.catalog import VoiceInfo
from voices.engine import SynthesisParams, Synthesizer
from voices.normalize import NORTH, SOUTH, Lexicon, Normalizer
from voices.split import split

SENTENCE_PAUSE_S = 0.35
PARAGRAPH_PAUSE_S = 0.8


class EmptyTextError(ValueError):
    """The text has nothing to read aloud."""


def normalizer_for(info: VoiceInfo, lexicon: Lexicon) -> Normalizer:
    """Numbers are read the way the voice's region reads them (ngàn, lẻ in the south)."""
    return Normalizer(lexicon, SOUTH if info.dialect == "nam" else NORTH)


def speak(text: str, voice: Synthesizer, params: SynthesisParams, normalizer: Normalizer) -> Pcm:
    segments = split(normalizer.normalize(text))
    if not segments:
        raise EmptyTextError("the text is empty: there is nothing to read")
    rate = voice.sample_rate
    parts: list[Pcm] = []
    for index, segment in enumerate(segments):
        parts.append(voice.synthesize(segment.text, params))
        if index < len(segments) - 1:
            pause = PARAGRAPH_PAUSE_S if segment.ends_paragraph else SENTENCE_PAUSE_S
            parts.append(Pcm.silence(pause, rate))
    return concatenate(parts)
