"""The client against a real ``modelcatalog serve``: every method, typed; every resolution
kind end to end, the 404 with suggestions and the 410; revalidation with If-None-Match."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from modelcatalog.client import AsyncCatalog, Catalog, HistoryEntry, QuoteAnswer, Resolved
from modelcatalog.errors import ModelNotFound, ModelRemoved
from modelcatalog.spec.record import ModelRecord
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

#: Removed on 2027-02-01 with autoRemap to qwen3-5-9b; removed 2027-03-01 without autoRemap.
REMAPPED, SUCCESSOR = "qwen3-next-80b", "qwen3-5-9b"
GONE, GONE_SUCCESSOR = "zai-org-glm-4.7", "zai-org-glm-5-2"


class Recording(httpx.HTTPTransport):
    """A real transport that notes each status and If-None-Match it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((response.status_code, request.headers.get("if-none-match")))
        return response


def steps(found: Resolved) -> list[tuple[str, str, str]]:
    return [(s.kind, s.source, s.target) for s in found.via]


def test_every_method_returns_typed_answers(bundled_server: Server) -> None:
    with Catalog(bundled_server.url) as catalog:
        listing = catalog.list("all")
        assert len(listing) > 40 and all(isinstance(m, ModelRecord) for m in listing)
        assert type(catalog.get("openai/whisper-large-v3")).__name__ == "AsrModel"
        assert catalog.traits()["default"] == "zai-org-glm-5-2"
        assert catalog.traits("image")["default"] == "z-image-turbo"
        assert catalog.compatibility_mapping()["gpt-4o"] == "llama-3.3-70b"
        quoted = catalog.quote("gpt-4o", {"input_tokens": 1000, "output_tokens": 10})
        assert isinstance(quoted, QuoteAnswer)
        assert (quoted.id, quoted.requested) == ("llama-3.3-70b", "gpt-4o")
        assert quoted.usd == sum((item.usd for item in quoted.items), Decimal(0))
        history = catalog.history("llama-3.3-70b")
        assert [type(e) for e in history] == [HistoryEntry] and history[0].kind == "added"


def test_unknown_fields_are_kept(bundled_server: Server) -> None:
    with Catalog(bundled_server.url) as catalog:
        record = catalog.get("llama-3.3-70b")
    raw = httpx.get(f"{bundled_server.url}/api/v1/models/llama-3.3-70b").json()
    assert record.model_dump(by_alias=True, exclude_unset=True).keys() == raw.keys()


def test_every_resolution_kind_end_to_end(bundled_server: Server) -> None:
    with Catalog(bundled_server.url) as catalog:
        assert steps(catalog.resolve("llama-3.3-70b")) == [("id", "llama-3.3-70b", "llama-3.3-70b")]
        assert steps(catalog.resolve("default")) == [("trait", "default", "zai-org-glm-5-2")]
        assert catalog.resolve("default", "image").model_id == "z-image-turbo"
        assert steps(catalog.resolve("gpt-4o")) == [("alias", "gpt-4o", "llama-3.3-70b")]
        deprecated = catalog.resolve(REMAPPED)
        assert deprecated.warnings == [
            {
                "code": "deprecated",
                "removesAt": "2027-02-01T00:00:00.000Z",
                "replacementModelId": SUCCESSOR,
            }
        ]
        remapped = catalog.resolve(REMAPPED, at="2027-02-15T00:00:00Z")
        assert steps(remapped) == [("remap", REMAPPED, SUCCESSOR)]
        assert remapped.model_id == SUCCESSOR and remapped.warnings == []


def test_unknown_names_get_suggestions_and_removed_ones_a_410(bundled_server: Server) -> None:
    with Catalog(bundled_server.url) as catalog:
        with pytest.raises(ModelNotFound) as unknown:
            catalog.resolve("Llama-3.3-70B")
        assert unknown.value.details == {
            "id": "Llama-3.3-70B",
            "suggestions": ["llama-3.3-70b", "llama-3.2-3b"],
        }
        with pytest.raises(ModelRemoved) as removed:
            catalog.resolve(GONE, at="2027-03-02T00:00:00Z")
        assert removed.value.replacement == GONE_SUCCESSOR
        with pytest.raises(ModelRemoved):
            catalog.quote(GONE, {"input_tokens": 1}, at="2027-03-02T00:00:00Z")


def test_answers_are_revalidated_with_if_none_match(bundled_server: Server) -> None:
    transport = Recording()
    with Catalog(bundled_server.url, transport=transport) as catalog:
        first = catalog.resolve("default")
        again = catalog.resolve("default")
    assert first == again
    (status, sent), (status_again, sent_again) = transport.seen
    assert (status, sent) == (200, None)
    assert status_again == 304 and sent_again is not None


def test_the_async_client_answers_alike(bundled_server: Server) -> None:
    async def run() -> tuple[list[str], Resolved, dict[str, str]]:
        async with AsyncCatalog(bundled_server.url) as catalog:
            listing = await catalog.list("image")
            return (
                [str(m.id) for m in listing],
                await catalog.resolve("gpt-4o"),
                (await catalog.traits()),
            )

    ids, resolved, traits = asyncio.run(run())
    with Catalog(bundled_server.url) as catalog:
        assert ids == [str(m.id) for m in catalog.list("image")]
        assert resolved == catalog.resolve("gpt-4o")
        assert traits == catalog.traits()
