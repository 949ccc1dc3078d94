"""Servers the client tests talk to: a real ``modelcatalog serve``, and captured live
responses served as they are by a static loopback server (another Venice-compatible endpoint).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import Server, start_server

CAPTURES = ROOT / "tests" / "fixtures" / "venice-captures"
#: The bundled catalog served at this instant: qwen3-next-80b and zai-org-glm-4.7 are
#: deprecated and listed; the first is removed with autoRemap on 2027-02-01, the second
#: without it on 2027-03-01.
NOW = "2026-12-01"


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A store-backed server seeded with the bundled catalog, its clock frozen at NOW."""
    root = tmp_path_factory.mktemp("client")
    server = start_server(root, "--data-dir", str(root / "data"), "--now", NOW)
    yield server
    server.stop()


@dataclass
class Static:
    url: str
    requests: list[tuple[str, str | None]]
    models: list[dict[str, Any]]
    traits: dict[str, str]
    aliases: dict[str, str]


def captured() -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    """A captured text listing, with the other types' captured entries, and captured traits
    and compatibility mapping bodies."""
    text = json.loads((CAPTURES / "corre_venice_models_text_2026-03-03.json").read_text())
    cpp = json.loads(
        (CAPTURES / "venice-cpp_captured_entries_2026-07-28_and_08-11.json").read_text()
    )
    others = [e for e in cpp["model_entries"].values() if e["type"] != "text"]
    traits = cpp["traits_body"]["data"]
    aliases = cpp["compatibility_mapping_body"]["data"]
    return [*text["data"], *others], traits, aliases


@pytest.fixture(scope="module")
def static_server() -> Iterator[Static]:
    """Captured bodies served as they are, with ETags, as a Venice-compatible endpoint."""
    models, traits, aliases = captured()
    requests: list[tuple[str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            kind = parse_qs(url.query).get("type", ["text"])[0]
            requests.append((self.path, self.headers.get("if-none-match")))
            if url.path == "/api/v1/models":
                chosen = [m for m in models if kind == "all" or m["type"] == kind]
                body: dict[str, Any] = {"data": chosen, "object": "list", "type": kind}
            elif url.path in ("/api/v1/models/traits", "/api/v1/models/compatibility_mapping"):
                data = traits if url.path.endswith("traits") else aliases
                body = {"data": data if kind == "text" else {}, "object": "list", "type": kind}
            else:
                self._send(404, b'{"error": "Not found"}', None)
                return
            raw = json.dumps(body).encode()
            etag = '"' + hashlib.sha256(raw).hexdigest()[:16] + '"'
            if self.headers.get("if-none-match") == etag:
                self._send(304, b"", etag)
            else:
                self._send(200, raw, etag)

        def _send(self, status: int, body: bytes, etag: str | None) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            if etag:
                self.send_header("etag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Static(f"http://127.0.0.1:{httpd.server_port}", requests, models, traits, aliases)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
