"""The image as docker-compose.yml wires it, run here by scripts/check-image: the image's
`radio serve` with RADIO_WORKER_URL and `radio worker` pushing to a real Icecast 2 (the
machine's icecast2, with the listener authentication block the compose file ships),
both on a real PostgreSQL (the machine's, a database made for the check and dropped
after); the announcement check then listens through the Icecast mount with the
loudspeaker's token. Then a backup (pg_dump) is restored into a fresh database, and the
image's `radio serve` on it shows the same announcements and as-run log.

Before any of it, the compose file is checked against what runs here: its environment
variables are settings the station reads, its ports are the ones its commands listen on,
its volume is the image's data directory and its health checks ask the routes that exist.

    uv run python scripts/check_image_split.py IMAGE_ROOT WORK_DIR
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.icecast import PASSWORD, running  # noqa: E402
from scripts.check_image import signed_in, step  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1/postgres"
SHIPPED_API = "http://app:8000"


def compose_is_consistent() -> None:
    """The compose file names only settings the station reads, and the ports, volume and
    health checks the image and the tested run use."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    settings = (ROOT / "radio" / "settings.py").read_text("utf-8")
    known = set(re.findall(r'"(RADIO_[A-Z_]+)"', settings))
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    for name in ("app", "worker"):
        service = compose["services"][name]
        unknown = set(service["environment"]) - known
        assert not unknown, f"compose's {name} sets what no setting reads: {sorted(unknown)}"
        assert service["volumes"] == ["data:/data"], f"{name}: the data volume is /data"
        port = service["command"][service["command"].index("--port") + 1]
        assert f"{port}:{port}" in service["ports"], f"{name}: port {port} not published"
    assert "RADIO_DATA_DIR=/data" in dockerfile and "VOLUME /data" in dockerfile
    assert "/api/health" in dockerfile and "EXPOSE 8000" in dockerfile
    assert "/healthz" in str(compose["services"]["worker"]["healthcheck"]["test"])
    assert '--port", "8000' in dockerfile.replace("'", '"')
    step("the compose file agrees with the image and the tested run")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def psql(*sql: str, database: str = "postgres") -> None:
    for statement in sql:
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", statement],
            check=True,
            capture_output=True,
        )


@contextlib.contextmanager
def database(name: str) -> Iterator[str]:
    psql(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1/{name}"
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Image:
    """Programs of the mounted image, run as its user with chroot."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.running: list[subprocess.Popen[bytes]] = []

    def command(self, env: dict[str, str], *args: str) -> list[str]:
        pairs = [f"{k}={v}" for k, v in {"RADIO_DATA_DIR": "/data", **env}.items()]
        return [
            "chroot", "--userspec=1000:1000", str(self.root), "/usr/bin/env", "-i",
            "HOME=/home/loaxa", "PATH=/app/.venv/bin:/usr/bin:/bin", *pairs, "radio", *args,
        ]  # fmt: skip

    def run(self, env: dict[str, str], *args: str) -> None:
        subprocess.run(self.command(env, *args), check=True, capture_output=True, timeout=300)

    def start(self, env: dict[str, str], *args: str) -> None:
        log = open(f"/tmp/check-image-{args[0]}-{len(self.running)}.log", "wb")  # noqa: SIM115
        self.running.append(
            subprocess.Popen(self.command(env, *args), stdout=log, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
            process.wait(20)
        self.running.clear()


def split(image: Image, url: str, workdir: Path) -> None:
    api, worker = free_port(), free_port()
    base = f"http://127.0.0.1:{api}"
    env = {"RADIO_DATABASE_URL": url, "RADIO_WORKER_URL": f"http://127.0.0.1:{worker}"}
    image.run({**env, "RADIO_PASSWORD": "vanhanh-mat-khau"}, "user", "add", "vanhanh",
              "--role", "operator", "--emergency")  # fmt: skip
    image.start(env, "serve", "--host", "127.0.0.1", "--port", str(api))
    signed_in(base, "vanhanh", "vanhanh-mat-khau")  # migrated before the worker starts
    auth = shipped_listener_auth(base)
    with running(workdir, auth) as icecast:
        source = f"http://source:{PASSWORD}"
        pushed = {**env, "RADIO_ICECAST_URL": f"{source}@127.0.0.1:{icecast.port}"}
        image.start(pushed, "worker", "--host", "127.0.0.1", "--port", str(worker))
        step("serve, worker, PostgreSQL and Icecast up; checking through the Icecast mount")
        checked = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "check_image.py"), base,
             "--stream-base", f"http://127.0.0.1:{icecast.port}"],
        )  # fmt: skip
        image.stop()
    if checked.returncode != 0:
        sys.exit("check-image: the worker split failed")


def shipped_listener_auth(api: str) -> str:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    content = compose["configs"]["icecast"]["content"]
    found = re.search(r'<mount type="default">.*?</mount>', content, re.DOTALL)
    assert found is not None and SHIPPED_API in found.group(0)
    return found.group(0).replace(SHIPPED_API, api)


def restored(image: Image, url: str, workdir: Path) -> None:
    """A pg_dump of the checked station restored into a fresh database: the image's
    `radio serve` on it shows the same announcements and as-run log."""
    dump = workdir / "loaxa.dump"
    plain = url.replace("+psycopg", "")
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), plain], check=True)
    seen = _seen(image, url)
    with database("loaxa_image_restored") as fresh:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", fresh.replace("+psycopg", ""), str(dump)],
            check=True,
        )
        again = _seen(image, fresh)
    assert seen == again and seen[0], (seen, again)
    step(f"restored from a dump: the same {len(seen[0])} announcement(s) and as-run log")


def _seen(image: Image, url: str) -> tuple[list[str], list[str], list[str]]:
    """What the image's `radio serve` on the database shows: announcements, the as-run
    log and the zones."""
    port = free_port()
    image.start({"RADIO_DATABASE_URL": url}, "serve", "--host", "127.0.0.1", "--port", str(port))
    try:
        client = signed_in(f"http://127.0.0.1:{port}", "vanhanh", "vanhanh-mat-khau")
        titles = [a["title"] for a in client.get("/api/announcements").json()]
        asrun = client.get("/api/asrun.csv", params={"start": "2020-01-01", "end": "2099-12-31"})
        zones = [z["slug"] for z in client.get("/api/zones").json()]
        return titles, asrun.text.splitlines(), zones
    finally:
        image.stop()


def upgraded(image: Image) -> None:
    """A station from the first release (migration 0001) with a user, a zone and an
    announcement in it: the image's `radio serve` migrates it at start, and they are all
    there after."""
    from sqlalchemy import text

    from radio.access.sessions import hash_password
    from radio.db import make_engine, upgrade

    with database("loaxa_image_upgrade") as url:
        engine = make_engine(url)
        upgrade(engine, "0001")
        with engine.begin() as db:
            db.execute(
                text(
                    "INSERT INTO users (username, full_name, password_hash, role, can_emergency,"
                    " active, created_at) VALUES ('vanhanh', '', :hash, 'operator', true, true,"
                    " now())"
                ),
                {"hash": hash_password("vanhanh-mat-khau")},
            )
            db.execute(
                text(
                    "INSERT INTO zones (slug, name, created_at) VALUES ('na-heo', 'Nà Héo', now())"
                )
            )
            db.execute(
                text(
                    "INSERT INTO announcements (title, status, priority, created_by_id, created_at,"
                    " updated_at) VALUES ('Họp thôn cũ', 'draft', 'normal', 1, now(), now())"
                )
            )
            db.execute(
                text(
                    "INSERT INTO revisions (announcement_id, number, text, voice, rate, chime,"
                    " created_by_id, created_at) VALUES (1, 1, 'Thôn Nà Héo họp lúc 8 giờ.',"
                    " 'espeak-north-female', 1.0, false, 1, now())"
                )
            )
        engine.dispose()
        titles, _, zones = _seen(image, url)
        assert (titles, zones) == (["Họp thôn cũ"], ["na-heo"]), (titles, zones)
    step("a station from migration 0001, with its data, upgraded by the image at start")


def main() -> int:
    root, work = Path(sys.argv[1]), Path(sys.argv[2])
    compose_is_consistent()
    image = Image(root)
    try:
        with database("loaxa_image_check") as url:
            split(image, url, work)
            restored(image, url, work)
        upgraded(image)
    finally:
        image.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
