"""A real HTTP file server on loopback for download tests: honours Range requests and can
be told to cut a connection part-way, as a commune's link does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Files:
    content: dict[str, bytes] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)  # path -> bytes, one time
    honour_range: bool = True
    requests: list[tuple[str, str | None]] = field(default_factory=list)


@contextmanager
def serve(files: Files) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            files.requests.append((path, self.headers.get("Range")))
            body = files.content.get(path)
            if body is None:
                self.send_error(404)
                return
            start = 0
            byte_range = self.headers.get("Range")
            if byte_range and files.honour_range:
                start = int(byte_range.removeprefix("bytes=").split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            cut = files.cut_after.pop(path, None)
            end = len(body) if cut is None else start + cut
            self.wfile.write(body[start:end])
            if cut is not None:
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
