"""The official openai SDK and the community Venice clients, unmodified, against the service."""

from __future__ import annotations

import asyncio

import pytest
from openai import OpenAI

from tests.api.catalogs import ALIASES, BETA, DEFAULT, FASTEST, RETIRING, SLASHED, records
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def listed(model_type: str) -> list[str]:
    by_path = sorted(records().values(), key=lambda r: (r["type"], r["id"]))
    return [r["id"] for r in by_path if r["id"] != BETA and model_type in ("all", r["type"])]


def test_openai_sdk_lists_and_retrieves(test_catalog_server: Server) -> None:
    url = f"{test_catalog_server.url}/api/v1"
    with OpenAI(base_url=url, api_key="x", max_retries=0) as client:
        models = client.models.list()
        assert [m.id for m in models] == listed("text")
        assert all(m.object == "model" and m.owned_by == "venice.ai" for m in models)
        every = client.models.list(extra_query={"type": "all"})
        assert [m.id for m in every] == listed("all")
        assert client.models.retrieve(DEFAULT).id == DEFAULT
        assert client.models.retrieve(SLASHED).id == SLASHED


def test_venice_py_lists_models_traits_and_mappings(
    test_catalog_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venice_ai import VeniceClient

    monkeypatch.setenv("VENICE_API_BASE_URL", f"{test_catalog_server.url}/api/v1")

    async def calls() -> tuple[list[str], list[str], dict[str, str], dict[str, str]]:
        async with VeniceClient(api_key="x") as client:
            assert client.base_url.rstrip("/") == f"{test_catalog_server.url}/api/v1"
            every = await client.models.list()
            text = await client.models.list(type="text")
            traits = await client.models.list_traits(type="text")
            mapping = await client.models.list_compatibility(type="text")
            return (
                [m.id for m in every.data],
                [m.id for m in text.data],
                dict(traits.data),
                dict(mapping.data),
            )

    every, text, traits, mapping = asyncio.run(calls())
    assert every == listed("all")
    assert text == listed("text")
    assert traits["default"] == DEFAULT and traits["fastest"] == FASTEST
    assert mapping == {k: v for k, v in ALIASES["text"].items() if v != BETA}


def test_veniceresch_lists_models_traits_and_mappings(test_catalog_server: Server) -> None:
    from veniceresch import VeniceClient

    with VeniceClient(api_key="x", base_url=f"{test_catalog_server.url}/api/v1") as client:
        text = client.models.list()
        assert [m.id for m in text.parsed_data()] == listed("text")
        assert [m["id"] for m in client.models.list(type="all").data] == listed("all")
        traits = client.models.list_traits(type="text").data
        mapping = client.models.compatibility_mapping(type="tts").data
    assert traits is not None
    assert traits["most_uncensored"] == RETIRING
    assert mapping == ALIASES["tts"]
