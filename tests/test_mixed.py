"""Mixed programmes (issue 20) in the speech library: a chime, Vietnamese read by a voice,
a pause, a recording (the same notice in Tày, made here from a known tone), joined with
crossfades at one loudness. Editing one sentence synthesizes only that sentence; a
recording that is gone is said, never aired as silence. Real synthesis, real decoding."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from tests.audio_checks import decode_mp3
from tests.test_recordings import TONE_HZ, dominant_hz, phone_recording
from voices import Catalog, Reading, Renderer
from voices.audio.format import TARGET_LUFS
from voices.audio.pcm import Pcm
from voices.mixed import Bell, Pause, Recorded, Spoken
from voices.render import MissingPartError

VIETNAMESE = "Kính thưa bà con. Thôn Nà Héo họp lúc 8 giờ sáng mai. Đề nghị bà con đi đủ."


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    return Renderer.at(tmp_path / "cache", 2 * 1024**3, masters=False)


@pytest.fixture
def reading(data_dir: Path) -> Reading:
    return Reading.of(Catalog(data_dir), "espeak-north-female")


def tay(renderer: Renderer, directory: Path) -> str:
    return renderer.import_audio(phone_recording(directory, "m4a")).hash


def test_parts_are_joined_in_order_at_one_loudness(
    renderer: Renderer, reading: Reading, tmp_path: Path
) -> None:
    recording = tay(renderer, tmp_path)
    spoken = renderer.render(VIETNAMESE, reading)
    parts = [Bell(), Spoken(VIETNAMESE), Pause(1.0), Recorded(recording), Bell(rising=False)]
    mixed = renderer.render_mixed(parts, reading)
    pcm = decode_mp3(mixed.mp3_path.read_bytes())
    rate = pcm.sample_rate
    # the chimes (2.24 s each), the speech, the pause, the ~3.3 s recording; crossfades
    # take 30 ms at each of the four joins
    expected = 2 * 2.24 + spoken.duration + 1.0 + 3.3 - 4 * 0.03
    assert pcm.duration == pytest.approx(expected, abs=0.3)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(pcm.samples / 32768.0)
    assert lufs == pytest.approx(TARGET_LUFS, abs=1.0)
    tail = Pcm(pcm.samples[-round((2.24 + 3.0) * rate) : -round(2.4 * rate)], rate)
    assert dominant_hz(tail) == pytest.approx(TONE_HZ, abs=3)  # the recording, in its place
    speech = Pcm(pcm.samples[round(2.3 * rate) : round((2.3 + spoken.duration) * rate)], rate)
    assert np.sqrt(np.mean(speech.samples.astype(np.float64) ** 2)) > 1000  # speech, not a gap
    assert renderer.render_mixed(parts, reading).cached  # the same parts: the same program


def test_editing_one_sentence_synthesizes_only_that_sentence(
    renderer: Renderer, reading: Reading, tmp_path: Path
) -> None:
    recording = tay(renderer, tmp_path)
    first = [Spoken(VIETNAMESE), Recorded(recording), Spoken("Xin cảm ơn bà con.")]
    cold = time.perf_counter()
    renderer.render_mixed(first, reading)
    cold = time.perf_counter() - cold
    edited = [Spoken(VIETNAMESE.replace("8 giờ", "9 giờ")), *first[1:]]
    again = renderer.render_mixed(edited, reading)
    made = [s for s in again.segments if not s.hit]
    assert [s.text for s in made] == ["Thôn Nà Héo họp lúc chín giờ sáng mai."]
    assert len(again.segments) == 4 and cold > 0


def test_a_recording_part_that_is_gone_is_refused(
    renderer: Renderer, reading: Reading, tmp_path: Path
) -> None:
    recording = tay(renderer, tmp_path)
    path = renderer.programs.directory / f"{recording}.mp3"
    shutil.copy(path, tmp_path / "kept.mp3")
    path.write_bytes(path.read_bytes()[:-100])  # damaged on disk
    with pytest.raises(MissingPartError, match="gone or damaged"):
        renderer.render_mixed([Spoken(VIETNAMESE), Recorded(recording)], reading)
