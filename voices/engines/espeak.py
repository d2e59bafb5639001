"""eSpeak NG in-process, through ctypes: the embedded default that needs no download.

The library comes from the espeakng-loader wheel (libespeak-ng.so and its data). It keeps
global state (one current voice, one callback, one output buffer), so every call into it
goes through one process-wide lock.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import cached_property

import espeakng_loader
import numpy as np

from voices.audio.pcm import Pcm
from voices.engines.engine import SynthesisError, SynthesisParams

_AUDIO_OUTPUT_RETRIEVAL = 1
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE = 1
_DEFAULT_WPM = 175
_MIN_WPM, _MAX_WPM = 80, 450

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Library:
    """The loaded libespeak-ng, its sample rate and the lock that serializes it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._chunks: list[bytes] = []
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        data_path = espeakng_loader.get_data_path().encode()
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_RETRIEVAL, 0, data_path, _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise SynthesisError(f"eSpeak NG failed to initialize (data at {data_path!r})")
        self.sample_rate: int = rate
        self.version: str = lib.espeak_Info(None).decode()
        # Keep a reference: ctypes frees the trampoline when the Python object dies.
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self._lib = lib

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def speak(self, text: str, espeak_voice: str, wpm: int) -> np.ndarray:
        encoded = text.replace("\0", " ").encode("utf-8") + b"\0"
        with self.lock:
            if self._lib.espeak_SetVoiceByName(espeak_voice.encode()) != 0:
                raise SynthesisError(f"eSpeak NG has no voice {espeak_voice!r}")
            self._lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
            self._chunks = []
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            self._lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        if status != 0:
            raise SynthesisError(f"eSpeak NG failed with status {status}")
        return np.frombuffer(b"".join(chunks), dtype=np.int16).copy()


_library: _Library | None = None
_library_lock = threading.Lock()


def library() -> _Library:
    """The process's one eSpeak NG instance, loaded on first use."""
    global _library
    with _library_lock:
        if _library is None:
            _library = _Library()
        return _library


@dataclass(frozen=True)
class EspeakSynthesizer:
    """One built-in voice: an eSpeak NG language voice plus a variant (+f3 for female)."""

    voice_id: str
    espeak_voice: str

    @property
    def sample_rate(self) -> int:
        return library().sample_rate

    @cached_property
    def identity(self) -> str:
        return f"espeak-ng {library().version} {self.espeak_voice}"

    def synthesize(self, text: str, params: SynthesisParams) -> Pcm:
        wpm = min(_MAX_WPM, max(_MIN_WPM, round(_DEFAULT_WPM * params.rate)))
        lib = library()
        return Pcm(lib.speak(text, self.espeak_voice, wpm), lib.sample_rate).scaled(params.volume)
