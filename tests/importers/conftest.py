"""A loopback HTTP server that serves what a test tells it to, for importing over http."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Upstream:
    """What the loopback server answers: ``routes`` maps a path to (status, body)."""

    url: str
    routes: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    #: Set to hold every answer until the test releases it (a timeout, without sleeping).
    release: threading.Event = field(default_factory=threading.Event)

    def serve(self, path: str, body: bytes, status: int = 200) -> str:
        self.routes[path] = (status, body)
        return self.url + path


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    state = Upstream("")
    state.release.set()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.release.wait()
            status, body = state.routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
