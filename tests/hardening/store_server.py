"""A real ``modelcatalog serve`` on a fresh SQLite ``--data-dir`` with an admin key, and the
one check every refused write must pass: the catalog's version and ETag do not move."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.store.servers import Server, run_cli


@dataclass
class StoreServer:
    server: Server
    data_dir: Path
    token: str

    @property
    def client(self) -> httpx.Client:
        return self.server.client

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def send(
        self, method: str, path: str, body: Any = None, **headers: str | bytes
    ) -> httpx.Response:
        content = body if isinstance(body, str | bytes) or body is None else orjson.dumps(body)
        # httpx takes str and bytes values alike; its type names one kind per mapping.
        merged: dict[str, Any] = {**self.auth, **headers}
        return self.client.request(method, path, content=content, headers=merged)

    def state(self) -> tuple[int, str, str]:
        """(head version from /admin/v1/versions, its ETag, the public listing's ETag)."""
        versions = self.send("GET", "/admin/v1/versions?limit=1")
        assert versions.status_code == 200, versions.text
        listing = self.client.get("/api/v1/models")
        assert listing.status_code == 200, listing.text
        head = int(versions.json()["data"][0]["version"])
        return head, versions.headers["etag"], listing.headers["etag"]

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """Assert that whatever runs inside leaves the catalog's version and ETags alone."""
        before = self.state()
        yield
        assert self.state() == before, "a refused write changed the catalog"


def admin_key(data_dir: Path, name: str = "ops") -> str:
    done = run_cli("keys", "create", name, "--admin", "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    return str(orjson.loads(done.stdout)["key"])


@contextmanager
def store_server(
    base: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[StoreServer]:
    """A server seeded with the bundled catalog on a new data directory under ``base``."""
    data_dir = base / "data"
    token = admin_key(data_dir)
    server = Server("--data-dir", str(data_dir), *args, log=base / "server.log", env=env)
    try:
        server.wait_ready()
        yield StoreServer(server, data_dir, token)
    finally:
        server.stop()
