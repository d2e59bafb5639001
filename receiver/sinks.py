"""Where a loudspeaker's audio goes: a file (a recorder of what it would say) or a stock
player reading MP3 on its standard input."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import IO, Protocol

PLAYERS = (
    "mpv --no-video --really-quiet -",
    "ffplay -nodisp -loglevel error -",
    "mpg123 -q -",
    "cvlc --quiet -",
)


class ReceiverError(Exception):
    """The server refused this receiver, or its sink failed: retrying will not help."""


class Sink(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class FileSink:
    """Appends the audio to a file, as a recorder of what the loudspeaker would say."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("ab")

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class PlayerSink:
    """Feeds the audio to a player reading MP3 on its standard input."""

    def __init__(self, command: str | None) -> None:
        self._process = subprocess.Popen(
            shlex.split(command or find_player()), stdin=subprocess.PIPE
        )
        assert self._process.stdin is not None
        self._stdin: IO[bytes] = self._process.stdin

    def write(self, data: bytes) -> None:
        try:
            self._stdin.write(data)
            self._stdin.flush()
        except BrokenPipeError:
            raise ReceiverError("the audio player stopped") from None

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._stdin.close()
        self._process.wait(30)


def find_player() -> str:
    for command in PLAYERS:
        if shutil.which(command.split()[0]):
            return command
    raise ValueError("no audio player found: install mpv, ffplay or mpg123, or give --player")
