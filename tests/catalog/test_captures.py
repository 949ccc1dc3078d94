"""Every real Venice capture goes through the whole pipeline in compatible mode without error.

Real data carries keys and enum values the OpenAPI does not list, trimmed records and integer
prices; compatible mode keeps all of it and only warns. The snapshot built from a capture
serves each record exactly as captured.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.catalog.findings import Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord

from ..conftest import CAPTURES

#: Captures that hold no model records: a traits map and an error body.
NOT_MODEL_DUMPS = {
    "api-docs_static-traits_2026-08-22.json",
    "venice-py_models_invalid_type_error_body.json",
}
#: Single /models entries extracted from a client's tests, keyed by the test's name.
ENTRIES_FILE = "venice-cpp_captured_entries_2026-07-28_and_08-11.json"


def _capture_files() -> list[Path]:
    return sorted(p for p in CAPTURES.rglob("*.json") if p.name not in NOT_MODEL_DUMPS)


def _read_capture(path: Path) -> CatalogSource:
    if path.name != ENTRIES_FILE:
        return read_source(path, label=path.name)
    entries = json.loads(path.read_text())["model_entries"]
    return CatalogSource(
        records=[
            SourceRecord(Origin(path.name, f"model_entries.{name}"), data)
            for name, data in entries.items()
        ],
        from_dump=True,
    )


CAPTURE_FILES = _capture_files()


def test_the_known_captures_are_all_there() -> None:
    names = {path.name for path in CAPTURES.rglob("*.json")}
    assert NOT_MODEL_DUMPS | {ENTRIES_FILE} <= names
    assert len(CAPTURE_FILES) >= 8


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=[p.name for p in CAPTURE_FILES])
def test_capture_validates_in_compatible_mode_without_errors(path: Path) -> None:
    checked = check_catalog(_read_capture(path), Mode.COMPATIBLE)
    assert checked.errors == ()
    assert len(checked.entries) == len(_read_capture(path).records) > 0


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=[p.name for p in CAPTURE_FILES])
def test_capture_snapshot_serves_every_record_as_captured(path: Path) -> None:
    source = _read_capture(path)
    snapshot = CatalogSnapshot.from_checked(check_catalog(source, Mode.COMPATIBLE))
    assert [dict(model.wire) for model in snapshot.models] == [r.data for r in source.records]
    for model, item in zip(snapshot.models, source.records, strict=True):
        assert json.dumps(model.record.to_wire()) == json.dumps(item.data)


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=[p.name for p in CAPTURE_FILES])
def test_capture_in_strict_mode_fails_only_on_what_compatible_mode_warns_about(
    path: Path,
) -> None:
    source = _read_capture(path)
    compatible = check_catalog(source, Mode.COMPATIBLE)
    strict = check_catalog(source, Mode.STRICT)
    as_found = {(f.rule, f.location, f.message) for f in compatible.findings}
    assert {(f.rule, f.location, f.message) for f in strict.findings} == as_found
    assert not strict.warnings


def test_unknown_type_and_unknown_keys_are_kept_and_reported() -> None:
    record = {
        "id": "some-decider",
        "type": "decision",
        "object": "model",
        "owned_by": "venice.ai",
        "model_spec": {"privacy": "private", "model_sets": ["featured"]},
    }
    source = CatalogSource(records=[SourceRecord(Origin("live.json", "data[0]"), record)])
    checked = check_catalog(source, Mode.COMPATIBLE)
    assert checked.ok
    assert {(f.rule, f.location) for f in checked.warnings} == {
        ("enum", "live.json:data[0].type"),
        ("unknown-key", "live.json:data[0].model_spec.model_sets"),
    }
    assert checked.entries[0].record.to_wire() == record
