"""A snapshot's model has one source, its typed record: the served JSON is derived from it
and is exactly the catalog's JSON (minus operator-only keys), so that no reader -- views and
lifecycles read the JSON, rules and quotes the record -- can see a different model."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import Mode, check_catalog, read_source
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY
from tests.conftest import CAPTURES

#: The bundled catalog and every capture of a listing (not the captured error bodies).
SOURCES = [
    BUNDLED_CATALOG,
    *sorted(p for p in CAPTURES.rglob("*.json") if "models" in p.name and "error" not in p.name),
]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_served_json_is_the_catalog_json(path: Path) -> None:
    checked = check_catalog(read_source(path), Mode.COMPATIBLE)
    snapshot = CatalogSnapshot.from_checked(checked)
    assert len(snapshot.models) == len(checked.entries) > 0
    for model, entry in zip(snapshot.models, checked.entries, strict=True):
        expected = {k: v for k, v in entry.data.items() if k != CATALOG_EXTENSION_KEY}
        # Bytes, not equality: key order is what clients see.
        assert orjson.dumps(dict(model.wire)) == orjson.dumps(expected), model.id
        assert (model.id, model.type) == (entry.record.id, entry.record.type)
        assert model.record is entry.record


def test_the_served_json_cannot_be_given_apart_from_the_record() -> None:
    checked = check_catalog(read_source(BUNDLED_CATALOG), Mode.STRICT)
    model = CatalogSnapshot.from_checked(checked).models[0]
    with pytest.raises(TypeError):
        type(model)(model.record, False, wire={})  # type: ignore[call-arg]
