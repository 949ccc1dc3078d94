"""The client against another Venice-compatible endpoint: captured live responses, served as
they are (with ETags) by a static loopback server that knows nothing of modelcatalog."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modelcatalog.client import Catalog, Resolver
from modelcatalog.errors import ModelNotFound
from modelcatalog.spec.record import ModelRecord
from tests.client.conftest import Static

#: The day the text listing was captured: its models are judged as they stood then.
CAPTURED = datetime(2026, 3, 3, tzinfo=UTC)


def test_the_venice_routes_read_typed(static_server: Static) -> None:
    with Catalog(static_server.url) as catalog:
        listing = catalog.list()
        assert [m.id for m in listing] == [
            m["id"] for m in static_server.models if m["type"] == "text"
        ]
        assert all(isinstance(m, ModelRecord) for m in listing)
        assert catalog.traits() == static_server.traits
        assert catalog.compatibility_mapping() == static_server.aliases
        everything = catalog.list("all")
    # Unknown fields of the live records are kept, whatever this release knows of them.
    for record, raw in zip(everything, static_server.models, strict=True):
        assert record.model_dump(by_alias=True, exclude_unset=True).keys() == raw.keys()


def test_a_resolver_over_captured_listings(static_server: Static) -> None:
    with Catalog(static_server.url) as catalog:
        resolver = Resolver.fetch(catalog, CAPTURED)
    listed = {m["id"] for m in static_server.models}
    for name, target in {**static_server.traits, **static_server.aliases}.items():
        if target in listed:
            found = resolver.resolve(name)
            assert found.model_id == target and found.via[0].target == target
        else:  # the captured map names a model the captured listing does not hold
            with pytest.raises(ModelNotFound):
                resolver.resolve(name)
    assert resolver.resolve("gpt-4o").model_id == "llama-3.3-70b"
    assert resolver.resolve("default").via[0].kind == "trait"
    for model in static_server.models:
        assert resolver.resolve(model["id"]).model.id == model["id"]


def test_the_endpoints_etags_are_sent_back(static_server: Static) -> None:
    with Catalog(static_server.url) as catalog:
        first = catalog.traits()
        before = len(static_server.requests)
        assert catalog.traits() == first
    path, sent = static_server.requests[before]
    assert path.startswith("/api/v1/models/traits") and sent is not None
