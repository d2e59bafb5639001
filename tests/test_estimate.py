"""Fit to slot: the duration of a text estimated before synthesis, from the voice's own
measurements, against the real rendered length on the announcement corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_dir
from voices import Catalog, Lexicon, Renderer, SynthesisParams
from voices.estimate import Calibration
from voices.render import Assembly, normalizer_for

VOICE = "espeak-north-female"


def announcements() -> list[str]:
    folder = shared_dir() / "corpus" / "announcements"
    return [path.read_text("utf-8") for path in sorted(folder.glob("*.txt"))]


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    return Renderer.at(tmp_path / "cache", 1 << 30)


def render(renderer: Renderer, catalog: Catalog, text: str, rate: float = 1.0) -> float:
    info = catalog.info(VOICE)
    return renderer.render(
        text,
        catalog.synthesizer(VOICE),
        SynthesisParams(rate=rate),
        normalizer_for(info, Lexicon()),
        Assembly(),
    ).duration


def estimate(renderer: Renderer, catalog: Catalog, text: str, rate: float = 1.0) -> float:
    voice = catalog.synthesizer(VOICE)
    normalizer = normalizer_for(catalog.info(VOICE), Lexicon())
    return renderer.estimate(text, voice, SynthesisParams(rate=rate), normalizer).seconds


def test_estimates_are_within_ten_percent_on_the_announcements(
    renderer: Renderer, data_dir: Path
) -> None:
    """Learnt from half the corpus as it is rendered, judged on the other half."""
    catalog = Catalog(data_dir)
    texts = [
        p.read_text("utf-8")
        for p in sorted((shared_dir() / "corpus" / "announcements").glob("*.txt"))
    ]
    learn, judge = texts[::2], texts[1::2]
    for text in learn:
        render(renderer, catalog, text)
    for text in judge:
        for rate in (1.0, 1.3):
            guessed = estimate(renderer, catalog, text, rate)
            actual = render(renderer, catalog, text, rate)
            assert guessed == pytest.approx(actual, rel=0.10), (text[:40], rate)


def test_the_rate_that_fits_makes_it_fit(renderer: Renderer, data_dir: Path) -> None:
    catalog = Catalog(data_dir)
    text = " ".join(
        p.read_text("utf-8")
        for p in sorted((shared_dir() / "corpus" / "announcements").glob("*.txt"))[:3]
    )
    render(renderer, catalog, text)  # calibrates
    voice = catalog.synthesizer(VOICE)
    normalizer = normalizer_for(catalog.info(VOICE), Lexicon())
    at_one = renderer.estimate(text, voice, SynthesisParams(), normalizer)
    room = at_one.seconds * 0.85
    rate = at_one.rate_to_fit(room, 1.0)
    assert rate is not None and rate > 1.0
    assert render(renderer, catalog, text, rate) <= room * 1.05
    assert at_one.rate_to_fit(at_one.seconds * 0.2, 1.0) is None  # no rate can do that


def test_an_unknown_voice_gets_the_prior_and_says_so(tmp_path: Path) -> None:
    calibration = Calibration(tmp_path / "calibration.sqlite")
    coefficients, calibrated = calibration.coefficients("engine:never-heard")
    assert not calibrated and coefficients[0] > 0
