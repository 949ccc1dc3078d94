"""The quote route as ``modelcatalog serve`` mounts it: from a catalog file, and from the store
(store-issued keys, ``?at=`` from the version history), over real HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from modelcatalog.api import CatalogApp, build_service
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.edits import patch_model
from modelcatalog.store.keys import create_key

BETA_MODEL = "llama-3.2-3b"
QUOTE = f"/api/v1/models/{BETA_MODEL}/quote"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def serving() -> Iterator[object]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: CatalogApp) -> str:
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start within 10 s"
            time.sleep(0.01)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def test_served_from_a_catalog_file(serving: object) -> None:
    base = serving(build_service(Settings(catalog=BUNDLED_CATALOG)))  # type: ignore[operator]
    response = httpx.post(f"{base}/api/v1/models/gpt-image-2/quote", json={"quality": "low"})
    assert response.status_code == 200
    assert response.json()["usd"] == "0.02"
    assert response.json()["at"]["from_history"] is False


def test_served_from_the_store(serving: object, tmp_path: Path) -> None:
    with Store.open(tmp_path, seed=BUNDLED_CATALOG) as store:
        time.sleep(0.01)
        before = datetime.now(UTC)
        time.sleep(0.01)
        store.commit(
            patch_model(BETA_MODEL, {"model_spec": {"beta": True}}), author="t", message="beta"
        )
        _, token = create_key(store, "tester", beta=True)
    base = serving(build_service(Settings(data_dir=tmp_path)))  # type: ignore[operator]
    usage = {"input_tokens": 1000000}
    anonymous = httpx.post(base + QUOTE, json=usage)
    keyed = httpx.post(base + QUOTE, json=usage, headers={"authorization": f"Bearer {token}"})
    dated = httpx.post(base + QUOTE, json=usage, params={"at": before.isoformat()})
    assert anonymous.status_code == 404
    assert keyed.status_code == 200
    # Before the model became beta, anyone could see (and quote) it, from that version.
    assert dated.status_code == 200
    assert dated.json()["usd"] == keyed.json()["usd"]
    assert dated.json()["at"]["from_history"] is True
    assert dated.json()["at"]["version"] == "1"
    assert keyed.json()["at"]["version"] == "2"
