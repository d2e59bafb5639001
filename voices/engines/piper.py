"""Piper neural voices (piper-tts, ONNX), loaded once per process and kept.

We call Piper's public pieces (phonemize, phonemes_to_ids, phoneme_ids_to_audio) rather than
PiperVoice.synthesize: that one peak-normalizes every sentence on its own, which would make
loudness depend on how a text was split. Raw audio goes out; the program sets loudness.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import numpy.typing as npt
from piper import PiperVoice, SynthesisConfig

from voices.audio.pcm import Pcm
from voices.engines.engine import SynthesisError, SynthesisParams

PIPER_VERSION = version("piper-tts")

# Piper's phonemizer is eSpeak NG compiled into piper (separate from ours), with the same
# global state: one phonemization at a time. Inference itself is thread-safe.
_phonemize_lock = threading.Lock()
_models: dict[tuple[Path, Path], PiperVoice] = {}
_models_lock = threading.Lock()


def read_model(model_path: Path, config_path: Path) -> PiperVoice:
    """Load a model from disk, reporting a file onnxruntime cannot run as SynthesisError."""
    try:
        return PiperVoice.load(model_path, config_path=config_path)
    except Exception as exc:  # onnxruntime and json raise many types for a bad file
        raise SynthesisError(f"cannot load Piper voice {model_path}: {exc}") from exc


def load_model(model_path: Path, config_path: Path) -> PiperVoice:
    """Load a model the first time it is asked for; later calls return the same one."""
    key = (model_path.resolve(), config_path.resolve())
    with _models_lock:
        if key not in _models:
            _models[key] = read_model(model_path, config_path)
        return _models[key]


@dataclass(frozen=True)
class PiperSynthesizer:
    """One selectable Piper voice: a model file and, for multi-speaker models, a speaker."""

    voice_id: str
    model_path: Path
    config_path: Path
    model_sha256: str
    speaker_id: int | None = None

    @property
    def _model(self) -> PiperVoice:
        return load_model(self.model_path, self.config_path)

    @property
    def sample_rate(self) -> int:
        return int(self._model.config.sample_rate)

    @property
    def identity(self) -> str:
        return f"piper {PIPER_VERSION} {self.model_sha256} speaker={self.speaker_id}"

    def synthesize(self, text: str, params: SynthesisParams) -> Pcm:
        model = self._model
        config = SynthesisConfig(
            speaker_id=self.speaker_id,
            length_scale=model.config.length_scale / params.rate,
        )
        with _phonemize_lock:
            sentences = model.phonemize(text)
        pieces: list[npt.NDArray[np.float32]] = [
            np.asarray(model.phoneme_ids_to_audio(model.phonemes_to_ids(phonemes), config))
            for phonemes in sentences
            if phonemes
        ]
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Pcm.from_float(audio * params.volume, model.config.sample_rate)
