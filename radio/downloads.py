"""Voice downloads started from the console or the API: one at a time per voice, on a
thread of their own, with progress anyone signed in can follow."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from voices import Catalog, DownloadError, VoiceError


@dataclass
class Pull:
    """A voice download in progress (or finished) on this server."""

    done: int = 0
    total: int = 0
    state: str = "running"  # "running", "installed" or "failed"
    error: str = ""


class VoicePulls:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._pulls: dict[str, Pull] = {}
        self._lock = threading.Lock()

    def start(self, voice_id: str) -> tuple[Pull, bool]:
        """The download of the voice, started now unless one is already running; and
        whether it was started by this call."""
        with self._lock:
            running = self._pulls.get(voice_id)
            if running is not None and running.state == "running":
                return running, False
            self._pulls[voice_id] = pull = Pull()
        threading.Thread(target=self._download, args=(voice_id, pull), daemon=True).start()
        return pull, True

    def progress(self, voice_id: str) -> Pull | None:
        return self._pulls.get(voice_id)

    def _download(self, voice_id: str, pull: Pull) -> None:
        def report(done: int, total: int) -> None:
            pull.done, pull.total = done, total

        try:
            self.catalog.pull(voice_id, report)
            pull.state = "installed"
        except (DownloadError, VoiceError, OSError) as exc:
            pull.state, pull.error = "failed", str(exc)
