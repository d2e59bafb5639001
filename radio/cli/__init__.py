"""The `radio` command line. Each submodule adds its commands to one argparse tree."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import httpx

from radio.cli import (
    bench,
    cache,
    demo,
    live,
    normalize,
    openapi,
    receiver,
    serve,
    speech,
    voices,
)
from radio.malloc import return_large_buffers
from radio.settings import Settings
from voices import DownloadError, EmptyTextError, SynthesisError, VoiceError

Handler = Callable[[argparse.Namespace, Settings], int]


# Errors that mean "the input or the environment is wrong", reported in one line; anything
# else is a bug and keeps its traceback.
_EXPECTED = (
    httpx.HTTPError,
    VoiceError,
    DownloadError,
    SynthesisError,
    EmptyTextError,
    OSError,
    ValueError,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="radio", description="Loa Xã: đài truyền thanh xã thông minh (smart commune radio)."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo.register(commands)
    speech.register(commands)
    normalize.register(commands)
    voices.register(commands)
    cache.register(commands)
    serve.register(commands)
    receiver.register(commands)
    live.register(commands)
    bench.register(commands)
    openapi.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return_large_buffers()  # before the first large array: servers, workers and benches alike
    handler: Handler = args.handler
    try:
        return handler(args, Settings.from_env())
    except _EXPECTED as exc:
        print(f"radio: error: {_describe(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("radio: interrupted", file=sys.stderr)
        return 130


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
