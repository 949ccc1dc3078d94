"""``quote`` prices with the catalog the service serves: the store by default, ``--catalog``
files or a running service (``--url``), as docs/cli.md's "Which catalog a command reads" says."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.cli import app
from modelcatalog.cli.exits import ExitCode
from tests.e2e.conftest import start_server

MODEL = "qwen3-next-80b"
#: 1M input tokens: the quote in USD is the per-million input price itself.
USAGE = ["--input-tokens", "1000000", "--json"]
BUNDLED_PRICE, NEWER_PRICE = "0.35", "0.5"


def _quote(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(app, ["quote", MODEL, *USAGE, *args], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _store_args(location: dict[str, Any]) -> list[str]:
    if "data_dir" in location:
        return ["--data-dir", str(location["data_dir"])]
    return ["--database", location["database_url"]]


@pytest.fixture
def newer_store(store_location: dict[str, Any], tmp_path: Path) -> datetime:
    """A store at version 2 whose price of MODEL is newer than the bundled one; returns an
    instant while version 1 (the bundled catalog) was current."""
    where = _store_args(store_location)
    invoke = CliRunner().invoke
    assert invoke(app, ["import", str(BUNDLED_CATALOG), *where]).exit_code == 0
    between = datetime.now(UTC)
    time.sleep(0.01)  # versions are stamped in microseconds; keep the instants apart
    assert invoke(app, ["import", str(_newer_catalog(tmp_path)), *where]).exit_code == 0
    return between


def _newer_catalog(tmp_path: Path) -> Path:
    """The bundled catalog with a new input price for MODEL."""
    changed = tmp_path / "newer"
    shutil.copytree(BUNDLED_CATALOG, changed)
    path = changed / "text" / f"{MODEL}.yaml"
    record = yaml.safe_load(path.read_text())
    record["model_spec"]["pricing"]["input"] = {"usd": 0.5, "diem": 0.5}
    path.write_text(yaml.safe_dump(record))
    return changed


def test_the_store_prices_not_the_bundled_file(
    store_location: dict[str, Any], newer_store: datetime
) -> None:
    stored = _quote(*_store_args(store_location))
    assert (stored["usd"], stored["at"]["version"]) == (NEWER_PRICE, "2")
    assert _quote("--catalog", str(BUNDLED_CATALOG))["usd"] == BUNDLED_PRICE


def test_at_prices_with_the_store_version_current_then(
    store_location: dict[str, Any], newer_store: datetime
) -> None:
    dated = _quote(*_store_args(store_location), "--at", newer_store.isoformat())
    assert (dated["usd"], dated["at"]["version"]) == (BUNDLED_PRICE, "1")
    assert dated["at"]["from_history"] is True


def test_the_store_is_found_as_serve_finds_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "xdg" / "modelcatalog"
    no_store = {"XDG_DATA_HOME": str(tmp_path / "xdg"), "MODELCATALOG_DATA_DIR": ""}
    assert _quote(env=no_store)["usd"] == BUNDLED_PRICE  # no store yet: the bundled catalog
    imported = CliRunner().invoke(
        app, ["import", str(_newer_catalog(tmp_path)), "--data-dir", str(data_dir)]
    )
    assert imported.exit_code == 0, imported.output
    assert _quote(env=no_store)["usd"] == NEWER_PRICE  # the default data directory
    from_env = {"MODELCATALOG_DATA_DIR": str(data_dir)}
    assert _quote(env=from_env)["usd"] == NEWER_PRICE


def test_a_data_dir_without_a_store_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["quote", MODEL, *USAGE, "--data-dir", str(tmp_path / "empty")]
    )
    assert result.exit_code == ExitCode.UNUSABLE
    assert "no store here" in result.stderr


@pytest.mark.e2e
def test_url_prices_with_the_running_service(
    store_location: dict[str, Any], newer_store: datetime, tmp_path: Path
) -> None:
    server = start_server(tmp_path, *_store_args(store_location))
    try:
        served = _quote("--url", server.url)
        dated = _quote("--url", server.url, "--at", newer_store.isoformat())
    finally:
        server.stop()
    assert (served["usd"], served["at"]["version"]) == (NEWER_PRICE, "2")
    assert (dated["usd"], dated["at"]["from_history"]) == (BUNDLED_PRICE, True)


def test_the_table_names_the_catalog_it_read(
    store_location: dict[str, Any], newer_store: datetime
) -> None:
    args = ["quote", MODEL, "--input-tokens", "1000000", *_store_args(store_location)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Prices of the current catalog (version 2 of store " in result.stdout
