from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio_checks import rms
from tests.fileserver import Files, serve
from tests.voicerepo import MODEL_PATH, entry, repository_of
from voices import Catalog, DownloadError, SynthesisParams, VoiceError


@pytest.fixture(scope="module")
def repository(standin_files: tuple[Path, Path]) -> dict[str, bytes]:
    return repository_of(standin_files)


@pytest.fixture
def files(repository: dict[str, bytes]) -> Files:
    return Files(content=dict(repository))


@pytest.fixture
def url(files: Files) -> Iterator[str]:
    with serve(files) as base:
        yield base


def catalog(data_dir: Path, url: str, repository: dict[str, bytes]) -> Catalog:
    return Catalog(data_dir, url, available={"standin": entry(repository)})


def installed(data_dir: Path) -> list[str]:
    root = data_dir / "voices"
    return (
        sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
        if root.exists()
        else []
    )


def test_pull_installs_a_voice_that_speaks(
    data_dir: Path, url: str, repository: dict[str, bytes]
) -> None:
    seen: list[tuple[int, int]] = []
    voices = catalog(data_dir, url, repository)
    voices.pull("standin", lambda done, total: seen.append((done, total)))
    assert installed(data_dir) == ["standin"]
    assert seen[-1][0] == seen[-1][1] == len(repository[MODEL_PATH])
    pcm = voices.synthesizer("standin").synthesize("Xin chào bà con.", SynthesisParams())
    assert rms(pcm) > 500
    assert not (data_dir / "voices" / ".partial" / "standin").exists()


def test_pull_resumes_after_a_cut_connection(
    data_dir: Path, url: str, files: Files, repository: dict[str, bytes]
) -> None:
    voices = catalog(data_dir, url, repository)
    files.cut_after[MODEL_PATH] = 10_000_000
    with pytest.raises(DownloadError, match="run the same command again to resume"):
        voices.pull("standin", lambda d, t: None)
    assert installed(data_dir) == []
    voices.pull("standin", lambda d, t: None)
    assert installed(data_dir) == ["standin"]
    ranges = [r for path, r in files.requests if path == MODEL_PATH]
    assert len(ranges) == 2 and ranges[0] is None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 9_000_000 <= resumed_at <= 10_000_000  # only the bytes after the cut again


def test_pull_restarts_when_the_server_ignores_ranges(
    data_dir: Path, url: str, files: Files, repository: dict[str, bytes]
) -> None:
    files.cut_after[MODEL_PATH] = 5_000_000
    files.honour_range = False
    voices = catalog(data_dir, url, repository)
    with pytest.raises(DownloadError):
        voices.pull("standin", lambda d, t: None)
    voices.pull("standin", lambda d, t: None)
    assert installed(data_dir) == ["standin"]


def test_checksum_mismatch_installs_nothing(
    data_dir: Path, url: str, files: Files, repository: dict[str, bytes]
) -> None:
    corrupt = bytearray(repository[MODEL_PATH])
    corrupt[1_000_000] ^= 0xFF
    files.content[MODEL_PATH] = bytes(corrupt)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        catalog(data_dir, url, repository).pull("standin", lambda d, t: None)
    assert installed(data_dir) == []
    assert not (data_dir / "voices" / ".partial" / "standin" / "voice.onnx").exists()


def test_missing_file_is_a_clear_error(
    data_dir: Path, url: str, files: Files, repository: dict[str, bytes]
) -> None:
    del files.content[MODEL_PATH]
    with pytest.raises(DownloadError, match="HTTP 404"):
        catalog(data_dir, url, repository).pull("standin", lambda d, t: None)
    assert installed(data_dir) == []


def test_unreachable_server_is_a_clear_error(data_dir: Path, repository: dict[str, bytes]) -> None:
    with serve(Files()) as dead:
        pass  # the port is closed again
    with pytest.raises(DownloadError, match="network failure"):
        catalog(data_dir, dead, repository).pull("standin", lambda d, t: None)


def test_disk_write_failure_installs_nothing(
    data_dir: Path, url: str, repository: dict[str, bytes]
) -> None:
    """RLIMIT_FSIZE makes every write past 20 MB fail (EFBIG), as a full disk would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, hard))
    try:
        with pytest.raises(DownloadError, match="cannot write"):
            catalog(data_dir, url, repository).pull("standin", lambda d, t: None)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert installed(data_dir) == []
    voices = catalog(data_dir, url, repository)
    voices.pull("standin", lambda d, t: None)  # and once there is room, it completes
    assert installed(data_dir) == ["standin"]


def test_pulling_twice_or_unknown_ids_are_refused(
    data_dir: Path, url: str, repository: dict[str, bytes]
) -> None:
    voices = catalog(data_dir, url, repository)
    voices.pull("standin", lambda d, t: None)
    with pytest.raises(VoiceError, match="already installed"):
        voices.pull("standin", lambda d, t: None)
    with pytest.raises(VoiceError, match="no downloadable voice"):
        voices.pull("nope", lambda d, t: None)


def test_real_catalog_urls_and_cli_checksum_error(data_dir: Path, files: Files, url: str) -> None:
    """The CLI pulls the real catalog entry from the configured mirror: here a loopback
    server whose copy of the config is wrong, so the command must fail cleanly."""
    vivos = Catalog(data_dir).available["vi_VN-vivos-x_low"]
    assert vivos.model.path == "vi/vi_VN/vivos/x_low/vi_VN-vivos-x_low.onnx"
    assert vivos.model.size == 27_789_413
    files.content[vivos.config.path] = json.dumps({"wrong": True}).encode().ljust(5592)
    result = subprocess.run(
        ["radio", "voices", "pull", "vi_VN-vivos-x_low"],
        env={**os.environ, "RADIO_VOICES_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("radio: error: checksum mismatch")
    assert "Traceback" not in result.stderr
    assert installed(data_dir) == []
    assert files.requests == [(vivos.config.path, None)]
