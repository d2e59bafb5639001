"""Icecast for the scale-out tests (bench.icecast runs it), with the listener
authentication block we ship."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from bench.icecast import PASSWORD, binary, running

__all__ = ["PASSWORD", "icecast", "shipped_listener_auth"]

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
SHIPPED_API = "http://app:8000"  # where the shipped Icecast asks the API, in compose


def shipped_listener_auth(api: str) -> str:
    """The `<mount type="default">` block of the Icecast configuration we ship (in
    docker-compose.yml), asking `api` instead of the compose service: the tests run the
    very block a deployment runs."""
    content = yaml.safe_load(COMPOSE.read_text("utf-8"))["configs"]["icecast"]["content"]
    found = re.search(r'<mount type="default">.*?</mount>', content, re.DOTALL)
    assert found is not None, "the shipped Icecast configuration lost its listener auth"
    assert SHIPPED_API in found.group(0)
    return found.group(0).replace(SHIPPED_API, api)


@contextmanager
def icecast(workdir: Path, listener_auth: str | None = None) -> Iterator[int]:
    """Yields the port of a fresh Icecast server; skips the test where there is none.
    With `listener_auth` (our API's base URL), Icecast asks it before admitting anyone."""
    if binary() is None:
        pytest.skip("Icecast is not installed (Debian package icecast2; .ci/run installs it)")
    mounts = shipped_listener_auth(listener_auth) if listener_auth else ""
    with running(workdir, mounts) as server:
        yield server.port
