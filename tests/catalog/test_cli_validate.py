"""``modelcatalog validate``: exit codes, the report, ``--json``, and the bundled default."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import Mode, check_catalog, read_source
from modelcatalog.cli import app

from ..conftest import CAPTURES

BROKEN = Path(__file__).parent / "broken"
TEXT_CAPTURE = CAPTURES / "corre_venice_models_text_2026-03-03.json"
SUMMARY = re.compile(
    r"^(\d+) models?, (\d+) alias(?:es)? checked \((strict|compatible) mode\): "
    r"(\d+) errors?, (\d+) warnings?: (valid|invalid)$",
    re.MULTILINE,
)


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["validate", *args])


def _summary(result: Result) -> tuple[str, ...]:
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout
    return match.groups()


def test_no_path_validates_the_bundled_catalog_strictly() -> None:
    result = _run("--strict")
    assert result.exit_code == 0, result.output
    checked = check_catalog(read_source(BUNDLED_CATALOG), Mode.STRICT)
    models, aliases, mode, errors, warnings, verdict = _summary(result)
    assert (int(models), int(aliases)) == (len(checked.entries), len(checked.aliases))
    assert int(models) >= 40
    assert (mode, errors, warnings, verdict) == ("strict", "0", "0", "valid")


def test_warnings_are_printed_and_the_exit_code_is_zero() -> None:
    result = _run(str(TEXT_CAPTURE))
    assert result.exit_code == 0
    models, _, mode, errors, warnings, verdict = _summary(result)
    assert (models, mode, errors, verdict) == ("40", "compatible", "0", "valid")
    assert int(warnings) > 0
    assert result.stdout.count("\nwarning ") + result.stdout.startswith("warning ") == int(warnings)
    assert "[required]" in result.stdout


def test_the_same_capture_is_invalid_in_strict_mode() -> None:
    result = _run("--strict", str(TEXT_CAPTURE))
    assert result.exit_code == 1
    assert _summary(result)[5] == "invalid"


def test_every_error_of_every_path_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    cases = ["negative-price.yaml", "replacement-loop", "duplicate-id.json"]
    result = _run("--strict", *cases)
    assert result.exit_code == 1
    assert "negative-price.yaml:model_spec.pricing.output.diem: -0.6 is negative" in result.stdout
    assert "replacement-loop/text/a-text.yaml:model_spec.deprecation" in result.stdout
    assert "duplicate-id.json:data[1](same-id).id: duplicate id 'same-id'" in result.stdout
    # Records from all paths form one catalog: 1 + 3 + 2 models.
    assert _summary(result)[:4] == ("6", "0", "strict", "3")


def test_ids_are_unique_across_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    result = _run("negative-price.yaml", "negative-price.yaml")
    assert result.exit_code == 1
    assert "[unique-id]" in result.stdout


def test_json_lists_the_findings_as_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    result = _run("--json", "--strict", "e2ee-without-tee.yaml")
    assert result.exit_code == 1
    assert orjson.loads(result.stdout) == [
        {
            "severity": "error",
            "location": "e2ee-without-tee.yaml:model_spec.capabilities.supportsE2EE",
            "message": "is true but supportsTeeAttestation is not; "
            "supportsE2EE requires supportsTeeAttestation",
            "rule": "e2ee-tee",
        }
    ]


def test_json_of_a_valid_catalog_is_an_empty_list() -> None:
    result = _run("--json", "--strict")
    assert result.exit_code == 0
    assert orjson.loads(result.stdout) == []


def test_json_keeps_warnings_with_their_severity() -> None:
    result = _run("--json", str(TEXT_CAPTURE))
    findings = orjson.loads(result.stdout)
    assert result.exit_code == 0
    assert findings and {f["severity"] for f in findings} == {"warning"}
    assert all(set(f) == {"severity", "location", "message", "rule"} for f in findings)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.yaml", "id: [unclosed\n", "invalid YAML"),
        ("bad.json", '{"id": ', "invalid JSON"),
        ("dump.txt", '{"data": [', "neither valid JSON (unexpected end of data"),
        ("repeated.yaml", "id: a\ntype: text\nid: b\n", "repeated key 'id' (line 3)"),
        ("scalar.yaml", "just words\n", "expected a model record"),
    ],
)
def test_unreadable_input_exits_2_with_the_reason(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = _run(str(path))
    assert result.exit_code == 2
    assert reason in result.stderr
    assert str(path) in result.stderr
    assert result.stdout == ""


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = _run("--json", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_a_dump_inside_a_catalog_directory_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "all.json").write_text('{"data": []}')
    result = _run(str(tmp_path))
    assert result.exit_code == 2
    assert "one model record per file" in result.stderr


def test_locations_print_verbatim_without_emoji_or_markup(tmp_path: Path) -> None:
    # ":id:" would become an emoji and "[bold]" markup if the report were not escaped.
    path = tmp_path / "x.json"
    path.write_text('{"object": "[bold]model[/bold]", "model_spec": {}}')
    result = _run(str(path))
    assert result.exit_code == 1
    assert f"{path}:id: a model needs a non-empty id" in result.stdout
    assert "'[bold]model[/bold]' is not one of model" in result.stdout
