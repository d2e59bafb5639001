"""Vietnamese speech: normalization, splitting, engines, the voice catalog and encoding."""

from voices.audio import Pcm
from voices.catalog import DEFAULT_VOICE, Catalog, VoiceError, VoiceInfo
from voices.download import DownloadError
from voices.encode import encode_mp3, encode_wav
from voices.engine import SynthesisError, SynthesisParams, Synthesizer
from voices.normalize import Lexicon, Normalizer
from voices.speech import EmptyTextError, normalizer_for, speak

__all__ = [
    "DEFAULT_VOICE",
    "Catalog",
    "DownloadError",
    "EmptyTextError",
    "Lexicon",
    "Normalizer",
    "Pcm",
    "SynthesisError",
    "SynthesisParams",
    "Synthesizer",
    "VoiceError",
    "VoiceInfo",
    "encode_mp3",
    "encode_wav",
    "normalizer_for",
    "speak",
]
