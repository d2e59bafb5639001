"""The schema comes from the Alembic migrations; these keep them honest: they build exactly
what the models describe, and an installation made before communes existed moves into one
commune with nothing lost."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from radio.db import downgrade, make_engine, upgrade
from radio.models import Base


def test_the_migrations_build_exactly_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_an_installation_from_before_communes_moves_into_one(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0006")
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO zones (slug, name, created_at, volume)"
                " VALUES ('na-heo', 'Thôn Nà Héo', CURRENT_TIMESTAMP, 100)"
            )
        )
        db.execute(
            text(
                "INSERT INTO users (username, full_name, password_hash, role, can_emergency,"
                " active, failed_logins, created_at) VALUES ('canbo', '', 'x', 'officer',"
                " false, true, 0, CURRENT_TIMESTAMP)"
            )
        )
    upgrade(engine)
    with engine.connect() as db:
        assert db.execute(text("SELECT slug FROM communes")).scalars().all() == ["xa"]
        zone = db.execute(text("SELECT slug, commune_id FROM zones")).one()
        user = db.execute(text("SELECT username, commune_id FROM users")).one()
    assert tuple(zone) == ("na-heo", 1)
    assert tuple(user) == ("canbo", None)  # the level above: sees what it saw before
    with engine.begin() as db:  # and a new commune gets the next id, on PostgreSQL too
        db.execute(
            text(
                "INSERT INTO communes (slug, name, created_at) VALUES ('b', 'B', CURRENT_TIMESTAMP)"
            )
        )
    downgrade(engine, "0006")
    with engine.connect() as db:
        assert db.execute(text("SELECT slug FROM zones")).scalars().all() == ["na-heo"]
    engine.dispose()
