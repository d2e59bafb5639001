"""Vietnamese speech: normalization, splitting, engines, the voice catalog and encoding."""

from voices.audio import Pcm
from voices.catalog import DEFAULT_VOICE, Catalog, VoiceError, VoiceInfo
from voices.decode import AudioFileError
from voices.download import DownloadError
from voices.encode import encode_mp3, encode_wav
from voices.engine import SynthesisError, SynthesisParams, Synthesizer
from voices.normalize import Lexicon, Normalizer
from voices.programs import Program
from voices.render import Assembly, EmptyTextError, Renderer, normalizer_for

__all__ = [
    "DEFAULT_VOICE",
    "Assembly",
    "AudioFileError",
    "Catalog",
    "DownloadError",
    "EmptyTextError",
    "Lexicon",
    "Normalizer",
    "Pcm",
    "Program",
    "Renderer",
    "SynthesisError",
    "SynthesisParams",
    "Synthesizer",
    "VoiceError",
    "VoiceInfo",
    "encode_mp3",
    "encode_wav",
    "normalizer_for",
]
