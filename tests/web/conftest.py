"""The browser's pages in process: over the API tests' catalog file, and over a store that
has a history (a repricing and a retirement after the seed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelcatalog.api import CatalogApp, CatalogState, build_service, create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.lifecycle import frozen_clock
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.document import CatalogDocument
from modelcatalog.web import page_routes
from tests.api.catalogs import DEPRECATED, snapshot_of, write_catalog
from tests.api.conftest import KEYS

REPRICED = "claude-opus-4-6"
RETIRED = "llama-3.3-70b"
REPLACEMENT = "zai-org-glm-5-2"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def file_app(root: Path) -> CatalogApp:
    settings = Settings.load(audience_keys=KEYS)
    state = CatalogState(snapshot_of(write_catalog(root)), frozen_clock(DEPRECATED))
    return create_app(settings, state, groups=[quote_routes, page_routes])


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The pages over the API tests' catalog file (no history), at an instant when
    ``qwen3-next-80b`` is deprecated."""
    transport = httpx.ASGITransport(app=file_app(tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


def reprice(document: CatalogDocument) -> CatalogDocument:
    record: dict[str, Any] = document.model(REPRICED) or {}
    spec = {**record["model_spec"]}
    spec["pricing"] = {**spec["pricing"], "input": {"usd": 5, "diem": 5}}
    return document.with_model({**record, "model_spec": spec})


def retire(document: CatalogDocument) -> CatalogDocument:
    record: dict[str, Any] = document.model(RETIRED) or {}
    deprecation = {
        "autoRemap": False,
        "date": "2030-01-01T00:00:00Z",
        "removesAt": "2030-01-01T00:00:00Z",
        "replacementModelId": REPLACEMENT,
    }
    return document.with_model(
        {**record, "model_spec": {**record["model_spec"], "deprecation": deprecation}}
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data", seed=BUNDLED_CATALOG)
    opened.commit(reprice, author="test", message="reprice")
    opened.commit(retire, author="test", message="retire")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
async def store_client(tmp_path: Path, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """The pages of a store-backed service whose store has three versions."""
    settings = Settings.load(audience_keys=KEYS, data_dir=tmp_path / "data", now=DEPRECATED)
    app = build_service(settings, store=store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c
