from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.standin import STANDIN_ID, standin_files
from voices import Catalog

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh installation: RADIO_DATA_DIR points here for in-process code and for
    subprocesses started by the test."""
    directory = tmp_path / "data"
    monkeypatch.setenv("RADIO_DATA_DIR", str(directory))
    return directory


@pytest.fixture(scope="session", name="standin_files")
def standin_files_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The joe medium network with a config that phonemizes Vietnamese: a real Piper
    compute load for Vietnamese text (a stand-in, never offered to users)."""
    return standin_files(tmp_path_factory.mktemp("standin"))


@pytest.fixture
def standin_catalog(data_dir: Path, standin_files: tuple[Path, Path]) -> Iterator[Catalog]:
    catalog = Catalog(data_dir)
    catalog.add(*standin_files, voice_id=STANDIN_ID)
    yield catalog


def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared corpus beside the project ({SHARED})")
    return SHARED
