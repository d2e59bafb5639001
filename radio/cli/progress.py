"""A download progress bar on standard error: redrawn in place on a terminal, a line per
tenth in a log, so that CI logs and scripts are not flooded."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

_WIDTH = 30


class ProgressBar:
    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.stream = stream
        self.interactive = stream.isatty()
        self._last_tenth = -1
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.interactive:
            filled = round(share * _WIDTH)
            bar = "#" * filled + "." * (_WIDTH - filled)
            self.stream.write(
                f"\r{self.label} [{bar}] {share:4.0%} {done / 1e6:.1f}/{total / 1e6:.1f} MB"
            )
            self._drawn = True
        elif int(share * 10) > self._last_tenth:
            self._last_tenth = int(share * 10)
            self.stream.write(f"{self.label}: {share:.0%} of {total / 1e6:.1f} MB\n")
        self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._drawn:
            self.stream.write("\n")
