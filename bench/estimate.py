"""How close the duration estimate (voices/estimate.py) comes to the rendered length.

For each voice (two built-in eSpeak voices and the Piper stand-in), on a fresh cache: the
odd-numbered announcements are rendered at rates 1.0 and 1.4 (the estimator learns from
their segments), then each even-numbered one is estimated and rendered at rates 1.0 and
1.3. Reports the relative error of each (the goal is 10 %), and whether the rate offered
to fit a text into 85 % of its length at rate 1 does make it fit. The pause after each
sentence is the station's (RADIO_SENTENCE_PAUSE_S), so its effect can be measured.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from bench.standin import STANDIN_ID, standin_files
from bench.table import print_table
from radio.settings import Settings
from voices import Catalog, Reading, Renderer, SynthesisParams

VOICES = ("espeak-north-female", "espeak-south-male", STANDIN_ID)
LEARN_RATES = (1.0, 1.4)
RATES = (1.0, 1.3)
ROOM = 0.85  # of the length at rate 1, for the fit check


def run(texts: list[str]) -> dict[str, object]:
    learn, judge = texts[::2], texts[1::2]
    errors: dict[str, list[float]] = {}
    fits: dict[str, list[float]] = {}
    pause = Settings.from_env().sentence_pause_s
    for voice_id in VOICES:
        with tempfile.TemporaryDirectory() as tmp:
            catalog = Catalog(Path(tmp))
            if voice_id == STANDIN_ID:
                catalog.add(*standin_files(Path(tmp) / "standin"), voice_id=STANDIN_ID)
            renderer = Renderer.at(Path(tmp) / "cache", 1 << 30)
            reading = Reading.of(catalog, voice_id, sentence_pause_s=pause)
            for rate in LEARN_RATES:
                for text in learn:
                    renderer.render(text, _at(reading, rate))
            errors[voice_id] = [
                _error(renderer, reading, text, rate) for rate in RATES for text in judge
            ]
            fits[voice_id] = [_fit(renderer, reading, text) for text in judge]
    worst = max(abs(e) for per_voice in errors.values() for e in per_voice)
    return {
        "texts_judged": len(judge),
        "sentence_pause_s": pause,
        "rates": list(RATES),
        "error_pct": errors,
        "worst_pct": worst,
        "fit_pct_of_room": fits,
    }


def _at(reading: Reading, rate: float) -> Reading:
    return replace(reading, params=SynthesisParams(rate=rate))


def _error(renderer: Renderer, reading: Reading, text: str, rate: float) -> float:
    guessed = renderer.estimate(text, _at(reading, rate)).seconds
    actual = renderer.render(text, _at(reading, rate)).duration
    return (guessed - actual) / actual * 100


def _fit(renderer: Renderer, reading: Reading, text: str) -> float:
    """The length at the offered rate, in % of a room of ROOM × the length at rate 1."""
    at_one = renderer.render(text, reading).duration
    room = at_one * ROOM
    rate = renderer.estimate(text, reading).rate_to_fit(room, 1.0)
    assert rate is not None
    return renderer.render(text, _at(reading, rate)).duration / room * 100


def report(figures: dict[str, object]) -> None:
    errors, fits = figures["error_pct"], figures["fit_pct_of_room"]
    assert isinstance(errors, dict) and isinstance(fits, dict)
    print(
        f"estimate vs rendered, {figures['texts_judged']} texts × rates {figures['rates']},"
        f" {figures['sentence_pause_s']} s after each sentence"
    )
    print_table(
        ["voice", "errors %", "worst %", f"at the rate offered for {ROOM:.0%}, % of room"],
        [
            [
                v,
                " ".join(f"{e:+.1f}" for e in es),
                max(abs(e) for e in es),
                " ".join(f"{f:.0f}" for f in fits[v]),
            ]
            for v, es in errors.items()
        ],
    )
