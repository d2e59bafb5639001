"""How much synthesis one user may ask for. Any signed-in user may preview, and a preview
of a new text synthesizes it: a script with a session could keep the engines and the
disk busy for every other commune. Each user may have PREVIEWS new renders in WINDOW;
listening again to what was rendered costs nothing and is never counted."""

from __future__ import annotations

import math
import threading
from collections import deque
from datetime import datetime, timedelta

from radio.errors import Throttled

PREVIEWS = 30
WINDOW = timedelta(minutes=10)


class RenderQuota:
    """New renders per user, counted in this process (one API process serves a province:
    a second one would let a user have twice as many)."""

    def __init__(self, limit: int = PREVIEWS, window: timedelta = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._renders: dict[int, deque[datetime]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: int, now: datetime) -> None:
        """Count one new render for the user, or refuse it (429 saying how long to wait)."""
        with self._lock:
            renders = self._renders.setdefault(user_id, deque())
            while renders and now - renders[0] >= self.window:
                renders.popleft()
            if len(renders) >= self.limit:
                wait = max(1, math.ceil((renders[0] + self.window - now).total_seconds() / 60))
                raise Throttled(
                    f"{self.limit} new previews in {_minutes(self.window)} minutes is the most"
                    f" one user may ask for: try again in {wait} minutes",
                    f"mỗi người chỉ được nghe thử {self.limit} bản mới trong"
                    f" {_minutes(self.window)} phút: hãy thử lại sau {wait} phút",
                )
            renders.append(now)


def _minutes(span: timedelta) -> int:
    return round(span.total_seconds() / 60)
