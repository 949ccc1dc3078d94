"""A snapshot built from the previous build's models, and views built from the previous views,
serve exactly what a full build would: every listing, map and record, in every encoding, to
every audience, across versions that add, change and remove models, flip a successor's beta
flag (which hides a replacement from some audiences) and flip voice cloning's publicity."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcatalog.api.state import CatalogState
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.catalog.lifecycle import frozen_clock
from modelcatalog.catalog.reuse import SnapshotBuilder
from modelcatalog.catalog.views import LISTING_TYPES, Audience, ViewSet
from modelcatalog.errors import CatalogInvalid, ModelCatalogError
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY, MODEL_TYPES
from modelcatalog.store.document import CatalogDocument
from tests.store.factory import text_model

#: After the bundled deprecations start and before they remove anything.
AT = datetime(2026, 12, 1, tzinfo=UTC)
BASE = CatalogDocument.from_source(read_source(BUNDLED_CATALOG))
SETTINGS = settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
Json = dict[str, Any]


def full_build(document: CatalogDocument) -> CatalogSnapshot:
    checked = check_catalog(document.to_source("v"), Mode.COMPATIBLE)
    return CatalogSnapshot.from_checked(checked, version="v")


def served(views: ViewSet) -> dict[tuple[Any, ...], Any]:
    """Everything the views serve, by what was asked."""
    out: dict[tuple[Any, ...], Any] = {}
    for audience in Audience:
        for selection in LISTING_TYPES:
            out["listing", audience, selection] = views.listing(audience, selection)
        for model_type in MODEL_TYPES:
            out["traits", audience, model_type] = views.traits(audience, model_type)
            out["aliases", audience, model_type] = views.compatibility_mapping(audience, model_type)
        for model in views.snapshot.models:
            try:
                out["model", audience, model.id] = views.model(audience, model.id)
            except ModelCatalogError as exc:
                out["model", audience, model.id] = (type(exc).__name__, str(exc))
    return out


def _spec(document: CatalogDocument, index: int) -> tuple[list[Json], Json]:
    models = [copy.deepcopy(r) for r in document.models]
    return models, models[index % len(models)].setdefault("model_spec", {})


def _change(document: CatalogDocument, kind: str, index: int, value: int) -> CatalogDocument:
    if kind == "add":
        return document.with_model(text_model(f"added-{value}", usd_in=value / 100))
    if kind == "remove":
        models = list(document.models)
        del models[index % len(models)]
        return CatalogDocument(tuple(models), document.aliases)
    if kind == "alias":
        target = str(document.models[index % len(document.models)]["id"])
        return document.with_aliases("text", {**document.aliases.get("text", {}), "al": target})
    models, spec = _spec(document, index)
    record = models[index % len(models)]
    if kind == "describe":
        spec["description"] = f"changed {value}"
    elif kind == "beta":  # the successor of a deprecated model: its replacement shows or not
        for successor in (r for r in models if r["id"] == "qwen3-5-9b"):
            successor["model_spec"]["beta"] = not successor["model_spec"].get("beta", False)
    elif kind == "cloning":
        for other in models:
            if "voice_cloning" in other.get("model_spec", {}):
                extension = other.setdefault(CATALOG_EXTENSION_KEY, {})
                extension["publicVoiceCloning"] = not extension.get("publicVoiceCloning")
    elif kind == "price" and "pricing" in spec and "input" in spec["pricing"]:
        spec["pricing"]["input"] = {"usd": value / 100, "diem": value / 100}
    del record  # changed in place above
    return CatalogDocument(tuple(models), document.aliases)


CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "alias", "describe", "beta", "cloning", "price"]),
        st.integers(0, 200),
        st.integers(1, 999),
    ),
    min_size=1,
    max_size=5,
)


@SETTINGS
@given(CHANGES)
def test_incremental_build_serves_what_a_full_build_does(
    changes: list[tuple[str, int, int]],
) -> None:
    builder = SnapshotBuilder(Mode.COMPATIBLE)
    document = BASE
    state = CatalogState(builder.build(document.to_source("v"), "v"), frozen_clock(AT), warm=True)
    for kind, index, value in changes:
        document = _change(document, kind, index, value)
        try:
            expected = full_build(document)
        except CatalogInvalid as exc:
            with pytest.raises(CatalogInvalid) as raised:
                builder.build(document.to_source("v"), "v")
            assert raised.value.findings == exc.findings
            continue
        snapshot = builder.build(document.to_source("v"), "v")
        assert [m.wire for m in snapshot.models] == [m.wire for m in expected.models]
        assert snapshot.traits == expected.traits and snapshot.aliases == expected.aliases
        state.swap(snapshot)
        assert served(state.views()) == served(CatalogState(expected, state.clock).views())


def test_an_unchanged_record_is_neither_parsed_nor_serialized_again() -> None:
    builder = SnapshotBuilder(Mode.COMPATIBLE)
    first = builder.build(BASE.to_source("v1"), "1")
    changed = _change(BASE, "describe", 3, 7)
    second = builder.build(changed.to_source("v2"), "2")
    assert (builder.reused, builder.checked) == (len(BASE.models) - 1, 1)
    shared = [a is b for a, b in zip(first.models, second.models, strict=True)]
    assert shared.count(False) == 1 and not shared[3]
    earlier = ViewSet(CatalogState(first).views().lifecycles, AT)
    listing = earlier.listing(Audience.ANONYMOUS, "all").identity
    music = earlier.listing(Audience.ANONYMOUS, "music")
    kept = [earlier._fragment(Audience.STAFF, m) for m in first.models]
    views = ViewSet(CatalogState(second).views().lifecycles, AT, earlier)
    fragments = [views._fragment(Audience.STAFF, m) for m in second.models]
    same = [a is b for a, b in zip(fragments, kept, strict=True)]
    assert same.count(False) == 1 and not same[3]
    assert views.listing(Audience.ANONYMOUS, "all").identity != listing
    assert views.listing(Audience.ANONYMOUS, "music") is music  # not compressed again
