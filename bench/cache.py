"""What the synthesis cache saves, on the announcement corpus, per voice.

1. cold_overhead: a cold render (empty caches) against the bare engine on the same
   normalized text plus one MP3 encode: what the pipeline (normalize, split, cache writes,
   loudness, master) costs on top of synthesis.
2. unchanged_ms: re-rendering an unchanged bulletin (worst bulletin's median).
3. edit_ratio: re-rendering with one sentence edited, as a share of the cold render.
4. workload: 10 days x 2 airtimes x 8 bulletins, each bulletin edited once a day, all with
   the boilerplate opening and closing. Engine-seconds with no cache and with a whole-text
   cache are summed from the measured cost of every segment; Loa Xã's are measured.
5. hit_us: one segment-cache lookup that hits (read, checksum, index update).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.standin import STANDIN_ID, standin_files
from bench.table import print_table
from voices import (
    Catalog,
    Normalizer,
    Pcm,
    Reading,
    RenderedProgram,
    Renderer,
    SynthesisParams,
    encode_mp3,
)
from voices.engines.piper import PiperSynthesizer, load_model

OPENING = "Đây là Đài truyền thanh xã Vi Hương. Kính thưa bà con nhân dân trong toàn xã."
CLOSING = "Xin cảm ơn bà con đã chú ý lắng nghe."
DAYS, AIRTIMES = 10, 2
PARAMS = SynthesisParams()


@dataclass(frozen=True)
class Case:
    label: str
    voice_id: str
    bare: Callable[[str], Pcm]  # the engine alone on a whole normalized text


def with_boilerplate(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines[0] != OPENING:
        lines.insert(0, OPENING)
    if CLOSING not in lines[-1]:
        lines.append(CLOSING)
    return "\n".join(lines)


def edited(text: str, day: int) -> str:
    """The day's version: the first line after the opening gets a new first sentence."""
    lines = text.splitlines()
    lines[1] = f"Bản tin cập nhật lần thứ {day}. {lines[1]}"
    return "\n".join(lines)


def run(texts: list[str]) -> dict[str, object]:
    bulletins = [with_boilerplate(t) for t in texts]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog = Catalog(root / "data")
        catalog.add(*standin_files(root / "standin"), voice_id=STANDIN_ID)
        standin = catalog.synthesizer(STANDIN_ID)
        assert isinstance(standin, PiperSynthesizer)
        espeak = catalog.synthesizer("espeak-north-female")
        cases = [
            Case("piper medium (stand-in)", STANDIN_ID, _bare_piper(standin)),
            Case(
                "espeak-ng vi", "espeak-north-female", lambda text: espeak.synthesize(text, PARAMS)
            ),
        ]
        results = {
            case.label: _measure(case, catalog, bulletins, root / case.voice_id) for case in cases
        }
    first = results[cases[0].label]
    return {**first, "voices": results, "bulletins": len(bulletins)}


def _bare_piper(speaker: PiperSynthesizer) -> Callable[[str], Pcm]:
    model = load_model(speaker.model_path, speaker.config_path)

    def bare(text: str) -> Pcm:
        chunks = [chunk.audio_int16_array for chunk in model.synthesize(text)]
        return Pcm(np.concatenate(chunks), model.config.sample_rate)

    return bare


def _measure(case: Case, catalog: Catalog, bulletins: list[str], root: Path) -> dict[str, float]:
    normalizer = Normalizer()
    reading = Reading(catalog.synthesizer(case.voice_id), normalizer, PARAMS)
    # Load the model and the audio libraries (scipy, pyloudnorm) outside the timings: a
    # server pays for them once at start-up, not per render.
    Renderer.at(root / "warm-up", 2 * 1024**3).render("Xin chào.", reading)

    def render(renderer: Renderer, text: str) -> tuple[RenderedProgram, float]:
        start = time.perf_counter()
        program = renderer.render(text, reading)
        return program, time.perf_counter() - start

    cold, bare, unchanged, edits, hits = [], [], [], [], []
    for index, text in enumerate(bulletins):
        start = time.perf_counter()
        encode_mp3(case.bare(normalizer.normalize(text)))
        bare.append(time.perf_counter() - start)
        renderer = Renderer.at(root / f"cold-{index}", 2 * 1024**3)
        program, seconds = render(renderer, text)
        cold.append(seconds)
        unchanged.append(statistics.median(render(renderer, text)[1] for _ in range(5)))
        edits.append(render(renderer, edited(text, 1))[1])
        keys = [s.key for s in program.segments]
        start = time.perf_counter()
        for key in keys * 50:
            renderer.cache.get_or_synthesize(key, _never)
        hits.append((time.perf_counter() - start) / (len(keys) * 50))

    no_cache, whole_text, loaxa = _workload(bulletins, lambda r, t: render(r, t)[0], root)
    return {
        "cold_render_s": sum(cold),
        "bare_s": sum(bare),
        "cold_overhead": sum(cold) / sum(bare) - 1,
        "unchanged_ms": max(unchanged) * 1000,
        "unchanged_median_ms": statistics.median(unchanged) * 1000,
        "edit_ratio": sum(edits) / sum(cold),
        "engine_s_no_cache": no_cache,
        "engine_s_whole_text": whole_text,
        "engine_s_loaxa": loaxa,
        "workload_vs_nocache": no_cache / loaxa,
        "workload_vs_wholetext": whole_text / loaxa,
        "hit_us": statistics.median(hits) * 1e6,
    }


def _workload(
    bulletins: list[str], render: Callable[[Renderer, str], RenderedProgram], root: Path
) -> tuple[float, float, float]:
    renderer = Renderer.at(root / "workload", 2 * 1024**3)
    cost: dict[str, float] = {}
    airings: list[tuple[str, ...]] = []
    measured = 0.0
    for day in range(1, DAYS + 1):
        for _ in range(AIRTIMES):
            for text in bulletins:
                program = render(renderer, edited(text, day))
                measured += sum(s.synthesis_seconds for s in program.segments if not s.hit)
                cost.update((s.key, s.synthesis_seconds) for s in program.segments)
                airings.append(tuple(s.key for s in program.segments))
    no_cache = sum(cost[k] for airing in airings for k in airing)
    whole_text = sum(cost[k] for airing in set(airings) for k in airing)
    return no_cache, whole_text, measured


def _never() -> Pcm:
    raise AssertionError("a benchmark lookup missed: the key was just rendered")


def report(figures: dict[str, object]) -> None:
    voices = figures["voices"]
    assert isinstance(voices, dict)
    print(
        f"{figures['bulletins']} bulletins, {DAYS} days x {AIRTIMES} airtimes, one edit per"
        " bulletin per day"
    )
    print_table(
        [
            "voice",
            "cold s",
            "bare s",
            "overhead",
            "unchanged ms",
            "edit ratio",
            "no cache s",
            "whole-text s",
            "loa xa s",
            "vs none",
            "vs whole",
            "hit us",
        ],
        [
            [
                name,
                v["cold_render_s"],
                v["bare_s"],
                f"{v['cold_overhead']:+.1%}",
                v["unchanged_ms"],
                f"{v['edit_ratio']:.1%}",
                v["engine_s_no_cache"],
                v["engine_s_whole_text"],
                v["engine_s_loaxa"],
                f"{v['workload_vs_nocache']:.1f}x",
                f"{v['workload_vs_wholetext']:.1f}x",
                v["hit_us"],
            ]
            for name, v in voices.items()
        ],
    )
