"""Settings of one installation, read from the environment (RADIO_*)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from playout.icecast import IcecastTarget
from voices import DEFAULT_VOICE
from voices.assembly import SENTENCE_PAUSE_S
from voices.engines.catalog import PIPER_VOICES_URL
from voices.store.segments import DEFAULT_MAX_BYTES

# Connections a server holds open at once before answering 503: every live stream is one,
# so far above a province's loudspeakers (issue 18 aims at 5,000 from one process).
MAX_CONNECTIONS = 10_000
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")  # CAP 1.2's
CAP_AUTO = frozenset({"Extreme", "Severe"})
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    default_voice: str
    voices_url: str
    cache_max_bytes: int
    database_url: str
    worker_url: str = ""
    icecast_url: str = ""
    webhook_url: str = ""
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed ("127.0.0.1"
    # behind a local TLS proxy); none by default, so a client cannot claim another address.
    trusted_proxies: str = ""
    max_connections: int = MAX_CONNECTIONS
    # The silence after each sentence: longer where the loudspeakers echo off the hills.
    sentence_pause_s: float = SENTENCE_PAUSE_S
    # CAP alerts: the severities aired without an operator, how often an emergency comes
    # back until it expires (0: once), and the feeds read every `cap_poll_s` seconds as
    # the account `cap_account` (a user of the level above).
    cap_auto: frozenset[str] = CAP_AUTO
    cap_repeat_minutes: int = 30
    cap_feeds: tuple[str, ...] = ()
    cap_account: str = ""
    cap_poll_s: int = 60
    # Map tiles for the console's loudspeaker map ({z}/{x}/{y}); "" for none (the points
    # on a plain background). The browser fetches them, only while it is online.
    map_tiles: str = OSM_TILES
    # Federation: this installation's name as linked installations see it, and how often
    # a commune reports its bulletins' state and its loudspeakers' health up its links.
    station_name: str = "Loa Xã"
    federation_status_s: int = 60

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
            cache_max_bytes=_bytes(env.get("RADIO_CACHE_MAX_BYTES"), DEFAULT_MAX_BYTES),
            database_url=env.get("RADIO_DATABASE_URL") or "",
            worker_url=env.get("RADIO_WORKER_URL") or "",
            icecast_url=env.get("RADIO_ICECAST_URL") or "",
            webhook_url=env.get("RADIO_WEBHOOK_URL") or "",
            trusted_proxies=env.get("RADIO_TRUSTED_PROXIES") or "",
            max_connections=_positive(env, "RADIO_MAX_CONNECTIONS", MAX_CONNECTIONS),
            sentence_pause_s=_pause(env.get("RADIO_SENTENCE_PAUSE_S")),
            cap_auto=_severities(env.get("RADIO_CAP_AUTO")),
            cap_repeat_minutes=_minutes(env.get("RADIO_CAP_REPEAT_MINUTES")),
            cap_feeds=tuple((env.get("RADIO_CAP_FEEDS") or "").replace(",", " ").split()),
            cap_account=env.get("RADIO_CAP_ACCOUNT") or "",
            cap_poll_s=_positive(env, "RADIO_CAP_POLL_S", 60),
            map_tiles=_tiles(env.get("RADIO_MAP_TILES")),
            station_name=env.get("RADIO_STATION_NAME") or "Loa Xã",
            federation_status_s=_positive(env, "RADIO_FEDERATION_STATUS_S", 60),
        )

    @property
    def db_url(self) -> str:
        """RADIO_DATABASE_URL (PostgreSQL for scale), else SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'radio.db'}"

    @property
    def icecast(self) -> IcecastTarget | None:
        """RADIO_ICECAST_URL: also push every zone's stream to this Icecast server."""
        return IcecastTarget.parse(self.icecast_url) if self.icecast_url else None

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def _bytes(value: str | None, default: int) -> int:
    """A size such as 500000000, 500M or 2G."""
    if not value:
        return default
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    number, unit = (value[:-1], value[-1].upper()) if value[-1].upper() in units else (value, "")
    try:
        size = int(float(number) * units.get(unit, 1))
    except ValueError:
        raise ValueError(f"RADIO_CACHE_MAX_BYTES must be a size like 2G, got {value!r}") from None
    if size <= 0:
        raise ValueError(f"RADIO_CACHE_MAX_BYTES must be positive, got {value!r}")
    return size


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number above zero, or a refusal naming the variable."""
    value = env.get(name)
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{name} must be a whole number above 0, got {value!r}")
    return int(value)


def _pause(value: str | None) -> float:
    """Seconds of silence after a sentence: from a breath (0.2) to a long echo (2.0)."""
    if not value:
        return SENTENCE_PAUSE_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0.2 <= seconds <= 2.0:
        raise ValueError(f"RADIO_SENTENCE_PAUSE_S must be seconds from 0.2 to 2.0, got {value!r}")
    return seconds


def _severities(value: str | None) -> frozenset[str]:
    """CAP severities, comma-separated ("Extreme,Severe"); "none" for none at all."""
    if value is None or not value.strip():
        return CAP_AUTO
    if value.strip().lower() == "none":
        return frozenset()
    chosen = {v.strip().capitalize() for v in value.split(",") if v.strip()}
    wrong = sorted(chosen - set(SEVERITIES))
    if wrong:
        raise ValueError(f"RADIO_CAP_AUTO takes {', '.join(SEVERITIES)} or none, got {wrong}")
    return frozenset(chosen)


def _minutes(value: str | None) -> int:
    """Minutes between an emergency alert's repeats: 0 (never) to a day."""
    if not value:
        return 30
    if not value.isdigit() or int(value) > 1440:
        raise ValueError(f"RADIO_CAP_REPEAT_MINUTES must be 0 to 1440, got {value!r}")
    return int(value)


def _tiles(value: str | None) -> str:
    """A tile URL with {z}, {x} and {y}; "none" for none."""
    if not value:
        return OSM_TILES
    if value.strip().lower() == "none":
        return ""
    if not value.startswith(("http://", "https://")) or not all(f"{{{k}}}" in value for k in "zxy"):
        raise ValueError(
            f"RADIO_MAP_TILES must be an http(s) URL with {{z}}, {{x}}, {{y}}: {value!r}"
        )
    return value
