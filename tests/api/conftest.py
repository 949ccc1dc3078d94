"""In-process fixtures: the service over a test catalog, driven by a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.settings import Settings
from tests.api.catalogs import DEPRECATED, snapshot_of, write_catalog

BETA_KEY = "beta-key-0123456789abcdef"
STAFF_KEY = "staff-key-0123456789abcdef"
PLAIN_KEY = "plain-key-0123456789abcdef"
KEYS = {BETA_KEY: ["beta"], STAFF_KEY: ["staff"], PLAIN_KEY: []}


class MovableClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_catalog(tmp_path)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(DEPRECATED)


@pytest.fixture
def settings() -> Settings:
    return Settings.load(audience_keys=KEYS)


@pytest.fixture
def state(catalog_dir: Path, clock: MovableClock) -> CatalogState:
    return CatalogState(snapshot_of(catalog_dir), clock)


@pytest.fixture
def app(settings: Settings, state: CatalogState) -> CatalogApp:
    return create_app(settings, state)


@pytest.fixture
async def client(app: CatalogApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
