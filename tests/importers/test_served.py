"""The whole LiteLLM map, imported, serves: listing, retrieval and exact quotes in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from modelcatalog.api.service import build_app
from modelcatalog.catalog.findings import Mode, Origin
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.importers import ImportOptions, import_catalog
from modelcatalog.settings import Settings
from tests.importers.litellm_map import ALL_DEFAULTS, entries, providers, raw_map

pytestmark = pytest.mark.anyio
#: Before every deprecation_date in the map, so that every imported model is listed.
NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def snapshot() -> CatalogSnapshot:
    options = ImportOptions(defaults=ALL_DEFAULTS, accepted_owned_by=providers())
    result = import_catalog("litellm", raw_map(), options)
    source = CatalogSource(
        records=[SourceRecord(Origin("litellm", m["id"]), m) for m in result.models]
    )
    return CatalogSnapshot.from_checked(check_catalog(source, Mode.STRICT, owned_by=providers()))


@pytest.fixture
async def client(snapshot: CatalogSnapshot) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(Settings.load(now=NOW), snapshot)  # as serve builds it
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


async def test_every_text_model_is_listed(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/models", params={"type": "text"})
    assert answer.status_code == 200
    chat = sum(1 for e in entries().values() if e.get("mode") in {"chat", "responses"})
    assert len(answer.json()["data"]) == chat


async def test_all_types_are_listed(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/models", params={"type": "all"})
    assert answer.status_code == 200
    assert {m["type"] for m in answer.json()["data"]} == {
        "text",
        "embedding",
        "image",
        "asr",
        "tts",
        "video",
    }


@pytest.mark.parametrize("model_id", ["gpt-4o", "deepseek/deepseek-chat", "o3"])
async def test_a_quote_is_the_files_prices_exactly(
    client: httpx.AsyncClient, model_id: str
) -> None:
    entry = entries()[model_id]
    usage = {"input_tokens": 123_457, "output_tokens": 9_876}
    answer = await client.post(f"/api/v1/models/{model_id}/quote", json=usage)
    assert answer.status_code == 200, answer.text
    expected = (
        entry["input_cost_per_token"] * usage["input_tokens"]
        + entry["output_cost_per_token"] * usage["output_tokens"]
    )
    assert Decimal(answer.json()["usd"]) == expected


async def test_a_long_context_request_is_priced_at_the_files_tier(
    client: httpx.AsyncClient,
) -> None:
    entry = entries()["gemini/gemini-2.5-pro"]
    usage = {"input_tokens": 250_000, "output_tokens": 1_000}
    answer = await client.post("/api/v1/models/gemini/gemini-2.5-pro/quote", json=usage)
    assert answer.status_code == 200, answer.text
    expected = (
        entry["input_cost_per_token_above_200k_tokens"] * 250_000
        + entry["output_cost_per_token_above_200k_tokens"] * 1_000
    )
    assert Decimal(answer.json()["usd"]) == expected


async def test_a_model_without_a_price_is_refused_never_free(client: httpx.AsyncClient) -> None:
    unpriced = next(
        k
        for k, e in entries().items()
        if e.get("mode") == "chat"
        and "input_cost_per_token" not in e
        and "output_cost_per_token" not in e
        and not e.get("deprecation_date")
    )
    listed = await client.get(f"/api/v1/models/{unpriced}")
    assert listed.status_code == 200
    answer = await client.post(f"/api/v1/models/{unpriced}/quote", json={"input_tokens": 10})
    assert answer.status_code == 422
    assert "has no pricing" in answer.json()["error"]
