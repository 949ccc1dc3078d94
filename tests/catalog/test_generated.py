"""Property tests: generated valid data round-trips exactly and passes strict validation."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.catalog.findings import Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.spec import MODEL_TYPES, parse_record
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY

from ..strategies import CatalogData, catalogs, model_records, records_of_type

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _strict_findings(record: dict[str, Any]) -> list[str]:
    source = CatalogSource(records=[SourceRecord(Origin("generated.yaml"), record)])
    return [str(f) for f in check_catalog(source, Mode.STRICT).findings]


@SETTINGS
@given(model_records())
def test_any_record_round_trips_with_key_order(record: dict[str, Any]) -> None:
    dumped = parse_record(record).to_wire()
    assert dumped == record
    assert json.dumps(dumped) == json.dumps(record)


@pytest.mark.parametrize("model_type", MODEL_TYPES)
@SETTINGS
@given(data=st.data())
def test_every_type_is_valid_in_strict_mode(model_type: str, data: st.DataObject) -> None:
    record = data.draw(records_of_type(model_type))
    assert _strict_findings(record) == []
    parsed = parse_record(record)
    assert type(parsed).__name__ != "OtherModel"
    assert parsed.to_wire() == record


def _write_directory(root: Path, catalog: CatalogData) -> None:
    for record in catalog.records:
        path = root / record["type"] / f"{record['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True))
    for model_type, aliases in catalog.aliases.items():
        (root / "aliases").mkdir(exist_ok=True)
        (root / "aliases" / f"{model_type}.yaml").write_text(yaml.safe_dump(aliases))


def _expected_traits(catalog: CatalogData) -> dict[str, dict[str, str]]:
    traits: dict[str, dict[str, str]] = {}
    for record in catalog.records:
        for trait in record["model_spec"]["traits"]:
            traits.setdefault(record["type"], {})[trait] = record["id"]
    return traits


@SETTINGS
@given(catalogs())
def test_catalog_directory_is_valid_and_builds_its_snapshot(catalog: CatalogData) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write_directory(Path(tmp), catalog)
        checked = check_catalog(read_source(Path(tmp)), Mode.STRICT)
    assert [str(f) for f in checked.findings] == []
    snapshot = CatalogSnapshot.from_checked(checked)
    by_id = {record["id"]: record for record in catalog.records}
    assert set(snapshot.by_id) == set(by_id)
    for model in snapshot.models:
        served = {k: v for k, v in by_id[model.id].items() if k != CATALOG_EXTENSION_KEY}
        assert dict(model.wire) == served
    assert {t: dict(m) for t, m in snapshot.traits.items()} == _expected_traits(catalog)
    assert {t: dict(m) for t, m in snapshot.aliases.items()} == catalog.aliases


@SETTINGS
@given(catalogs(), st.booleans())
def test_catalog_as_a_venice_dump_is_valid(catalog: CatalogData, enveloped: bool) -> None:
    records = [{k: v for k, v in r.items() if k != CATALOG_EXTENSION_KEY} for r in catalog.records]
    document: Any = {"object": "list", "data": records} if enveloped else records
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dump.json"
        path.write_bytes(orjson.dumps(document))
        checked = check_catalog(read_source(path), Mode.STRICT)
    assert [str(f) for f in checked.findings] == []
    assert checked.from_dump
    assert [entry.data for entry in checked.entries] == records
