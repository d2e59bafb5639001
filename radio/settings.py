"""Settings of one installation, read from the environment (RADIO_*)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voices import DEFAULT_VOICE
from voices.catalog import PIPER_VOICES_URL


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    default_voice: str
    voices_url: str

    @property
    def lexicon_path(self) -> Path:
        """The commune's pronunciation lexicon (`written = spoken` lines)."""
        return self.data_dir / "lexicon.txt"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """RADIO_DATA_DIR holds voices, the cache and the database; it defaults to the
        user's data directory so that nothing is ever written inside the package."""
        data_home = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return cls(
            data_dir=Path(env.get("RADIO_DATA_DIR") or Path(data_home) / "loaxa"),
            default_voice=env.get("RADIO_DEFAULT_VOICE") or DEFAULT_VOICE,
            voices_url=env.get("RADIO_VOICES_URL") or PIPER_VOICES_URL,
        )
