"""Importing a Venice /api/v1/models body: real captures, filters, defaults, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from modelcatalog.catalog.findings import Mode, Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import ImportRefused, InvalidSettings, SourceError
from modelcatalog.importers import ImportOptions, import_catalog, read_source
from modelcatalog.spec.capabilities import TextCapabilities
from tests.conftest import CAPTURES
from tests.importers.conftest import Upstream

TEXT_CAPTURE = CAPTURES / "corre_venice_models_text_2026-03-03.json"
ALL_TYPES = CAPTURES / "venice-pricing_type-all_2025-12-14"
DEFAULTS = {"privacy": "private", "capabilities": "false"}


def _raw_models(path: Path) -> list[dict[str, Any]]:
    document = orjson.loads(path.read_bytes())
    models: list[dict[str, Any]] = document["data"] if isinstance(document, dict) else document
    return models


def _strict_errors(models: list[dict[str, Any]]) -> list[str]:
    source = CatalogSource(
        records=[SourceRecord(Origin("t", str(i)), m) for i, m in enumerate(models)]
    )
    return [str(f) for f in check_catalog(source, Mode.STRICT).errors]


def test_a_real_listing_imports_with_what_it_lacked_reported() -> None:
    raw = TEXT_CAPTURE.read_bytes()
    source = _raw_models(TEXT_CAPTURE)
    result = import_catalog("venice", raw, ImportOptions(defaults=DEFAULTS, source="capture"))
    report = result.report

    # Derived from the raw listing, not from the importer.
    flags = set(TextCapabilities.REQUIRED) - {"quantization"}
    lacking_flags = {
        m["id"] for m in source if not flags <= set(m["model_spec"].get("capabilities", {}))
    }
    no_auto_remap = {
        m["id"]
        for m in source
        if "deprecation" in m["model_spec"] and "autoRemap" not in m["model_spec"]["deprecation"]
    }
    schema_without_tools = {
        m["id"]
        for m in source
        if m["model_spec"]["capabilities"].get("supportsResponseSchema")
        and not m["model_spec"]["capabilities"].get("supportsFunctionCalling")
    }
    with_model_sets = {m["id"] for m in source if "model_sets" in m["model_spec"]}
    skipped = no_auto_remap | schema_without_tools

    assert report.entries == len(source) == 40
    assert {s.key.split("(")[1].rstrip(")") for s in report.skipped} == skipped
    assert report.by_reason() == {
        "invalid: required": len(no_auto_remap),
        "invalid: response-schema": len(schema_without_tools),
    }
    assert report.imported == len(result.models) == len(source) - len(skipped)
    assert report.by_type == {"text": report.imported}
    assert set(report.defaulted["capabilities"]) == lacking_flags - skipped
    assert "privacy" not in report.defaulted  # every record of this listing states it
    lost = {entry.key.split("(")[1].rstrip(")") for entry in report.lossy}
    assert lost == with_model_sets - skipped
    assert report.lost_fields() == {"unknown key model_spec.model_sets": len(lost)}
    assert _strict_errors(result.models) == []


def test_the_records_keep_their_prices_exactly() -> None:
    source = {m["id"]: m for m in _raw_models(TEXT_CAPTURE)}
    result = import_catalog("venice", TEXT_CAPTURE.read_bytes(), ImportOptions(defaults=DEFAULTS))
    for model in result.models:
        assert model["model_spec"]["pricing"] == source[model["id"]]["model_spec"]["pricing"]


def test_every_type_of_a_type_all_listing(tmp_path: Path) -> None:
    models = [m for path in sorted(ALL_TYPES.glob("*.json")) for m in _raw_models(path)]
    raw = orjson.dumps({"data": models})
    result = import_catalog("venice", raw, ImportOptions(defaults=DEFAULTS))
    without_privacy = {m["id"] for m in models if "privacy" not in m["model_spec"]}
    assert without_privacy  # the type=all listing leaves privacy out
    assert set(result.report.defaulted["privacy"]) == without_privacy - {
        s.key.split("(")[1].rstrip(")") for s in result.report.skipped
    }
    assert all(m["model_spec"]["privacy"] in {"private", "anonymized"} for m in result.models)
    assert result.report.imported + len(result.report.skipped) == len(models)
    assert _strict_errors(result.models) == []


def test_a_missing_default_is_refused_naming_the_field() -> None:
    with pytest.raises(ImportRefused) as caught:
        import_catalog("venice", TEXT_CAPTURE.read_bytes(), ImportOptions(source="capture"))
    assert caught.value.fields == ("capabilities",)
    assert "--default capabilities=" in str(caught.value)


def test_filters_keep_a_subset_and_count_the_rest() -> None:
    models = [m for path in sorted(ALL_TYPES.glob("*.json")) for m in _raw_models(path)]
    raw = orjson.dumps(models)
    options = ImportOptions(modes=frozenset({"video", "tts"}), defaults=DEFAULTS)
    result = import_catalog("venice", raw, options)
    wanted = [m for m in models if m["type"] in {"video", "tts"}]
    assert result.report.filtered == len(models) - len(wanted)
    assert {m["type"] for m in result.models} <= {"video", "tts"}
    assert result.report.imported + len(result.report.skipped) == len(wanted)
    nobody = import_catalog("venice", raw, ImportOptions(providers=frozenset({"acme"})))
    assert nobody.models == [] and nobody.report.filtered == len(models)


def test_owned_by_is_replaced_and_checked_against_the_accepted_names() -> None:
    raw = TEXT_CAPTURE.read_bytes()
    with pytest.raises(ImportRefused, match="owned_by would be acme") as caught:
        import_catalog("venice", raw, ImportOptions(defaults=DEFAULTS, owned_by="acme"))
    assert caught.value.fields == ("owned_by",)
    accepted = ImportOptions(
        defaults=DEFAULTS, owned_by="acme", accepted_owned_by=frozenset({"acme"})
    )
    result = import_catalog("venice", raw, accepted)
    assert result.models and {m["owned_by"] for m in result.models} == {"acme"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>", "not JSON"),
        (b'{"models": []}', "not a Venice /api/v1/models body"),
        (b'"data"', "not a Venice /api/v1/models body"),
    ],
)
def test_what_is_not_a_listing_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        import_catalog("venice", raw, ImportOptions())


def test_entries_that_are_not_records_are_reported() -> None:
    raw = orjson.dumps({"data": [1, {"id": 2}, {"id": "x", "type": "text", "model_spec": "no"}]})
    report = import_catalog("venice", raw, ImportOptions()).report
    assert report.imported == 0
    assert report.by_reason() == {"not a model record": 2, "invalid: type": 1}


@pytest.mark.parametrize(
    "defaults",
    [
        {"privacy": "public"},
        {"capabilities": "true"},
        {"diem": "-1"},
        {"diem": "x"},
        {"colour": "red"},
    ],
)
def test_a_default_with_a_value_it_does_not_accept_is_refused(defaults: dict[str, str]) -> None:
    with pytest.raises(InvalidSettings, match="--default"):
        ImportOptions(defaults=defaults)


def test_a_listing_is_imported_over_http(upstream: Upstream) -> None:
    url = upstream.serve("/api/v1/models", TEXT_CAPTURE.read_bytes())
    result = import_catalog("venice", read_source(url), ImportOptions(defaults=DEFAULTS))
    local = import_catalog("venice", TEXT_CAPTURE.read_bytes(), ImportOptions(defaults=DEFAULTS))
    assert result.models == local.models and result.models
