"""A voice repository like the model hub's, holding the Piper stand-in, for tests of
pulling voices (served by tests/fileserver.py on loopback)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from voices.engines.catalog import DownloadableVoice, VoiceInfo
from voices.engines.download import RemoteFile

MODEL_PATH = "vi/vi_VN/standin/medium/standin.onnx"
CONFIG_PATH = "vi/vi_VN/standin/medium/standin.onnx.json"


def repository_of(standin_files: tuple[Path, Path]) -> dict[str, bytes]:
    model, config = standin_files
    return {MODEL_PATH: model.read_bytes(), CONFIG_PATH: config.read_bytes()}


def entry(repository: dict[str, bytes]) -> DownloadableVoice:
    model, config = repository[MODEL_PATH], repository[CONFIG_PATH]
    info = VoiceInfo(
        id="standin",
        name="Giọng thử",
        engine="piper",
        dialect="",
        gender="",
        licence="test",
        sample_rate=22050,
        source="download",
        installed=False,
        size_bytes=len(model),
    )
    return DownloadableVoice(
        info,
        RemoteFile(MODEL_PATH, len(model), hashlib.sha256(model).hexdigest()),
        RemoteFile(CONFIG_PATH, len(config), hashlib.md5(config).hexdigest(), "md5"),
    )
