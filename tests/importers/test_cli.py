"""``modelcatalog import --from``: writes one version, reports, refuses without writing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modelcatalog.cli import app
from modelcatalog.store import Store
from tests.conftest import CAPTURES
from tests.importers.conftest import Upstream
from tests.importers.litellm_map import ALL_DEFAULTS, LITELLM_MAP

DEFAULT_ARGS = [
    arg for name, value in ALL_DEFAULTS.items() for arg in ("--default", f"{name}={value}")
]
TEXT_CAPTURE = CAPTURES / "corre_venice_models_text_2026-03-03.json"


def _head(data: Path) -> int:
    with Store.open(data) as store:
        return store.head()


def test_a_litellm_subset_is_imported_as_one_version(tmp_path: Path) -> None:
    args = ["import", "--from", "litellm", str(LITELLM_MAP), "--data-dir", str(tmp_path)]
    args += ["--provider", "openai", "--mode", "chat,embedding", "--owned-by", "venice.ai"]
    result = CliRunner().invoke(app, [*args, *DEFAULT_ARGS, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["version"]["version"] == _head(tmp_path) == 1
    assert answer["version"]["models"] == answer["report"]["imported"]
    assert set(answer["report"]["by_type"]) == {"text", "embedding"}
    with Store.open(tmp_path) as store:
        gpt = store.document()[1].model("gpt-4o")
    assert gpt is not None and gpt["owned_by"] == "venice.ai"


def test_the_summary_table_and_progress(tmp_path: Path) -> None:
    args = ["import", "--from", "litellm", str(LITELLM_MAP), "--data-dir", str(tmp_path)]
    args += ["--provider", "anthropic", "--owned-by", "venice.ai", *DEFAULT_ARGS]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "imported: text" in result.stdout
    assert "default: privacy" in result.stdout
    assert "version 1:" in result.stdout


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    args = ["import", "--from", "venice", str(TEXT_CAPTURE), "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--default", "capabilities=false", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.stdout
    assert not any(tmp_path.iterdir())  # no store was even opened


def test_a_url_is_a_venice_listing_by_default(tmp_path: Path, upstream: Upstream) -> None:
    url = upstream.serve("/api/v1/models", TEXT_CAPTURE.read_bytes())
    args = ["import", url, "--default", "capabilities=false", "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["report"]["kind"] == "venice"


def test_a_refused_import_writes_nothing(tmp_path: Path) -> None:
    first = ["import", "--from", "venice", str(TEXT_CAPTURE), "--data-dir", str(tmp_path)]
    assert CliRunner().invoke(app, [*first, "--default", "capabilities=false"]).exit_code == 0
    refused = CliRunner().invoke(app, first)  # no default for the capability flags
    assert refused.exit_code == 1
    assert "--default capabilities=" in refused.stderr
    assert _head(tmp_path) == 1


def test_an_empty_result_is_refused(tmp_path: Path) -> None:
    args = ["import", "--from", "litellm", str(LITELLM_MAP), "--provider", "nobody"]
    result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no entry could be imported" in result.stderr
