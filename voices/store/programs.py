"""Rendered programs on disk: the MP3 that airs and its lossless master, content-addressed.

Files are named by the hash of their MP3 (the content hash that approval binds to and that
receivers verify), and a small record per render key points at them, so an unchanged
announcement is found again without synthesis or encoding. Every file is checked against
its recorded digest when loaded: a corrupt program is treated as absent, never aired.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voices.audio.loudness import Loudness
from voices.files import write_atomically
from voices.store.integrity import digest, intact


@dataclass(frozen=True)
class RenderedSegment:
    text: str
    key: str
    hit: bool
    duration: float
    synthesis_seconds: float
    ends_paragraph: bool


@dataclass(frozen=True)
class RenderedProgram:
    hash: str  # sha256 of the MP3
    render_key: str
    duration: float
    loudness: Loudness
    segments: tuple[RenderedSegment, ...]
    mp3_path: Path
    master_path: Path
    master_sha256: str
    cached: bool = False  # True when found whole in the program store

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.update(mp3_path=str(self.mp3_path), master_path=str(self.master_path))
        del data["cached"]
        return data


class ProgramStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._records = directory / "by-key"
        self._records.mkdir(parents=True, exist_ok=True)

    def load(self, render_key: str) -> RenderedProgram | None:
        record = self._records / f"{render_key}.json"
        try:
            data = json.loads(record.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        program = _from_json(data)
        if not (
            intact(program.mp3_path, program.hash)
            and intact(program.master_path, program.master_sha256)
        ):
            record.unlink(missing_ok=True)
            return None
        return program

    def save(
        self,
        render_key: str,
        mp3: bytes,
        master: bytes,
        loudness: Loudness,
        duration: float,
        segments: tuple[RenderedSegment, ...],
    ) -> RenderedProgram:
        mp3_hash = digest(mp3)
        program = RenderedProgram(
            hash=mp3_hash,
            render_key=render_key,
            duration=duration,
            loudness=loudness,
            segments=segments,
            mp3_path=self.directory / f"{mp3_hash}.mp3",
            master_path=self.directory / f"{mp3_hash}.wav",
            master_sha256=digest(master),
        )
        # Not synced: every file is checked against its digest when loaded, so a program
        # torn by a power cut is rendered again rather than aired.
        write_atomically(program.mp3_path, mp3, durable=False)
        write_atomically(program.master_path, master, durable=False)
        record = json.dumps(program.to_json(), ensure_ascii=False).encode()
        write_atomically(self._records / f"{render_key}.json", record, durable=False)
        return program


def _from_json(data: dict[str, Any]) -> RenderedProgram:
    return RenderedProgram(
        hash=data["hash"],
        render_key=data["render_key"],
        duration=data["duration"],
        loudness=Loudness(**data["loudness"]),
        segments=tuple(RenderedSegment(**{**s, "hit": True}) for s in data["segments"]),
        mp3_path=Path(data["mp3_path"]),
        master_path=Path(data["master_path"]),
        master_sha256=data["master_sha256"],
        cached=True,
    )
