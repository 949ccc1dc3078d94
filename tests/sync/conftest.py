"""A Venice-compatible upstream on the loopback that tests mutate between syncs, and stores."""

from __future__ import annotations

import copy
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from modelcatalog.api import build_service
from modelcatalog.settings import Settings, SyncRules, SyncSettings, SyncSource
from modelcatalog.store import Store
from modelcatalog.store import keys as store_keys
from modelcatalog.sync import run_sync
from tests.store.conftest import pg_database, pg_url, store_location  # noqa: F401 (fixtures)
from tests.store.factory import text_model


@dataclass
class Upstream:
    """Serves ``GET /api/v1/models`` from ``models``; ``status`` other than 200 answers that
    status, ``stall`` holds every answer until the test ends (a timeout)."""

    url: str
    models: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    stall: threading.Event | None = None
    requests: int = 0

    def model(self, model_id: str) -> dict[str, Any]:
        return next(m for m in self.models if m["id"] == model_id)

    def body(self) -> bytes:
        return orjson.dumps({"data": self.models, "object": "list", "type": "all"})


def _handler(upstream: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            upstream.requests += 1
            if upstream.stall is not None:
                upstream.stall.wait(30)
            body = upstream.body() if upstream.status == 200 else b'{"error": "upstream down"}'
            self.send_response(upstream.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    found = Upstream("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/models"
    found.models = [copy.deepcopy(text_model(f"model-{i}", usd_in=1.0 + i)) for i in range(6)]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        if found.stall is not None:
            found.stall.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sync_settings(url: str, **rules: Any) -> SyncSettings:
    """One Venice source at ``url``, a short timeout, and ``rules`` over the defaults."""
    source = SyncSource(name="upstream", kind="venice", url=url)
    return SyncSettings(sources=[source], timeout=2.0, rules=SyncRules(**rules))


@pytest.fixture
def store(store_location: dict[str, Any]) -> Iterator[Store]:  # noqa: F811
    """A fresh store on SQLite and on PostgreSQL."""
    with Store.open(**store_location) as opened:
        yield opened


@dataclass
class Admin:
    """The store-backed service in process, with an admin key."""

    client: httpx.AsyncClient
    headers: dict[str, str]


@pytest.fixture
async def admin(store: Store, upstream: Upstream, tmp_path: Path) -> AsyncIterator[Admin]:
    """The service on ``store`` after a first sync of ``upstream`` (version 1)."""
    (first,) = run_sync(store, sync_settings(upstream.url)).sources
    assert first.version == 1, first.message
    app = build_service(Settings(data_dir=tmp_path / "unused"), store=store)
    _, token = store_keys.create_key(store, "operator-7", admin=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield Admin(client, {"authorization": f"Bearer {token}"})
