"""``POST /api/v1/models/{id}/quote`` in process against the real app factory, ``?at=`` against
a real SQLite store, and ``modelcatalog quote --url`` against a real server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode, Origin
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.cli import app as cli
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.edits import patch_model

from .records import RECORDS

pytestmark = pytest.mark.anyio

BETA_KEY = "beta-key-for-quote-tests"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _snapshot() -> CatalogSnapshot:
    data = {name: {**RECORDS[name], "id": name} for name in RECORDS}
    data["text-beta"] = {**data["text"], "id": "text-beta"}
    data["text-beta"]["model_spec"] = {**data["text"]["model_spec"], "beta": True}
    data["text-gone"] = {**data["text"], "id": "text-gone"}
    data["text-gone"]["model_spec"] = {
        **data["text"]["model_spec"],
        "deprecation": {"autoRemap": False, "date": "2026-01-01T00:00:00Z",
                        "removesAt": "2026-02-01T00:00:00Z", "replacementModelId": "text"},
    }  # fmt: skip
    data["audio/slashed"] = {**data["asr"], "id": "audio/slashed"}
    source = CatalogSource(records=[SourceRecord(Origin(n), r) for n, r in data.items()])
    return CatalogSnapshot.from_checked(check_catalog(source, Mode.COMPATIBLE))


def _app(store: Store | None = None) -> CatalogApp:
    settings = Settings(audience_keys={BETA_KEY: ["beta"]})
    state = CatalogState(_snapshot() if store is None else store.snapshot(), lambda: NOW)
    return create_app(settings, state, store=store, groups=[quote_routes])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def post(client: httpx.AsyncClient, model: str, body: Any, **params: str) -> httpx.Response:
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post(f"/api/v1/models/{model}/quote", content=content, params=params)


async def test_quote_body(client: httpx.AsyncClient) -> None:
    response = await post(client, "gpt-image-2", {"resolution": "2K", "quality": "high"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "id": "gpt-image-2",
        "usd": "0.5",
        "diem": "0.5",
        "items": [
            {"name": "quality.2K.high", "quantity": "1", "unit": "images", "usd": "0.5",
             "diem": "0.5"},
        ],
        "at": {"requested": None, "version": body["at"]["version"], "from_history": False},
        "requested": "gpt-image-2",
        "via": [{"kind": "id", "from": "gpt-image-2", "to": "gpt-image-2"}],
    }  # fmt: skip
    assert body["at"]["version"]


async def test_decimals_in_the_body_stay_exact(client: httpx.AsyncClient) -> None:
    response = await post(client, "asr", '{"audio_seconds": 0.1}')
    assert response.json()["usd"] == "0.0000167"


async def test_empty_body_prices_the_defaults(client: httpx.AsyncClient) -> None:
    response = await post(client, "gpt-image-2", b"")
    assert response.json()["usd"] == "0.27"


async def test_model_ids_with_a_slash(client: httpx.AsyncClient) -> None:
    response = await post(client, "audio/slashed", {"audio_seconds": 10})
    assert response.status_code == 200 and response.json()["id"] == "audio/slashed"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"input_tokens": -5}, "input_tokens", "must not be negative"),
        ({"input_tokens": "5"}, "input_tokens", "must be a number"),
        ({"tokens": 5}, "tokens", "unknown usage field"),
        ('{"input_tokens": 5', None, "not valid JSON"),
        ("[]", None, "must be a JSON object"),
    ],
)
async def test_bad_usage_is_400_naming_the_field(
    client: httpx.AsyncClient, body: Any, field: str | None, words: str
) -> None:
    response = await post(client, "text", body)
    assert response.status_code == 400
    error = response.json()
    assert words in error["error"]
    assert error.get("details", {}).get("field") == field


async def test_bad_at_is_400(client: httpx.AsyncClient) -> None:
    response = await post(client, "text", {"input_tokens": 1}, at="last tuesday")
    assert response.status_code == 400
    assert response.json()["details"] == {"field": "at"}


@pytest.mark.parametrize(
    ("model", "body", "words"),
    [
        ("text", {"images": 1}, "no price for images"),
        ("text-no-ext-cache-read", {"input_tokens": 200001, "cache_read_tokens": 1},
         "pricing.extended.cache_input"),
        ("gpt-image-2", {"resolution": "8K"}, "pricing.quality.8K"),
        ("video", {"seconds": 5}, "no pricing variant"),
        ("text", {}, "nothing to price"),
    ],
)  # fmt: skip
async def test_unpriceable_is_422(
    client: httpx.AsyncClient, model: str, body: Any, words: str
) -> None:
    response = await post(client, model, body)
    assert response.status_code == 422
    assert words in response.json()["error"]


async def test_unknown_model_is_404(client: httpx.AsyncClient) -> None:
    response = await post(client, "no-such-model", {"input_tokens": 1})
    assert response.status_code == 404
    assert "no-such-model" in response.json()["error"]


async def test_beta_models_are_quoted_only_for_callers_who_see_them(
    client: httpx.AsyncClient,
) -> None:
    assert (await post(client, "text-beta", {"input_tokens": 1})).status_code == 404
    response = await client.post(
        "/api/v1/models/text-beta/quote",
        content=b'{"input_tokens": 100000}',
        headers={"authorization": f"Bearer {BETA_KEY}"},
    )
    assert response.status_code == 200 and response.json()["usd"] == "0.07"


async def test_removed_model_is_410_unless_priced_before_removal(
    client: httpx.AsyncClient,
) -> None:
    gone = await post(client, "text-gone", {"input_tokens": 1})
    assert gone.status_code == 410
    assert gone.json()["details"]["replacementModelId"] == "text"
    before = await post(client, "text-gone", {"input_tokens": 1000000}, at="2026-01-15T00:00:00Z")
    assert before.status_code == 200
    assert before.json()["at"] == {
        "requested": "2026-01-15T00:00:00Z",
        "version": before.json()["at"]["version"],
        "from_history": False,
    }


async def test_at_prices_with_the_catalog_as_it_stood(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.seed(BUNDLED_CATALOG)
        time.sleep(0.01)
        between = datetime.now(UTC)
        time.sleep(0.01)
        raised = {"model_spec": {"pricing": {"quality": {"1K": {"high": {"usd": 0.3, "diem": 3}}}}}}
        store.commit(patch_model("gpt-image-2", raised), author="test", message="price rise")
        transport = httpx.ASGITransport(app=_app(store))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            now = await post(client, "gpt-image-2", {})
            then = await post(client, "gpt-image-2", {}, at=between.isoformat())
            too_early = await post(client, "gpt-image-2", {}, at="2000-01-01T00:00:00Z")
    assert (now.json()["usd"], now.json()["diem"]) == ("0.3", "3")
    assert then.json()["usd"] == "0.27"
    assert then.json()["at"]["from_history"] is True
    assert then.json()["at"]["version"] != now.json()["at"]["version"]
    assert too_early.status_code == 404 and "no version as early" in too_early.json()["error"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 10 s")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["text", "--input-tokens", "200001", "--output-tokens", "1000"], 0, '"usd": "2.241261"'),
        (["audio/slashed", "--audio-seconds", "0.5"], 0, '"usd": "0.0000835"'),
        (["text", "--images", "1"], 1, "422 images: a token-priced model has no price"),
        (["nope", "--input-tokens", "1"], 1, "404 Model not found: nope"),
        (["text-gone", "--input-tokens", "1"], 1, "410 Model text-gone was removed"),
    ],
)
def test_cli_against_a_running_service(
    server_url: str, args: list[str], code: int, words: str
) -> None:
    result = CliRunner().invoke(cli, ["quote", *args, "--url", server_url, "--json"])
    assert result.exit_code == code
    assert words in " ".join((result.stdout + result.stderr).split())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
