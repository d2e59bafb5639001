"""Vietnamese speech: reading (normalization, splitting), engines and their catalog, the
segment cache and program store, and the broadcast format. Never imports the application."""

from voices.assembly import Assembly
from voices.audio.decode import AudioFileError
from voices.audio.encode import encode_mp3, encode_wav
from voices.audio.pcm import Pcm
from voices.engines.catalog import DEFAULT_VOICE, Catalog, VoiceError, VoiceInfo
from voices.engines.download import DownloadError
from voices.engines.engine import SynthesisError, SynthesisParams, Synthesizer
from voices.normalize import Lexicon, Normalizer
from voices.render import (
    MAX_SECONDS,
    EmptyTextError,
    Reading,
    Renderer,
    TooLongError,
    normalizer_for,
)
from voices.store.programs import RenderedProgram

__all__ = [
    "DEFAULT_VOICE",
    "MAX_SECONDS",
    "Assembly",
    "AudioFileError",
    "Catalog",
    "DownloadError",
    "EmptyTextError",
    "Lexicon",
    "Normalizer",
    "Pcm",
    "Reading",
    "RenderedProgram",
    "Renderer",
    "SynthesisError",
    "SynthesisParams",
    "Synthesizer",
    "TooLongError",
    "VoiceError",
    "VoiceInfo",
    "encode_mp3",
    "encode_wav",
    "normalizer_for",
]
