from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.audio_checks import median_f0, rms, spectral_centroid
from voices import Catalog, SynthesisParams

BUILTIN = [
    "espeak-north-female",
    "espeak-north-male",
    "espeak-central-female",
    "espeak-central-male",
    "espeak-south-female",
    "espeak-south-male",
]
SHORT = "Kính thưa bà con."
LONG = "Kính thưa bà con nhân dân trong toàn xã, xin mời bà con đến dự họp thôn vào tối nay."


@pytest.mark.parametrize("voice_id", BUILTIN)
def test_each_builtin_voice_speaks_and_grows_with_text(data_dir: Path, voice_id: str) -> None:
    voice = Catalog(data_dir).synthesizer(voice_id)
    short = voice.synthesize(SHORT, SynthesisParams())
    long = voice.synthesize(LONG, SynthesisParams())
    assert short.sample_rate == voice.sample_rate == 22050
    assert rms(short) > 300 and rms(long) > 300
    assert short.duration > 0.5
    assert long.duration > 2.5 * short.duration


def test_builtin_voices_are_listed_with_vietnamese_names(data_dir: Path) -> None:
    listed = {v.id: v for v in Catalog(data_dir).voices()}
    assert set(BUILTIN) <= set(listed)
    assert listed["espeak-north-female"].name == "Giọng nữ miền Bắc (eSpeak)"
    assert {listed[v].dialect for v in BUILTIN} == {"bắc", "trung", "nam"}
    assert {listed[v].gender for v in BUILTIN} == {"nam", "nữ"}


def test_dialects_and_genders_sound_different(data_dir: Path) -> None:
    """Female variants speak about an octave higher; the three dialects differ in timing and
    timbre by far more than eSpeak's run-to-run noise (well under 1 %)."""
    catalog = Catalog(data_dir)
    text = f"{LONG} Thời gian tiêm phòng bắt đầu từ bảy giờ ba mươi sáng hằng ngày."
    audio = {v: catalog.synthesizer(v).synthesize(text, SynthesisParams()) for v in BUILTIN}
    for dialect in ("north", "central", "south"):
        female, male = audio[f"espeak-{dialect}-female"], audio[f"espeak-{dialect}-male"]
        assert median_f0(female) > 1.5 * median_f0(male)
    for gender in ("female", "male"):
        dialects = [audio[f"espeak-{d}-{gender}"] for d in ("north", "central", "south")]
        for i, a in enumerate(dialects):
            for b in dialects[i + 1 :]:
                timing = abs(a.duration - b.duration) / a.duration
                timbre = abs(spectral_centroid(a) - spectral_centroid(b)) / spectral_centroid(a)
                assert max(timing, timbre) > 0.015


def test_rate_and_volume_change_the_audio(data_dir: Path) -> None:
    voice = Catalog(data_dir).synthesizer("espeak-north-male")
    normal = voice.synthesize(LONG, SynthesisParams())
    fast = voice.synthesize(LONG, SynthesisParams(rate=1.5))
    quiet = voice.synthesize(LONG, SynthesisParams(volume=0.5))
    assert fast.duration < 0.8 * normal.duration
    assert rms(quiet) == pytest.approx(rms(normal) * 0.5, rel=0.02)


def test_concurrent_use_is_safe(data_dir: Path) -> None:
    """eSpeak NG adds random noise, so runs differ sample by sample; a race would instead
    mix calls up: audio of the wrong length, the wrong voice or garbage."""
    catalog = Catalog(data_dir)
    texts = [SHORT, LONG, f"{LONG} {LONG}"]
    jobs = [(v, t) for t in texts for v in BUILTIN] * 3

    def duration(job: tuple[str, str]) -> float:
        return catalog.synthesizer(job[0]).synthesize(job[1], SynthesisParams()).duration

    sequential = [duration(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(duration, jobs))
    for job, alone, together in zip(jobs, sequential, concurrent, strict=True):
        assert together == pytest.approx(alone, rel=0.01), job
