"""Running an app under uvicorn: in the foreground (`radio serve`, `radio worker`) or on a
thread (the demo, the fuzzer and the tests), and stopping it even while loudspeakers
listen."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from playout import Playout
from radio.settings import MAX_CONNECTIONS
from radio.web.connections import HeaderDeadline

# How long requests under way may take to finish once the server is asked to stop.
GRACE_S = 10


class Server(uvicorn.Server):
    """uvicorn that hangs up on the live streams when asked to stop: they never end by
    themselves, and uvicorn waits for every connection to close before it stops."""

    def __init__(self, app: FastAPI, host: str, port: int, log_level: str) -> None:
        services = getattr(app.state, "services", None)
        trusted = services.settings.trusted_proxies if services is not None else ""
        limit = services.settings.max_connections if services is not None else MAX_CONNECTIONS
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=GRACE_S,
            # forwarded headers only from the proxies the operator names
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted or None,
            http=HeaderDeadline,
            limit_concurrency=limit,
        )
        super().__init__(config)
        onair = getattr(app.state, "onair", None)
        self.playout: Playout | None = onair.playout if onair is not None else None

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.playout is not None:
            self.playout.hang_up()
        await super().shutdown(sockets)


def run(app: FastAPI, host: str, port: int) -> None:
    """The app in the foreground until SIGINT or SIGTERM (`radio serve`, `radio worker`)."""
    Server(app, host, port, "info").run()


@contextmanager
def serving(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """uvicorn on a thread (port 0: a free one) until the block ends; yields the base URL."""
    server = Server(app, host, port, "warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"the server did not start on {host}:{port} (is the port taken?)")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
