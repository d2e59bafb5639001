"""`radio serve` (API, console and, by default, playout), `radio worker` (playout alone,
for scale) and `radio user add` (the first operator)."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import TYPE_CHECKING, Any

from playout.icecast import IcecastTarget
from radio.settings import Settings

if TYPE_CHECKING:
    from radio.onair import OnAir
    from radio.services import Services


def register(commands: argparse._SubParsersAction[Any]) -> None:
    serve = commands.add_parser("serve", help="run the API, console and scheduler")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--icecast", metavar="URL", help=_ICECAST_HELP)
    serve.add_argument("--advertise", metavar="URL", help=_ADVERTISE_HELP)
    serve.set_defaults(handler=run_serve)

    worker = commands.add_parser(
        "worker",
        help="run playout (scheduler, on-air loop, live streams) as its own process",
        description="Playout for scale: start `radio serve` with RADIO_WORKER_URL set to "
        "this worker's address, so that it leaves playout to the worker and sends "
        "receivers' stream requests here.",
    )
    worker.add_argument("--host", default="127.0.0.1")
    worker.add_argument("--port", type=int, default=8001)
    worker.add_argument("--icecast", metavar="URL", help=_ICECAST_HELP)
    worker.add_argument("--advertise", metavar="URL", help=_ADVERTISE_HELP)
    worker.set_defaults(handler=run_worker)

    user = commands.add_parser("user", help="manage users from the server's shell")
    sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a user (the password is asked, or RADIO_PASSWORD)")
    add.add_argument("username")
    add.add_argument("--role", choices=["officer", "reviewer", "operator"], required=True)
    add.add_argument("--emergency", action="store_true", help="may make emergency broadcasts")
    add.add_argument(
        "--commune",
        metavar="SLUG",
        help="the commune the user works in (default: the level above, which sees them all)",
    )
    add.set_defaults(handler=run_user_add)


_ADVERTISE_HELP = (
    "the address receivers reach this process's streams at, when it leads playout "
    "(default: http://HOST:PORT); standbys and the API redirect receivers there"
)
_ICECAST_HELP = (
    "also push every zone's stream to this Icecast 2 server, "
    "http://source:PASSWORD@host:8000 (default: RADIO_ICECAST_URL)"
)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from radio.services import build
    from radio.web.app import create_app
    from radio.web.server import run

    icecast = _icecast(args, settings)
    services = build(settings)
    print(f"Loa Xã: http://{args.host}:{args.port}/docs (data in {settings.data_dir})")
    if settings.worker_url:
        print(f"playout: the worker at {settings.worker_url}")
        app = create_app(services, worker_url=settings.worker_url)
    else:
        app = create_app(services, _onair(services, settings, icecast, _advertised(args)))
    run(app, args.host, args.port)
    return 0


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    from radio.services import build
    from radio.web.server import run
    from radio.web.worker import create_worker_app

    icecast = _icecast(args, settings)
    services = build(settings)
    print(f"Loa Xã playout: streams at http://{args.host}:{args.port}/stream/<zone>.mp3")
    app = create_worker_app(services, _onair(services, settings, icecast, _advertised(args)))
    run(app, args.host, args.port)
    return 0


def _onair(
    services: Services, settings: Settings, icecast: IcecastTarget | None, url: str
) -> OnAir:
    """Playout that leads only while it holds the database's lease: start as many as
    you like on one database (a leader and standbys); exactly one plays out."""
    from radio.onair import OnAir
    from radio.onair.lease import Leadership
    from radio.watch import Watch

    watch = Watch(services.sessions, settings.webhook_url)
    return OnAir(services.scheduler, icecast, watch, Leadership(services.sessions, url))


def _advertised(args: argparse.Namespace) -> str:
    return str(args.advertise or f"http://{args.host}:{args.port}")


def _icecast(args: argparse.Namespace, settings: Settings) -> IcecastTarget | None:
    return IcecastTarget.parse(args.icecast) if args.icecast else settings.icecast


def run_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from radio.access.sessions import hash_password
    from radio.models import Commune, Role, User
    from radio.services import build

    password = os.environ.get("RADIO_PASSWORD") or getpass.getpass("password: ")
    services = build(settings)
    with services.sessions.begin() as db:
        if db.scalar(select(User).where(User.username == args.username)):
            raise ValueError(f"user {args.username!r} exists")
        commune = None
        if args.commune:
            commune = db.scalar(select(Commune).where(Commune.slug == args.commune))
            if commune is None:
                known = ", ".join(db.scalars(select(Commune.slug)))
                raise ValueError(f"no commune {args.commune!r} (there are: {known})")
        db.add(
            User(
                username=args.username,
                password_hash=hash_password(password),
                role=Role(args.role),
                can_emergency=args.emergency,
                commune_id=commune.id if commune else None,
            )
        )
    where = f" of {args.commune}" if args.commune else ""
    print(f"added {args.role} {args.username}{where}")
    return 0
