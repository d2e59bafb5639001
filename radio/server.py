"""Building the running service from settings: database (migrated), voices, caches,
scheduler, API. `radio serve` runs it; tests build it the same way."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio.db import make_engine, sessions, upgrade
from radio.deps import Services
from radio.models import Program, Revision
from radio.scheduler import Scheduler, Timing
from radio.settings import Settings
from schedules import Clock, SystemClock
from voices import Catalog, Lexicon, Renderer


def build(
    settings: Settings, clock: Clock | None = None, timing: Timing = Timing()
) -> tuple[Services, Engine]:
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    upgrade(engine)
    factory = sessions(engine)
    catalog = Catalog(settings.data_dir, settings.voices_url)
    renderer = Renderer.at(settings.cache_dir, settings.cache_max_bytes)

    def render_approved(db: Session, revision: Revision) -> Program:
        lexicon = Lexicon.load(settings.lexicon_path)
        return flow.render(db, revision, catalog, renderer, lexicon)

    scheduler = Scheduler(factory, clock, render_approved, timing)
    services = Services(factory, clock, catalog, renderer, settings.lexicon_path, scheduler)
    return services, engine
