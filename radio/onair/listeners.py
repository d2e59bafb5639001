"""The open streams of each receiver, so that revoking one ends its streams within a
second (a revoked loudspeaker must not keep hearing the commune)."""

from __future__ import annotations

from collections.abc import Callable

from playout import Listener

Drop = Callable[[str, Listener], None]  # end one listener's stream on a zone


class Listeners:
    def __init__(self, drop: Drop) -> None:
        self._drop = drop
        self._open: dict[int, set[tuple[str, Listener]]] = {}

    def joined(self, receiver_id: int, zone: str, listener: Listener) -> None:
        self._open.setdefault(receiver_id, set()).add((zone, listener))

    def left(self, receiver_id: int, zone: str, listener: Listener) -> None:
        streams = self._open.get(receiver_id)
        if streams is not None:
            streams.discard((zone, listener))
            if not streams:
                del self._open[receiver_id]

    def ids(self) -> list[int]:
        return list(self._open)

    def hang_up(self, receiver_id: int) -> None:
        for zone, listener in self._open.pop(receiver_id, set()):
            self._drop(zone, listener)
