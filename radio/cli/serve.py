"""`radio serve` (API and scheduler) and `radio user add` (the first operator)."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from radio.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    serve = commands.add_parser("serve", help="run the API, console and scheduler")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=run_serve)

    user = commands.add_parser("user", help="manage users from the server's shell")
    sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a user (the password is asked, or RADIO_PASSWORD)")
    add.add_argument("username")
    add.add_argument("--role", choices=["officer", "reviewer", "operator"], required=True)
    add.add_argument("--emergency", action="store_true", help="may make emergency broadcasts")
    add.set_defaults(handler=run_user_add)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from radio.api import create_app
    from radio.onair import OnAir
    from radio.server import build

    services, _engine = build(settings)
    print(f"Loa Xã: http://{args.host}:{args.port}/docs (data in {settings.data_dir})")
    app = create_app(services, OnAir(services.scheduler))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def run_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from radio.auth import hash_password
    from radio.models import Role, User
    from radio.server import build

    password = os.environ.get("RADIO_PASSWORD") or getpass.getpass("password: ")
    services, _engine = build(settings)
    with services.sessions.begin() as db:
        if db.scalar(select(User).where(User.username == args.username)):
            raise ValueError(f"user {args.username!r} exists")
        db.add(
            User(
                username=args.username,
                password_hash=hash_password(password),
                role=Role(args.role),
                can_emergency=args.emergency,
            )
        )
    print(f"added {args.role} {args.username}")
    return 0
