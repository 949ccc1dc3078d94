"""``modelcatalog models``: tables that fit 80 columns, ``--json`` that is the API's JSON, from
a running service (``--url``, ``MODELCATALOG_URL``) or the store it serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.cli import app
from tests.e2e.conftest import Server, start_server
from tests.store.servers import run_cli

pytestmark = pytest.mark.e2e

WIDTH = 80
runner = CliRunner(env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"})
BETA = "qwen3-6-35b-a3b"


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    """A store-backed server, a staff key for it, and its data directory."""
    root = tmp_path_factory.mktemp("models-cli")
    data_dir = root / "data"
    done = run_cli("keys", "create", "ops", "--staff", "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    server = start_server(root, "--data-dir", str(data_dir))
    yield server, str(orjson.loads(done.stdout)["key"]), data_dir
    server.stop()


def models(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, ["models", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--type", "all"],
        ["show", "gpt-image-2"],
        ["show", "qwen3-next-80b"],
        ["traits"],
        ["traits", "--type", "image"],
        ["resolve", "qwen3-next-80b"],
    ],
)
def test_tables_fit_80_columns(args: list[str]) -> None:
    out = models(*args, "--catalog", str(BUNDLED_CATALOG))
    assert out.strip()
    assert max(len(line) for line in out.splitlines()) <= WIDTH, out


def test_json_is_the_apis_json(staff_server: tuple[Server, str, Path]) -> None:
    server, key, data_dir = staff_server
    auth = {"authorization": f"Bearer {key}"}
    reads = {
        ("list", "--type", "all"): "/api/v1/models?type=all",
        ("show", "openai/whisper-large-v3"): "/api/v1/models/openai/whisper-large-v3",
        ("traits", "--type", "image"): "/api/v1/models/traits?type=image",
        ("resolve", "gpt-4o"): "/api/v1/models/resolve?model=gpt-4o",
    }
    for args, path in reads.items():
        served = httpx.get(server.url + path, headers=auth).json()
        remote = models(*args, "--json", "--url", server.url, "--api-key", key)
        from_env = models(*args, "--json", "--api-key", key, env={"MODELCATALOG_URL": server.url})
        # The store the server serves, read in process, as a staff key reads it.
        local = models(*args, "--json", "--data-dir", str(data_dir))
        assert json.loads(remote) == json.loads(from_env) == json.loads(local) == served, args


def test_an_anonymous_service_read_hides_beta_models(
    staff_server: tuple[Server, str, Path],
) -> None:
    server, key, _ = staff_server
    anonymous = models("list", "--json", "--url", server.url)
    staff = models("list", "--json", "--url", server.url, "--api-key", key)
    assert BETA not in anonymous and BETA in staff


def test_capabilities_filter_the_listing() -> None:
    out = models(
        "list", "--capability", "supportsVision", "--capability", "supportsReasoning", "--json",
        "--catalog", str(BUNDLED_CATALOG),
    )  # fmt: skip
    listed = json.loads(out)["data"]
    assert listed
    for model in listed:
        capabilities = model["model_spec"]["capabilities"]
        assert capabilities["supportsVision"] and capabilities["supportsReasoning"]
    everything = json.loads(models("list", "--json", "--catalog", str(BUNDLED_CATALOG)))["data"]
    assert len(listed) < len(everything)


def test_resolve_names_the_steps_and_suggests() -> None:
    out = models("resolve", "gpt-4o", "--catalog", str(BUNDLED_CATALOG))
    assert out.splitlines() == [
        "gpt-4o -> llama-3.3-70b (text)",
        "  alias: gpt-4o -> llama-3.3-70b",
    ]
    result = runner.invoke(
        app, ["models", "show", "Llama-3.3-70B", "--catalog", str(BUNDLED_CATALOG)]
    )
    assert result.exit_code == 1
    assert "did you mean llama-3.3-70b" in result.stderr
