"""Real-time factor of each engine on the news corpus, and the cost of MP3 encoding.

Every segment of the corpus is synthesized once per engine, the way `radio say` does it
(normalize, split, synthesize segment by segment); compute time is wall time on this
machine. The real-time factor is seconds of audio per second of compute. Then the first
RATE_SAMPLE segments again at rate 1.5: how much faster that is really (Piper rounds each
phoneme up to a whole frame after scaling it, which no rate shortens).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.standin import STANDIN_ID, standin_files
from bench.table import print_table
from voices import Catalog, Pcm, SynthesisParams, encode_mp3
from voices.audio.pcm import concatenate
from voices.normalize import Normalizer
from voices.split import split

RATE_SAMPLE = 30  # segments synthesized again at rate 1.5


def run(texts: list[str]) -> dict[str, object]:
    segments = [s.text for text in texts for s in split(Normalizer().normalize(text))]
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(Path(tmp))
        catalog.add(*standin_files(Path(tmp) / "standin"), voice_id=STANDIN_ID)
        engines: dict[str, object] = {}
        audio: list[Pcm] = []
        for label, voice_id in (
            ("espeak-ng vi", "espeak-north-female"),
            ("piper medium (stand-in)", STANDIN_ID),
        ):
            voice = catalog.synthesizer(voice_id)
            voice.synthesize("Xin chào.", SynthesisParams())  # load outside the timing
            start = time.perf_counter()
            pieces = [voice.synthesize(text, SynthesisParams()) for text in segments]
            compute = time.perf_counter() - start
            seconds = sum(p.duration for p in pieces)
            faster = [
                voice.synthesize(t, SynthesisParams(rate=1.5)) for t in segments[:RATE_SAMPLE]
            ]
            speedup = sum(p.duration for p in pieces[:RATE_SAMPLE]) / sum(
                p.duration for p in faster
            )
            engines[label] = {
                "audio_s": seconds,
                "compute_s": compute,
                "rtf": seconds / compute,
                "speedup_at_1_5": speedup,
            }
            audio.append(concatenate(pieces))
    speech = audio[-1]
    start = time.perf_counter()
    encode_mp3(speech)
    encode_s = time.perf_counter() - start
    return {
        "characters": sum(len(t) for t in texts),
        "segments": len(segments),
        "engines": engines,
        "mp3_encode_s_per_audio_min": encode_s / (speech.duration / 60),
    }


def report(figures: dict[str, object]) -> None:
    engines = figures["engines"]
    assert isinstance(engines, dict)
    print(f"corpus: {figures['characters']} characters, {figures['segments']} segments")
    print_table(
        ["engine", "audio s", "compute s", "x real time", "x faster at rate 1.5"],
        [
            [name, e["audio_s"], e["compute_s"], e["rtf"], e["speedup_at_1_5"]]
            for name, e in engines.items()
        ],
    )
    print(
        f"MP3 encoding (lameenc, 48 kbps mono): {figures['mp3_encode_s_per_audio_min']:.3f} s"
        " per minute of audio"
    )
