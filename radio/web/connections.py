"""Connections a server accepts: a deadline for a request's headers and a cap on how many
are open at once.

uvicorn drops an idle keep-alive connection, but not one that keeps sending a byte of
headers now and then: a few hundred such clients (slowloris) hold every file descriptor
and the station's API and streams with them. Here every request's headers must be
complete within HEADER_TIMEOUT_S of the connection opening (or of the previous response
ending), and past `max_connections` open at once the server answers 503 at once instead
of running out of descriptors (uvicorn's `limit_concurrency`, from the settings).

A live stream takes its connection over (`TAKE_OVER` in the request's scope): the route
answers 200 itself and the zone's channel then writes to the socket directly, with no
task, queue or ASGI message per chunk (`playout.listeners.StreamListener`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string
from uvicorn.server import ServerState

HEADER_TIMEOUT_S = 10.0
TAKE_OVER = "loaxa.take_over"  # in a request's scope: TakeOver, where the server offers it

Headers = list[tuple[bytes, bytes]]
TakeOver = Callable[[Headers, Callable[[], None]], asyncio.Transport | None]

log = logging.getLogger(__name__)


class HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers are not
    complete in time, and offering a live stream its connection (`take_over`)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, object],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._deadline: asyncio.TimerHandle | None = None
        self._on_lost: Callable[[], None] | None = None
        self._taken = False  # by a live stream: h11 knows nothing of what is sent

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the headers are in
            self._disarm()
        if self.cycle is not None:  # the request's task has not run yet
            self.cycle.scope.setdefault(TAKE_OVER, self.take_over)  # type: ignore[misc]

    def take_over(self, headers: Headers, on_lost: Callable[[], None]) -> asyncio.Transport | None:
        """Answer 200 with `headers`, a body until the connection closes, and hand the
        connection to the caller; `on_lost` runs when it closes. None if it is gone."""
        cycle = self.cycle
        if cycle is None or cycle.response_started or self.transport.is_closing():
            return None
        cycle.response_started = cycle.response_complete = True  # uvicorn sends nothing more
        cycle.keep_alive = False
        every = [*self.server_state.default_headers, *headers, (b"connection", b"close")]
        head = [b"HTTP/1.1 200 OK", *(name + b": " + value for name, value in every)]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n")
        self._on_lost, self._taken = on_lost, True
        if cycle.access_log:
            scope = cycle.scope
            cycle.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                get_client_addr(scope),
                scope["method"],
                get_path_with_query_string(scope),
                scope["http_version"],
                200,
            )
        return self.transport

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request's headers have the same time

    def shutdown(self) -> None:
        """The server stops: a taken-over stream is closed (after what it has buffered)."""
        if self._taken:
            self.transport.close()
            return
        super().shutdown()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
        on_lost, self._on_lost = self._on_lost, None
        if on_lost is not None:
            on_lost()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.info(
                "closed %s: no complete request headers in %.0f s", self.client, HEADER_TIMEOUT_S
            )
            self.transport.close()
