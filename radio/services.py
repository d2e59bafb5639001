"""The container: everything the station runs on, built once from settings and handed to
the web app, the worker, the commands and the tests.

Built in the order data flows: the database (migrated), the voices and the speech service,
then the scheduler that renders through it. Nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from radio.access.quota import RenderQuota
from radio.access.sessions import Throttle
from radio.airtime.scheduler import Scheduler, Timing
from radio.airtime.timeline import Length
from radio.alerts import Alarms
from radio.db import make_engine, sessions, upgrade
from radio.downloads import VoicePulls
from radio.lexicons import Lexicons
from radio.settings import Settings
from radio.speech import LexiconFile, Speech
from schedules import Clock, SystemClock
from voices import Catalog, Renderer


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    catalog: Catalog
    speech: Speech
    scheduler: Scheduler
    pulls: VoicePulls
    throttle: Throttle  # failed logins per client address, in this process
    quota: RenderQuota = field(default_factory=RenderQuota)  # new previews per user

    @property
    def length(self) -> Length:
        """How long an announcement lasts, for timelines and clash checks."""
        return self.speech.expected_seconds

    def close(self) -> None:
        """Let go of the database's connections (the tests' databases are dropped)."""
        self.engine.dispose()


def build(settings: Settings, clock: Clock | None = None, timing: Timing = Timing()) -> Services:
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    factory = sessions(engine)
    catalog = Catalog(settings.data_dir, settings.voices_url)
    # only the MP3 airs: no WAV masters beside the programs (they were 85 % of the bytes)
    renderer = Renderer.at(settings.cache_dir, settings.cache_max_bytes, masters=False)
    lexicons = Lexicons(LexiconFile(settings.lexicon_path).current, factory)
    speech = Speech(catalog, renderer, lexicons, settings.sentence_pause_s)
    scheduler = Scheduler(factory, clock, speech, timing, Alarms(factory, clock))
    pulls = VoicePulls(catalog)
    return Services(settings, engine, factory, clock, catalog, speech, scheduler, pulls, Throttle())
