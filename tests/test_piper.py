from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audio_checks import rms
from voices import Catalog, SynthesisParams, VoiceError
from voices.engines.piper import PiperSynthesizer, load_model

TEXT = "Kính thưa bà con nhân dân trong toàn xã. Xin cảm ơn bà con đã chú ý lắng nghe."


def test_standin_piper_voice_speaks_vietnamese(standin_catalog: Catalog) -> None:
    voice = standin_catalog.synthesizer("standin-vi-medium")
    pcm = voice.synthesize(TEXT, SynthesisParams())
    assert pcm.sample_rate == 22050
    assert 3.0 < pcm.duration < 12.0
    assert rms(pcm) > 500
    longer = voice.synthesize(f"{TEXT} {TEXT}", SynthesisParams())
    assert longer.duration > 1.7 * pcm.duration


def test_rate_scales_length_and_volume_scales_level(standin_catalog: Catalog) -> None:
    voice = standin_catalog.synthesizer("standin-vi-medium")
    normal = voice.synthesize(TEXT, SynthesisParams())
    fast = voice.synthesize(TEXT, SynthesisParams(rate=1.5))
    quiet = voice.synthesize(TEXT, SynthesisParams(volume=0.5))
    # VITS rounds each phoneme's length up to a whole frame after scaling it, a part the
    # rate does not shorten: 1.34 times as fast at 1.5 (voices/estimate.py learns it)
    assert 1.2 < normal.duration / fast.duration < 1.5
    assert rms(quiet) == pytest.approx(rms(normal) * 0.5, rel=0.25)  # VITS noise differs per run


def test_model_is_loaded_once_and_kept(standin_catalog: Catalog) -> None:
    first = standin_catalog.synthesizer("standin-vi-medium")
    second = standin_catalog.synthesizer("standin-vi-medium")
    assert isinstance(first, PiperSynthesizer) and isinstance(second, PiperSynthesizer)
    first.synthesize("Xin chào.", SynthesisParams())
    assert load_model(first.model_path, first.config_path) is load_model(
        second.model_path, second.config_path
    )


def test_added_voice_is_listed_and_removable(standin_catalog: Catalog, data_dir: Path) -> None:
    listed = {v.id: v for v in standin_catalog.voices()}
    assert listed["standin-vi-medium"].source == "local"
    assert listed["standin-vi-medium"].installed
    standin_catalog.remove("standin-vi-medium")
    assert "standin-vi-medium" not in {v.id for v in Catalog(data_dir).voices()}
    with pytest.raises(VoiceError, match="unknown voice"):
        standin_catalog.synthesizer("standin-vi-medium")


def test_multi_speaker_voice_exposes_each_speaker(
    data_dir: Path, standin_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A config declaring speakers makes each one selectable (the model here is single
    speaker, so synthesis is not exercised; vivos's 65 speakers are listed the same way)."""
    model, config = standin_files
    settings = json.loads(config.read_text("utf-8"))
    settings["num_speakers"] = 3
    settings["speaker_id_map"] = {"A": 0, "B": 1, "C": 2}
    multi = tmp_path / "multi.onnx.json"
    multi.write_text(json.dumps(settings), "utf-8")
    catalog = Catalog(data_dir)
    catalog.add(model, multi, voice_id="multi")
    selectable = {v.id for v in catalog.selectable()}
    assert {"multi:A", "multi:B", "multi:C"} <= selectable
    speaker = catalog.synthesizer("multi:C")
    assert isinstance(speaker, PiperSynthesizer) and speaker.speaker_id == 2
    with pytest.raises(VoiceError, match="no speaker"):
        catalog.synthesizer("multi:Z")


def test_catalog_lists_vivos_speakers_before_install(data_dir: Path) -> None:
    vivos = {v.id: v for v in Catalog(data_dir).voices()}["vi_VN-vivos-x_low"]
    assert len(vivos.speakers) == 65 and not vivos.installed
    assert vivos.commercial_use is False


def test_a_broken_model_file_is_refused(
    data_dir: Path, standin_files: tuple[Path, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(Exception, match="cannot load Piper voice"):
        Catalog(data_dir).add(bad, standin_files[1])
    assert not (data_dir / "voices" / "bad").exists()
