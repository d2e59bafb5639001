"""`radio openapi [-o FILE]`: the REST API's OpenAPI document, as `radio serve` publishes it
at /openapi.json (docs/openapi.json is this, regenerated and checked by the tests)."""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from radio.settings import Settings


def register(commands: argparse._SubParsersAction[Any]) -> None:
    command = commands.add_parser("openapi", help="write the API's OpenAPI document")
    command.add_argument("-o", "--output", type=Path, help="write to this file (default: stdout)")
    command.add_argument(
        "--federation",
        action="store_true",
        help="only the exchange between linked installations (docs/federation.openapi.json)",
    )
    command.set_defaults(handler=run_openapi)


SIGNED = (
    "Requests between linked installations, except enrol, carry X-Loaxa-Link (the "
    "receiver's id for the link), X-Loaxa-Time (Unix seconds, within 5 minutes), "
    "X-Loaxa-Nonce (32 hex digits, never reused) and X-Loaxa-Signature: hex "
    "HMAC-SHA256 with the link's key over METHOD, PATH, TIME, NONCE and the body's "
    "SHA-256 (hex), joined by newlines. See docs/federation.md."
)


def federation(spec: dict[str, Any]) -> dict[str, Any]:
    """The federation paths alone, with the schemas they reach: what another vendor's
    system implements to be either end of a link."""
    paths = {p: v for p, v in spec["paths"].items() if p.startswith("/api/federation/")}
    schemas = spec["components"]["schemas"]
    kept: dict[str, Any] = {}
    pending = [json.dumps(paths)]
    while pending:
        for name in re.findall(r'#/components/schemas/([\w.-]+)"', pending.pop()):
            if name not in kept:
                kept[name] = schemas[name]
                pending.append(json.dumps(schemas[name]))
    info = {**spec["info"], "title": "Loa Xã federation exchange", "description": SIGNED}
    return {**spec, "info": info, "paths": paths, "components": {"schemas": kept}}


def document(only_federation: bool = False) -> str:
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
    if only_federation:
        spec = federation(spec)
    return json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def run_openapi(args: argparse.Namespace, settings: Settings) -> int:
    text = document(args.federation)
    if args.output is None:
        print(text, end="")
    else:
        args.output.write_text(text, "utf-8")
        print(f"{args.output}: {len(json.loads(text)['paths'])} paths")
    return 0
