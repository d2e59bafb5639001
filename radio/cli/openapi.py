"""`radio openapi [-o FILE]`: the REST API's OpenAPI document, as `radio serve` publishes it
at /openapi.json (docs/openapi.json is this, regenerated and checked by the tests)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from radio.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    command = commands.add_parser("openapi", help="write the API's OpenAPI document")
    command.add_argument("-o", "--output", type=Path, help="write to this file (default: stdout)")
    command.set_defaults(handler=run_openapi)


def document() -> str:
    """The document of the application as `radio serve` runs it (playout in-process), made
    on a throwaway installation: it depends on the routes alone."""
    from radio.onair import OnAir
    from radio.services import build
    from radio.web.app import create_app

    with tempfile.TemporaryDirectory() as home:
        services = build(Settings.from_env({"RADIO_DATA_DIR": home}))
        try:
            spec = create_app(services, OnAir(services.scheduler)).openapi()
        finally:
            services.close()
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def run_openapi(args: argparse.Namespace, settings: Settings) -> int:
    text = document()
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, "utf-8")
        print(f"{args.output}: {len(json.loads(text)['paths'])} paths")
    return 0
