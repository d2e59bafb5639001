from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bench.scratch import database
from bench.standin import STANDIN_ID, standin_files
from radio.access.sessions import hash_password
from radio.models import Role, User
from radio.onair import OnAir
from radio.services import Services, build
from radio.settings import Settings
from schedules import LOCAL_TZ, Clock, ManualClock, SystemClock
from tests.stations import Station, running_station
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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: SQLite always; PostgreSQL when RADIO_TEST_DATABASE_URL
    names a server where the tests may create and drop databases."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'radio.db'}"
        return
    admin_url = os.environ.get("RADIO_TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("RADIO_TEST_DATABASE_URL is not set: no PostgreSQL server to test on")
    with database(admin_url, "loaxa_test") as url:
        yield url


def seeded(db_url: str, data_dir: Path, clock: Clock) -> Services:
    """The service as `radio serve` builds it, on a fresh database, with three users, one
    per role (passwords "<name>-mat-khau")."""
    settings = Settings.from_env({"RADIO_DATA_DIR": str(data_dir), "RADIO_DATABASE_URL": db_url})
    built = build(settings, clock)
    with built.sessions.begin() as db:
        for name, role, emergency in [
            ("canbo", Role.OFFICER, False),
            ("chutich", Role.REVIEWER, False),
            ("vanhanh", Role.OPERATOR, True),
        ]:
            db.add(
                User(
                    username=name,
                    password_hash=hash_password(f"{name}-mat-khau"),
                    role=role,
                    can_emergency=emergency,
                )
            )
    return built


@pytest.fixture
def services(db_url: str, data_dir: Path) -> Iterator[tuple[Services, ManualClock]]:
    """Seeded, with a clock the test moves (5:00 on 1 December 2026, Hà Nội time)."""
    clock = ManualClock(datetime(2026, 12, 1, 5, 0, tzinfo=LOCAL_TZ))
    built = seeded(db_url, data_dir, clock)
    yield built, clock
    built.close()


@pytest.fixture
def onair(services: tuple[Services, ManualClock]) -> OnAir:
    """Playout for the seeded services, on their clock (start it by serving an app)."""
    return OnAir(services[0].scheduler)


@pytest.fixture
def live_services(db_url: str, data_dir: Path) -> Iterator[Services]:
    """Seeded, on the real clock: for tests where other processes share the database."""
    built = seeded(db_url, data_dir, SystemClock())
    yield built
    built.close()


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    """A real HTTP station on loopback to relay (tests.stations)."""
    with running_station(tmp_path) as made:
        yield made
