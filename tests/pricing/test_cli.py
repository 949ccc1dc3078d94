"""``modelcatalog quote`` against a local catalog directory (the ``--url`` mode is in
test_http.py, against a real service)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelcatalog.cli import app

from .records import RECORDS

runner = CliRunner()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalog")
    for name in ("text", "gpt-image-2", "music-durations", "video"):
        data = {**RECORDS[name], "id": name}
        folder = root / data["type"]
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(data))
    return root


def run(catalog: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["quote", *args, "--catalog", str(catalog)])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_is_the_quote(catalog: Path) -> None:
    code, out, _ = run(
        catalog, "text", "--input-tokens", "200001", "--output-tokens", "1000", "--json"
    )
    assert code == 0
    body = json.loads(out)
    assert (body["id"], body["usd"], body["diem"]) == ("text", "2.241261", "2.241261")
    assert [i["name"] for i in body["items"]] == ["extended.input", "extended.output"]
    assert body["at"]["requested"] is None and body["at"]["from_history"] is False


def test_table_shows_items_and_total(catalog: Path) -> None:
    code, out, _ = run(
        catalog, "gpt-image-2", "--resolution", "4K", "--quality", "low", "--images", "2",
        "--upscale", "4x",
    )  # fmt: skip
    assert code == 0
    assert "quality.4K.low" in out and "upscale.4x" in out
    total = next(line for line in out.splitlines() if "Total" in line)
    assert "0.26" in total and "1.7" in total


def test_decimal_seconds_are_exact(catalog: Path) -> None:
    code, out, _ = run(catalog, "music-durations", "--seconds", "61", "--json")
    assert code == 0 and json.loads(out)["usd"] == "0.04"


def test_at_without_history_says_the_current_catalog_was_used(catalog: Path) -> None:
    code, out, _ = run(catalog, "text", "--input-tokens", "5", "--at", "2025-01-01T00:00:00Z")
    assert code == 0
    assert "not as of 2025-01-01T00:00:00Z" in " ".join(out.split())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope", "--input-tokens", "1"], "unknown model 'nope'"),
        (["TEXT", "--input-tokens", "1"], "unknown model 'TEXT'"),
        (["text", "--images", "2"], "no price for images"),
        (["text"], "nothing to price"),
        (["gpt-image-2", "--resolution", "8K"], "pricing.quality.8K"),
        (["music-durations", "--seconds", "59"], "no tier of pricing.durations"),
        (["video", "--seconds", "5"], "no pricing variant"),
    ],
)
def test_refused_requests_exit_1(catalog: Path, args: list[str], words: str) -> None:
    code, out, err = run(catalog, *args)
    assert code == 1
    assert out == ""
    assert words in " ".join(err.split())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["text", "--input-tokens", "-1"], "--input-tokens: must not be negative"),
        (["text", "--input-tokens", "ten"], "--input-tokens: must be a number"),
        (["text", "--input-tokens", "1.5"], "--input-tokens: must be a whole number"),
        (["gpt-image-2", "--upscale", "3x"], "--upscale: must be '2x' or '4x'"),
        (["text", "--input-tokens", "1", "--at", "yesterday"], "--at: must be an ISO 8601"),
        (["text", "--input-tokens", "1", "--url", "http://x"], "either --catalog or --url"),
    ],
)
def test_bad_arguments_exit_2(catalog: Path, args: list[str], words: str) -> None:
    code, _, err = run(catalog, *args)
    assert code == 2
    assert words in " ".join(err.split())


def test_unreadable_catalog_exits_2(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "missing", "text", "--input-tokens", "1")
    assert code == 2 and "no such file or directory" in err


def test_bundled_catalog_is_the_default_without_a_store(tmp_path: Path) -> None:
    no_store = {"XDG_DATA_HOME": str(tmp_path), "MODELCATALOG_DATA_DIR": ""}
    args = ["quote", "gpt-image-2", "--quality", "medium", "--json"]
    result = runner.invoke(app, args, env=no_store)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["usd"] == "0.07"


def test_unreachable_service_exits_3() -> None:
    result = runner.invoke(
        app, ["quote", "text", "--input-tokens", "1", "--url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 3 and "cannot reach" in result.stderr
