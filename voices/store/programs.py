"""Rendered programs on disk: the MP3 that airs and its lossless master, content-addressed.

Files are named by the hash of their MP3 (the content hash that approval binds to and that
receivers verify), and a small record per render key points at them, so an unchanged
announcement is found again without synthesis or encoding. Every file is checked against
its recorded digest when loaded: a corrupt program is treated as absent, never aired.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Collection
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
    master_path: Path | None  # the lossless WAV, where the store keeps masters
    master_sha256: str | None
    cached: bool = False  # True when found whole in the program store

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        master = str(self.master_path) if self.master_path is not None else None
        data.update(mp3_path=str(self.mp3_path), master_path=master)
        del data["cached"]
        return data


SUBDIRECTORY = "programs"  # of the cache directory
_AUDIO = re.compile(r"[0-9a-f]{64}\.(mp3|wav)")


@dataclass(frozen=True)
class Swept:
    """What a sweep removed and what the store still holds, in files and bytes."""

    removed: int
    removed_bytes: int
    kept: int
    kept_bytes: int


class ProgramStore:
    """With `masters` False (the server: only the MP3 ever airs) no WAV master is written,
    about 85 % of a program's bytes; `radio say -o x.wav` keeps them."""

    def __init__(self, directory: Path, masters: bool = True) -> None:
        self.directory = directory
        self.masters = masters
        self._records = directory / "by-key"
        self._records.mkdir(parents=True, exist_ok=True)

    def load(self, render_key: str) -> RenderedProgram | None:
        record = self._records / f"{render_key}.json"
        try:
            data = json.loads(record.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        program = _from_json(data)
        master = program.master_path
        if self.masters and master is None:
            return None  # made without one: render again, keeping it this time
        if not (
            intact(program.mp3_path, program.hash)
            and (master is None or intact(master, str(program.master_sha256)))
        ):
            record.unlink(missing_ok=True)
            return None
        _touch(program.mp3_path)  # found again: young, so a sweep spares it while it is used
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
            master_path=self.directory / f"{mp3_hash}.wav" if self.masters else None,
            master_sha256=digest(master) if self.masters else None,
        )
        # Not synced: every file is checked against its digest when loaded, so a program
        # torn by a power cut is rendered again rather than aired.
        write_atomically(program.mp3_path, mp3, durable=False)
        if program.master_path is not None:
            write_atomically(program.master_path, master, durable=False)
        record = json.dumps(program.to_json(), ensure_ascii=False).encode()
        write_atomically(self._records / f"{render_key}.json", record, durable=False)
        return program

    def usage(self) -> tuple[int, int]:
        """How many programs' files the store holds, and their bytes."""
        files = [p for p in self.directory.iterdir() if _AUDIO.fullmatch(p.name)]
        return len(files), sum(p.stat().st_size for p in files if p.exists())

    def sweep(self, keep: Collection[str], older_than: float) -> Swept:
        """Remove every program whose hash is not in `keep` and whose files were written
        before `older_than` (a time.time()), and the render records that point at them.

        The age spares a program just made whose row the application has not saved yet.
        A record whose program is gone would be dropped on its next load anyway; removing
        it here keeps the store bounded by what is kept."""
        removed = removed_bytes = kept = kept_bytes = 0
        gone: set[str] = set()
        for path in self.directory.iterdir():
            if not _AUDIO.fullmatch(path.name):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:  # swept meanwhile by another process
                continue
            if path.stem in keep or stat.st_mtime >= older_than:
                kept, kept_bytes = kept + 1, kept_bytes + stat.st_size
                continue
            path.unlink(missing_ok=True)
            removed, removed_bytes = removed + 1, removed_bytes + stat.st_size
            gone.add(path.stem)
        self._forget(gone)
        return Swept(removed, removed_bytes, kept, kept_bytes)

    def _forget(self, gone: set[str]) -> None:
        for record in self._records.glob("*.json"):
            try:
                program = json.loads(record.read_text("utf-8"))["hash"]
            except (FileNotFoundError, ValueError, KeyError, TypeError):
                continue
            if program in gone or not (self.directory / f"{program}.mp3").exists():
                record.unlink(missing_ok=True)


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)


def _from_json(data: dict[str, Any]) -> RenderedProgram:
    return RenderedProgram(
        hash=data["hash"],
        render_key=data["render_key"],
        duration=data["duration"],
        loudness=Loudness(**data["loudness"]),
        segments=tuple(RenderedSegment(**{**s, "hit": True}) for s in data["segments"]),
        mp3_path=Path(data["mp3_path"]),
        master_path=Path(data["master_path"]) if data.get("master_path") else None,
        master_sha256=data.get("master_sha256"),
        cached=True,
    )
