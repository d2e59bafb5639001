"""Which voices exist, which are installed, and how to get a ready Synthesizer for an id.

Three sources: eSpeak NG voices built into the package, the Vietnamese Piper voices of the
public Piper voice repository (downloadable), and Piper models a user adds from local files.
Installed Piper voices live in `<data_dir>/voices/<id>/`, each directory complete or absent:
it is assembled under a hidden name and renamed into place in one step.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path

import httpx

from voices.engines.download import DownloadError, Progress, RemoteFile, fetch, file_digest
from voices.engines.engine import Synthesizer
from voices.engines.espeak import EspeakSynthesizer, library
from voices.engines.piper import PiperSynthesizer, read_model

DEFAULT_VOICE = "espeak-north-female"
PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
_MODEL, _CONFIG, _MANIFEST = "voice.onnx", "voice.onnx.json", "manifest.json"
_SPEAKER_SEP = ":"


class VoiceError(Exception):
    """A voice id that cannot be used as asked; the message says why and what to do."""


@dataclass(frozen=True)
class VoiceInfo:
    """What the catalog tells a user about one voice (or one multi-speaker model)."""

    id: str
    name: str
    engine: str
    dialect: str
    gender: str
    licence: str
    sample_rate: int
    source: str  # "built-in", "download" or "local"
    installed: bool
    size_bytes: int = 0
    quality: str = ""
    commercial_use: bool | None = True
    speakers: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Builtin:
    id: str
    name: str
    espeak_voice: str
    dialect: str
    gender: str


_BUILTIN = [
    _Builtin("espeak-north-female", "Giọng nữ miền Bắc (eSpeak)", "vi+f3", "bắc", "nữ"),
    _Builtin("espeak-north-male", "Giọng nam miền Bắc (eSpeak)", "vi+m3", "bắc", "nam"),
    _Builtin(
        "espeak-central-female", "Giọng nữ miền Trung (eSpeak)", "vi-VN-x-central+f3", "trung", "nữ"
    ),
    _Builtin(
        "espeak-central-male", "Giọng nam miền Trung (eSpeak)", "vi-VN-x-central+m3", "trung", "nam"
    ),
    _Builtin("espeak-south-female", "Giọng nữ miền Nam (eSpeak)", "vi-VN-x-south+f3", "nam", "nữ"),
    _Builtin("espeak-south-male", "Giọng nam miền Nam (eSpeak)", "vi-VN-x-south+m3", "nam", "nam"),
]


@dataclass(frozen=True)
class DownloadableVoice:
    """A catalog entry for a Piper voice in the public repository."""

    info: VoiceInfo
    model: RemoteFile
    config: RemoteFile


def _downloadable() -> dict[str, DownloadableVoice]:
    raw = json.loads(files("voices").joinpath("data/piper_voices.json").read_text("utf-8"))
    entries = {}
    for e in raw:
        info = VoiceInfo(
            id=e["id"],
            name=e["name"],
            engine="piper",
            dialect=e["dialect"],
            gender=e["gender"],
            licence=e["licence"],
            sample_rate=e["sample_rate"],
            source="download",
            installed=False,
            size_bytes=e["model"]["size"],
            quality=e["quality"],
            commercial_use=e["commercial_use"],
            speakers=tuple(e["speakers"]),
        )
        model = RemoteFile(e["model"]["path"], e["model"]["size"], e["model"]["sha256"])
        config = RemoteFile(e["config"]["path"], e["config"]["size"], e["config"]["md5"], "md5")
        entries[info.id] = DownloadableVoice(info, model, config)
    return entries


class Catalog:
    """The voices of one installation, rooted at its data directory."""

    def __init__(
        self,
        data_dir: Path,
        base_url: str = PIPER_VOICES_URL,
        available: dict[str, DownloadableVoice] | None = None,
    ) -> None:
        self.root = data_dir / "voices"
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.available = _downloadable() if available is None else available

    # -- listing ---------------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        """Every voice a user can see: built-in, installed, and downloadable ones."""
        installed = {info.id: info for info in self._installed()}
        listed = [_builtin_info(b) for b in _BUILTIN]
        listed += [installed.pop(i, entry.info) for i, entry in self.available.items()]
        return listed + sorted(installed.values(), key=lambda info: info.id)

    def selectable(self) -> list[VoiceInfo]:
        """Voices that can speak now, one per speaker of a multi-speaker model."""
        voices = []
        for info in self.voices():
            if not info.installed:
                continue
            if len(info.speakers) > 1:
                voices += [
                    VoiceInfo(
                        **{
                            **asdict(info),
                            "id": f"{info.id}{_SPEAKER_SEP}{s}",
                            "name": f"{info.name} · {s}",
                            "speakers": (),
                        }
                    )
                    for s in info.speakers
                ]
            else:
                voices.append(info)
        return voices

    def _installed(self) -> Iterator[VoiceInfo]:
        if not self.root.is_dir():
            return
        for directory in sorted(self.root.iterdir()):
            manifest = directory / _MANIFEST
            if directory.name.startswith(".") or not manifest.is_file():
                continue
            info = json.loads(manifest.read_text("utf-8"))["info"]
            yield VoiceInfo(**{**info, "speakers": tuple(info["speakers"]), "installed": True})

    # -- resolving -------------------------------------------------------------------

    def info(self, voice_id: str) -> VoiceInfo:
        """The catalog facts of a voice id (a speaker id gives its model's facts)."""
        model_id, _, speaker = voice_id.partition(_SPEAKER_SEP)
        for info in self.voices():
            if info.id == model_id:
                if speaker and speaker not in info.speakers:
                    raise VoiceError(f"voice {model_id!r} has no speaker {speaker!r}")
                return info
        raise VoiceError(f"unknown voice {voice_id!r}; see: radio voices list")

    def synthesizer(self, voice_id: str) -> Synthesizer:
        """A ready voice for an id: "espeak-north-female", "vi_VN-vivos-x_low:VIVOSSPK01"."""
        for b in _BUILTIN:
            if b.id == voice_id:
                return EspeakSynthesizer(b.id, b.espeak_voice)
        model_id = self.info(voice_id).id  # only ids the catalog lists, never a path
        speaker = voice_id.partition(_SPEAKER_SEP)[2]
        directory = self.root / model_id
        manifest_path = directory / _MANIFEST
        if not manifest_path.is_file() or model_id.startswith("."):
            if model_id in self.available:
                raise VoiceError(
                    f"voice {model_id!r} is not installed; run: radio voices pull {model_id}"
                )
            raise VoiceError(f"unknown voice {voice_id!r}; see: radio voices list")
        manifest = json.loads(manifest_path.read_text("utf-8"))
        speakers: list[str] = manifest["info"]["speakers"]
        if speaker and speaker not in speakers:
            raise VoiceError(f"voice {model_id!r} has no speaker {speaker!r}")
        return PiperSynthesizer(
            voice_id=voice_id,
            model_path=directory / _MODEL,
            config_path=directory / _CONFIG,
            model_sha256=manifest["model_sha256"],
            speaker_id=speakers.index(speaker) if speaker else None,
        )

    # -- installing ------------------------------------------------------------------

    def pull(self, voice_id: str, progress: Progress, client: httpx.Client | None = None) -> None:
        """Download a catalog voice and install it whole, or leave nothing installed."""
        entry = self.available.get(voice_id)
        if entry is None:
            raise VoiceError(f"no downloadable voice {voice_id!r}; see: radio voices list")
        if (self.root / voice_id / _MANIFEST).is_file():
            raise VoiceError(f"voice {voice_id!r} is already installed")
        partial = self.root / ".partial" / voice_id
        partial.mkdir(parents=True, exist_ok=True)
        owned = client is None
        client = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0))
        try:
            for remote, name in ((entry.config, _CONFIG), (entry.model, _MODEL)):
                fetch(client, self.base_url + remote.path, partial / name, remote, progress)
        finally:
            if owned:
                client.close()
        info = VoiceInfo(**{**asdict(entry.info), "installed": True})
        self._install(info, partial / _MODEL, partial / _CONFIG, entry.model.digest, move=True)
        shutil.rmtree(partial, ignore_errors=True)

    def add(
        self, model: Path, config: Path | None = None, voice_id: str | None = None
    ) -> VoiceInfo:
        """Install a Piper model from local files (a commune's own voice)."""
        config = config or model.with_name(model.name + ".json")
        for path in (model, config):
            if not path.is_file():
                raise VoiceError(f"cannot read {path}: no such file")
        voice_id = voice_id or model.name.removesuffix(".onnx")
        if not voice_id or voice_id.startswith(".") or "/" in voice_id or _SPEAKER_SEP in voice_id:
            raise VoiceError(f"invalid voice id {voice_id!r}")
        if voice_id in self.available or any(b.id == voice_id for b in _BUILTIN):
            raise VoiceError(f"{voice_id!r} is the id of a catalog voice; choose another with --id")
        if (self.root / voice_id).exists():
            raise VoiceError(f"voice {voice_id!r} is already installed")
        try:
            settings = json.loads(config.read_text("utf-8"))
            sample_rate = int(settings["audio"]["sample_rate"])
            speaker_map: dict[str, int] = settings.get("speaker_id_map") or {}
        except (ValueError, KeyError, TypeError) as exc:
            raise VoiceError(f"{config} is not a Piper voice config: {exc}") from exc
        read_model(model, config)  # refuse a file onnxruntime cannot run
        info = VoiceInfo(
            id=voice_id,
            name=f"{voice_id} (Piper, tự thêm)",
            engine="piper",
            dialect="",
            gender="",
            licence=str(settings.get("license", "do người dùng cung cấp")),
            sample_rate=sample_rate,
            source="local",
            installed=True,
            size_bytes=model.stat().st_size,
            quality=str(settings["audio"].get("quality", "")),
            commercial_use=None,
            speakers=tuple(sorted(speaker_map, key=speaker_map.__getitem__)),
        )
        self._install(info, model, config, file_digest(model), move=False)
        return info

    def remove(self, voice_id: str) -> None:
        if any(b.id == voice_id for b in _BUILTIN):
            raise VoiceError(f"{voice_id!r} is built in and cannot be removed")
        directory = self.root / voice_id
        if voice_id.startswith(".") or not (directory / _MANIFEST).is_file():
            raise VoiceError(f"voice {voice_id!r} is not installed")
        trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=self.root))
        directory.rename(trash / voice_id)  # gone from the installed set in one step
        shutil.rmtree(trash)

    def _install(
        self, info: VoiceInfo, model: Path, config: Path, model_sha256: str, move: bool
    ) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{info.id}-", dir=self.root))
        try:
            place = os.replace if move else shutil.copyfile
            place(model, staging / _MODEL)
            place(config, staging / _CONFIG)
            manifest = {"info": info.to_json(), "model_sha256": model_sha256}
            (staging / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
            staging.rename(self.root / info.id)
        except OSError as exc:
            raise DownloadError(f"cannot install voice {info.id} in {self.root}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _builtin_info(b: _Builtin) -> VoiceInfo:
    return VoiceInfo(
        id=b.id,
        name=b.name,
        engine="espeak-ng",
        dialect=b.dialect,
        gender=b.gender,
        licence="GPL-3.0-or-later (eSpeak NG)",
        sample_rate=library().sample_rate,
        source="built-in",
        installed=True,
        quality="robotic",
    )
