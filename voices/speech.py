"""From announcement text to one piece of audio: normalize, split, synthesize, join."""

from __future__ import annotations

from voices.audio import Pcm, concatenate
from voices.engine import SynthesisParams, Synthesizer
from voices.normalize import normalize
from voices.split import split

SENTENCE_PAUSE_S = 0.35
PARAGRAPH_PAUSE_S = 0.8


class EmptyTextError(ValueError):
    """The text has nothing to read aloud."""


def speak(text: str, voice: Synthesizer, params: SynthesisParams) -> Pcm:
    segments = split(normalize(text))
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
