"""Throwaway PostgreSQL databases and users, for the benchmarks and the tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from radio.access.sessions import hash_password
from radio.models import Role, User


@contextmanager
def database(server_url: str, prefix: str = "loaxa_bench") -> Iterator[str]:
    """A new, empty database on the server (whose URL names any database the user may
    connect to), dropped afterwards even with connections still open."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def operator(password: str = "mat-khau-bench") -> User:
    """An operator holding the emergency right, of the level above."""
    return User(
        username="vanhanh",
        password_hash=hash_password(password),
        role=Role.OPERATOR,
        can_emergency=True,
    )
