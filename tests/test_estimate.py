"""Fit to slot: the duration of a text estimated before synthesis, from the voice's own
measurements, against the real rendered length on the announcement corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.standin import STANDIN_ID
from tests.conftest import shared_dir
from voices import Catalog, Reading, Renderer, SynthesisParams
from voices.estimate import Calibration, Estimate, features

VOICE = "espeak-north-female"


def announcements() -> list[str]:
    folder = shared_dir() / "corpus" / "announcements"
    return [path.read_text("utf-8") for path in sorted(folder.glob("*.txt"))]


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    return Renderer.at(tmp_path / "cache", 1 << 30)


def render(
    renderer: Renderer, catalog: Catalog, text: str, rate: float = 1.0, voice: str = VOICE
) -> float:
    reading = Reading.of(catalog, voice, params=SynthesisParams(rate=rate))
    return renderer.render(text, reading).duration


def guess(
    renderer: Renderer, catalog: Catalog, text: str, rate: float = 1.0, voice: str = VOICE
) -> Estimate:
    return renderer.estimate(text, Reading.of(catalog, voice, params=SynthesisParams(rate)))


def estimate(renderer: Renderer, catalog: Catalog, text: str, rate: float = 1.0) -> float:
    return guess(renderer, catalog, text, rate).seconds


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
    at_one = guess(renderer, catalog, text)
    room = at_one.seconds * 0.85
    rate = at_one.rate_to_fit(room, 1.0)
    assert rate is not None and rate > 1.0
    assert render(renderer, catalog, text, rate) <= room * 1.05
    assert at_one.rate_to_fit(at_one.seconds * 0.2, 1.0) is None  # no rate can do that


def test_an_unknown_voice_gets_the_prior_and_says_so(tmp_path: Path) -> None:
    calibration = Calibration(tmp_path / "calibration.sqlite")
    coefficients, calibrated = calibration.coefficients("engine:never-heard")
    assert not calibrated and coefficients[0] > 0


def test_the_part_of_speech_the_rate_does_not_scale_is_learnt_from_two_rates(
    tmp_path: Path,
) -> None:
    """Segments of a known voice: 0.2 s a syllable, 0.1 s a comma, 0.12 s a segment, all
    divided by the rate, and 0.05 s a syllable that no rate changes."""
    truth = np.array([0.2, 0.1, 0.12, 0.05])
    calibration = Calibration(tmp_path / "calibration.sqlite")
    texts = [
        "Kính thưa bà con",
        "Thôn Nà Héo, thôn Bản Cám họp lúc bảy giờ",
        "Xin cảm ơn bà con đã chú ý lắng nghe",
        "Trạm y tế xã, từ bảy giờ ba mươi, tiêm phòng cho trẻ em dưới năm tuổi",
        "Đề nghị các gia đình đưa con em đến đúng giờ",
        "Lũ quét",
        "Ủy ban nhân dân xã thông báo: ngày mai, thứ Bảy, cắt điện từ tám giờ",
        "Bà con lên chỗ cao ngay",
    ]

    def heard(rate: float) -> None:
        for text in texts:
            seconds = float(np.dot(truth, features(text, rate)))
            calibration.observe("voice", text, seconds, rate)

    heard(1.0)
    one_rate, calibrated = calibration.coefficients("voice")
    # at one rate the two per-syllable terms are one: held to the scaled one, still exact
    assert calibrated and one_rate[3] == pytest.approx(0, abs=1e-3)
    assert one_rate[0] == pytest.approx(0.25, abs=1e-3)
    heard(1.5)
    assert calibration.coefficients("voice")[0] == pytest.approx(truth, abs=1e-3)


def test_a_piper_voice_fits_its_slot_at_the_rate_offered(
    renderer: Renderer, standin_catalog: Catalog
) -> None:
    """VITS rounds each phoneme's length up to a whole frame after the rate has scaled it,
    so a Piper voice at rate 1.4 is not 1.4 times as fast; once it has been heard at two
    rates the estimator has learnt that part, and the rate offered to fit a slot fits it."""
    texts = announcements()
    for rate in (1.0, 1.4):
        for text in texts[0:6:2]:
            render(renderer, standin_catalog, text, rate, STANDIN_ID)
    identity = standin_catalog.synthesizer(STANDIN_ID).identity
    learnt, calibrated = renderer.calibration.coefficients(identity)
    assert calibrated and learnt[3] > 0.01, learnt  # seconds a syllable no rate shortens
    text = texts[1]
    room = render(renderer, standin_catalog, text, 1.0, STANDIN_ID) * 0.85
    rate = guess(renderer, standin_catalog, text, 1.0, STANDIN_ID).rate_to_fit(room, 1.0)
    assert rate is not None and rate > 1.0
    # VITS noise moves one render by about 1 %, beyond the margin the offer keeps
    assert render(renderer, standin_catalog, text, rate, STANDIN_ID) <= room * 1.02
