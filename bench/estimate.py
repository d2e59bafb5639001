"""How close the duration estimate (voices/estimate.py) comes to the rendered length.

For each built-in voice, on a fresh cache: the odd-numbered announcements are rendered
(the estimator learns from their segments), then each even-numbered one is estimated and
rendered at rates 1.0 and 1.3. Reports the relative error of each; the goal is 10 %.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.table import print_table
from voices import Catalog, Lexicon, Renderer, SynthesisParams, Synthesizer
from voices.normalize import Normalizer
from voices.render import normalizer_for

VOICES = ("espeak-north-female", "espeak-south-male")
RATES = (1.0, 1.3)


def run(texts: list[str]) -> dict[str, object]:
    learn, judge = texts[::2], texts[1::2]
    errors: dict[str, list[float]] = {}
    for voice_id in VOICES:
        with tempfile.TemporaryDirectory() as tmp:
            catalog = Catalog(Path(tmp))
            renderer = Renderer.at(Path(tmp) / "cache", 1 << 30)
            voice = catalog.synthesizer(voice_id)
            normalizer = normalizer_for(catalog.info(voice_id), Lexicon())
            for text in learn:
                renderer.render(text, voice, SynthesisParams(), normalizer)
            errors[voice_id] = [
                _error(renderer, voice, normalizer, text, rate) for rate in RATES for text in judge
            ]
    worst = max(abs(e) for per_voice in errors.values() for e in per_voice)
    return {
        "texts_judged": len(judge),
        "rates": list(RATES),
        "error_pct": errors,
        "worst_pct": worst,
    }


def _error(
    renderer: Renderer, voice: Synthesizer, normalizer: Normalizer, text: str, rate: float
) -> float:
    params = SynthesisParams(rate=rate)
    guessed = renderer.estimate(text, voice, params, normalizer).seconds
    actual = renderer.render(text, voice, params, normalizer).duration
    return (guessed - actual) / actual * 100


def report(figures: dict[str, object]) -> None:
    errors = figures["error_pct"]
    assert isinstance(errors, dict)
    print(f"estimate vs rendered, {figures['texts_judged']} texts × rates {figures['rates']}")
    print_table(
        ["voice", "errors %", "worst %"],
        [
            [v, " ".join(f"{e:+.1f}" for e in es), max(abs(e) for e in es)]
            for v, es in errors.items()
        ],
    )
