"""The store commands, run as a user runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.cli import app
from modelcatalog.store import Store
from modelcatalog.store.schema import MIGRATIONS
from tests.store.factory import dump, text_model


@pytest.fixture
def run(store_location: dict[str, Any]) -> Any:
    if "data_dir" in store_location:
        where = ["--data-dir", str(store_location["data_dir"])]
    else:
        where = ["--database", store_location["database_url"]]

    def invoke(*args: str, code: int = 0) -> Any:
        result = CliRunner().invoke(app, [*args, *where])
        assert result.exit_code == code, result.output
        return result

    return invoke


def _json(result: Any) -> Any:
    return orjson.loads(result.stdout)


def test_import_versions_diff_export(run: Any, tmp_path: Path) -> None:
    first = _json(run("import", str(BUNDLED_CATALOG), "--message", "bundled", "--json"))
    assert first["version"] == 1 and first["message"] == "bundled"
    changed = tmp_path / "two.json"
    changed.write_bytes(orjson.dumps(dump(text_model("alpha"), text_model("beta"))))
    refused = run("import", str(changed), code=1)
    assert "would remove 55 of 55 models" in refused.stderr
    second = _json(run("import", str(changed), "--force", "--json"))
    assert (second["version"], second["models"]) == (2, 2)
    listed = _json(run("versions", "--json"))
    assert [v["version"] for v in listed] == [2, 1]
    delta = _json(run("diff", "2", "1", "--json"))
    assert delta["removed"] == ["alpha", "beta"] and "qwen3-next-80b" in delta["added"]
    assert "beta" in run("diff", "1", "2").stdout
    run("export", str(tmp_path / "backup"), "--version", "1")
    assert (tmp_path / "backup" / "text" / "qwen3-next-80b.yaml").is_file()
    run("export", str(tmp_path / "dump.json"), "--format", "dump")
    exported = orjson.loads((tmp_path / "dump.json").read_bytes())
    assert [r["id"] for r in exported["data"]] == ["alpha", "beta"]


def test_an_invalid_import_writes_nothing_and_exits_1(run: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(orjson.dumps(dump(text_model("alpha"))))
    run("import", str(good))
    broken = text_model("beta")
    broken["model_spec"]["pricing"]["input"]["usd"] = "free"
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps(dump(text_model("alpha"), broken)))
    result = run("import", str(bad), code=1)
    assert "data[1](beta).model_spec.pricing.input.usd" in result.stderr
    assert "nothing was written" in result.stderr
    assert [v["version"] for v in _json(run("versions", "--json"))] == [1]
    assert "no such file" in run("import", str(tmp_path / "missing"), code=2).stderr


def test_a_stale_expected_version_is_refused(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(orjson.dumps(dump(text_model("alpha"))))
    run("import", str(path))
    path.write_bytes(orjson.dumps(dump(text_model("beta"))))
    result = run("import", str(path), "--expect", "0", code=1)
    assert "current one is 1" in result.stderr


def test_keys_are_printed_once_and_stored_as_hashes(
    run: Any, store_location: dict[str, Any]
) -> None:
    created = _json(run("keys", "create", "ops", "--admin", "--json"))
    token = created["key"]
    assert token.startswith("mc_") and len(token) > 40
    plain = run("keys", "create", "reader", "--beta").stdout.strip()
    assert plain.startswith("mc_")
    run("keys", "create", "ops", code=1)
    run("keys", "revoke", "reader")
    listed = {k["name"]: k for k in _json(run("keys", "list", "--json"))}
    assert listed["ops"]["admin"] and listed["reader"]["revoked_at"] is not None
    assert all("key" not in k for k in listed.values())
    with Store.open(**store_location) as store, store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM api_keys").all()
    stored = repr(rows)
    assert token not in stored and plain not in stored
    assert token[3:] not in stored, "no part of a secret beyond its shown prefix is kept"


def test_db_upgrade_creates_and_then_reports_current(run: Any) -> None:
    assert _json(run("db", "upgrade", "--json"))["applied"] == [m.name for m in MIGRATIONS]
    assert _json(run("db", "upgrade", "--json"))["applied"] == []
