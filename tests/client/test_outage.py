"""A gateway keeps routing through a catalog outage: the client serves its last good copies,
from memory or from its cache file, and says how old they are."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from modelcatalog.client import AsyncCatalog, Catalog, Resolver
from modelcatalog.errors import ServiceUnavailable
from tests.e2e.conftest import start_server

pytestmark = pytest.mark.e2e


def test_the_client_keeps_answering_after_the_server_stops(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--data-dir", str(tmp_path / "data"))
    cache = tmp_path / "copies.json"
    catalog = Catalog(server.url, cache_path=cache)
    try:
        before = (
            catalog.list("all"),
            catalog.get("llama-3.3-70b"),
            catalog.traits(),
            catalog.resolve("gpt-4o"),
            catalog.quote("default", {"input_tokens": 100}),
        )
        resolver = Resolver.fetch(catalog)
        assert catalog.freshness is not None and not catalog.freshness.from_copy
    finally:
        server.stop()
    assert server.process.poll() is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/healthz")

    after = (
        catalog.list("all"),
        catalog.get("llama-3.3-70b"),
        catalog.traits(),
        catalog.resolve("gpt-4o"),
        catalog.quote("default", {"input_tokens": 100}),
    )
    assert after == before
    freshness = catalog.freshness
    assert freshness is not None and freshness.from_copy
    assert freshness.error is not None and "cannot reach" in freshness.error
    assert freshness.age.total_seconds() >= 0
    # The in-process resolver needs no server at all, and a new one is built from the copies.
    assert Resolver.fetch(catalog).resolve("fastest") == resolver.resolve("fastest")
    with pytest.raises(ServiceUnavailable):
        catalog.get("never-asked-for")
    catalog.close()

    # A restarted gateway reads the copies from the file.
    with Catalog(server.url, cache_path=cache) as restarted:
        assert restarted.resolve("gpt-4o") == before[3]
        assert restarted.freshness is not None and restarted.freshness.from_copy

    async def from_file() -> str:
        async with AsyncCatalog(server.url, cache_path=cache) as catalog:
            return (await catalog.resolve("gpt-4o")).model_id

    assert asyncio.run(from_file()) == "llama-3.3-70b"


def test_a_server_error_is_answered_from_the_copy(tmp_path: Path) -> None:
    failing = {"now": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if failing["now"]:
            return httpx.Response(503, json={"error": "Service unavailable"})
        return httpx.Response(200, json={"data": {"default": "m"}, "object": "list"})

    with Catalog("http://catalog.test", transport=httpx.MockTransport(handler)) as catalog:
        assert catalog.traits() == {"default": "m"}
        failing["now"] = True
        assert catalog.traits() == {"default": "m"}
        assert catalog.freshness is not None and catalog.freshness.from_copy
        assert "503" in (catalog.freshness.error or "")
        with pytest.raises(ServiceUnavailable):
            catalog.traits("image")  # never fetched: nothing to fall back on


def test_an_unreadable_cache_file_is_started_afresh(tmp_path: Path) -> None:
    cache = tmp_path / "copies.json"
    cache.write_text("{not json")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {}, "object": "list"})

    with Catalog(
        "http://catalog.test", cache_path=cache, transport=httpx.MockTransport(handler)
    ) as c:
        assert c.traits() == {}
    assert b'"copies"' in cache.read_bytes()


def test_copies_belong_to_one_service_and_one_key(tmp_path: Path) -> None:
    cache = tmp_path / "copies.json"

    def answering(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"default": "m"}, "object": "list"})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with Catalog(
        "http://a.test", "k1", cache_path=cache, transport=httpx.MockTransport(answering)
    ) as c:
        c.traits()
    for base, key in (("http://b.test", "k1"), ("http://a.test", "k2"), ("http://a.test", None)):
        other = Catalog(base, key, cache_path=cache, transport=httpx.MockTransport(down))
        with other, pytest.raises(ServiceUnavailable):
            other.traits()
    with Catalog("http://a.test", "k1", cache_path=cache, transport=httpx.MockTransport(down)) as c:
        assert c.traits() == {"default": "m"}
