"""``?at=`` means one thing on reads, resolutions and quotes: the same catalog, the same errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from modelcatalog.api import CatalogState, create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.settings import Settings
from tests.api.catalogs import RETIRING, SUCCESSOR

pytestmark = pytest.mark.anyio

#: Before and after RETIRING's removal (the test clock stands at its deprecation).
BEFORE, AFTER = "2027-01-15T00:00:00Z", "2027-02-02T00:00:00+01:00"
USAGE = {"input_tokens": 1000}


@pytest.fixture
async def client(settings: Settings, state: CatalogState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, state, groups=[quote_routes])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


async def _read_and_quote(
    client: httpx.AsyncClient, at: str
) -> tuple[httpx.Response, httpx.Response, httpx.Response]:
    read = await client.get(f"/api/v1/models/{RETIRING}", params={"at": at})
    resolved = await client.get("/api/v1/models/resolve", params={"model": RETIRING, "at": at})
    quoted = await client.post(f"/api/v1/models/{RETIRING}/quote", params={"at": at}, json=USAGE)
    return read, resolved, quoted


async def test_a_future_instant_before_a_removal_serves_the_model_everywhere(
    client: httpx.AsyncClient,
) -> None:
    read, resolved, quoted = await _read_and_quote(client, BEFORE)
    assert (read.status_code, resolved.status_code, quoted.status_code) == (200, 200, 200)
    assert quoted.json()["id"] == RETIRING
    assert quoted.json()["at"]["from_history"] is False  # not yet past: no history


async def test_a_future_instant_after_a_removal_is_seen_alike_everywhere(
    client: httpx.AsyncClient,
) -> None:
    read, resolved, quoted = await _read_and_quote(client, AFTER)
    assert read.status_code == 410
    assert read.json()["details"]["removedAt"] == "2027-02-01T00:00:00.000Z"
    # The name resolves, for the resolution and the quote alike, by the removed model's
    # autoRemap to its successor.
    assert resolved.json()["model"]["id"] == quoted.json()["id"] == SUCCESSOR


@pytest.mark.parametrize("at", ["yesterday", "9999-12-31T23:59:59-01:00", ""])
async def test_a_bad_instant_is_the_same_400_everywhere(client: httpx.AsyncClient, at: str) -> None:
    responses = await _read_and_quote(client, at)
    assert {r.status_code for r in responses} == {400}
    assert {r.content for r in responses} == {responses[0].content}
    assert responses[0].json()["details"] == {"field": "at"}
