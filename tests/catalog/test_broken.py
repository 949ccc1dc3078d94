"""Deliberately broken catalogs: strict validation rejects each with the right rule and location.

Every case under ``broken/`` is a model file, a dump or a small catalog directory that is valid
except for one mistake; ``broken/expected.yaml`` lists exactly the errors strict mode must
report for it. Each case runs in process and through the real command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from modelcatalog.catalog import Mode, check_catalog, read_source
from modelcatalog.catalog.rules import (
    CATALOG_RULES,
    RECORD_RULES,
    CatalogRule,
    RecordRule,
    rule_names,
)
from modelcatalog.cli import app

BROKEN = Path(__file__).parent / "broken"
EXPECTED: dict[str, list[dict[str, str]]] = yaml.safe_load((BROKEN / "expected.yaml").read_text())
CASES = sorted(EXPECTED)
#: Checks of the wire contract itself (modelcatalog.catalog.structure), beside the rules.
STRUCTURE_RULES = {"type", "unknown-key", "required", "enum"}
#: Problems that are errors in every mode: a catalog with them cannot be served at all.
_RULES: list[RecordRule | CatalogRule] = [*RECORD_RULES, *CATALOG_RULES]
ALWAYS_ERRORS = {"type"} | {r.name for r in _RULES if r.always_error}


def _expected(case: str) -> set[tuple[str, str]]:
    return {(item["rule"], item["location"]) for item in EXPECTED[case]}


def _found(findings: Any) -> set[tuple[str, str]]:
    return {(f.rule, f.location) for f in findings}


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_every_case_on_disk_has_expectations_and_back() -> None:
    on_disk = {path.name for path in BROKEN.iterdir() if path.name != "expected.yaml"}
    assert on_disk == set(CASES)


def test_every_rule_is_exercised_by_a_case() -> None:
    exercised = {item["rule"] for items in EXPECTED.values() for item in items}
    assert set(rule_names()) | STRUCTURE_RULES <= exercised


@pytest.mark.parametrize("case", CASES)
def test_strict_mode_reports_exactly_the_expected_errors(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BROKEN)
    checked = check_catalog(read_source(Path(case)), Mode.STRICT)
    assert _found(checked.errors) == _expected(case)
    assert not checked.warnings
    assert not checked.ok


@pytest.mark.parametrize("case", CASES)
def test_command_line_rejects_the_case_in_strict_mode(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BROKEN)
    result = CliRunner().invoke(app, ["validate", "--strict", "--json", case])
    assert result.exit_code == 1, result.output
    findings = orjson.loads(result.stdout)
    assert {(f["rule"], f["location"]) for f in findings} == _expected(case)
    assert {f["severity"] for f in findings} == {"error"}


@pytest.mark.parametrize("case", CASES)
def test_compatible_mode_only_warns_unless_the_catalog_cannot_be_served(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BROKEN)
    checked = check_catalog(read_source(Path(case)), Mode.COMPATIBLE)
    expected = _expected(case)
    assert _found(checked.findings) == expected
    assert _found(checked.errors) == {item for item in expected if item[0] in ALWAYS_ERRORS}
    result = CliRunner().invoke(app, ["validate", case])
    assert result.exit_code == (0 if checked.ok else 1), result.output
    for rule, location in expected:
        assert f"{location}: " in result.stdout and f"[{rule}]" in result.stdout
