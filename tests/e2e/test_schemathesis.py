"""schemathesis against real server processes, from the OpenAPI document each serves."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.e2e.conftest import Server, start_server
from tests.store.servers import run_cli

pytestmark = pytest.mark.e2e

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,negative_data_rejection"
)
#: Unknown query parameters are ignored (docs/api.md), so schemathesis is told not to send them
#: as invalid data. A refusal is a refusal: 412 (a stale If-Match) and 413 (a body over the
#: route's limit) and 414 (a query string over the request target's limit, which an overlong
#: parameter value makes it) reject invalid data as surely as the default list does.
CONFIG = """\
[generation]
allow-extra-parameters = false

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "414", "415",
                     "422", "428", "429"]
"""
_COUNTS = re.compile(r"(\d+) generated, (?:(\d+) passed|(\d+) found (\d+) unique failures?)")


def schemathesis(url: str, cwd: Path, *args: str, examples: int = 25) -> tuple[int, int, str]:
    """Run schemathesis on the served document: (cases generated, failures, output)."""
    config = cwd / "schemathesis.toml"
    config.write_text(CONFIG)
    result = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(config),
            "run",
            f"{url}/api/v1/openapi.yaml",
            "--checks",
            CHECKS,
            "--max-examples",
            str(examples),
            "--generation-deterministic",
            "--workers",
            "1",
            "--no-color",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
    )
    counts = _COUNTS.search(result.stdout)
    assert counts, result.stdout[-4000:] + result.stderr[-2000:]
    failures = int(counts[4]) if counts[4] else 0
    assert failures or result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return int(counts[1]), failures, result.stdout


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A store-backed server on a fresh data directory, and an admin key for it."""
    root = tmp_path_factory.mktemp("fuzzed")
    data_dir = root / "data"
    done = run_cli("keys", "create", "fuzzer", "--admin", "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    server = start_server(root, "--data-dir", str(data_dir))
    yield server, str(orjson.loads(done.stdout)["key"])
    server.stop()


def test_file_server_has_no_server_errors(test_catalog_server: Server, tmp_path: Path) -> None:
    generated, failures, output = schemathesis(
        test_catalog_server.url,
        tmp_path,
        "--include-tag",
        "Models",
        "--exclude-operation-id",
        "modelHistory",  # history needs a store
    )
    print(f"schemathesis, public routes of a catalog file: {generated} cases, {failures} failures")
    assert generated > 100 and failures == 0, output[-6000:]


@pytest.mark.parametrize(
    "selection",
    [
        # Everything but the import first: an import replaces the catalog the others fuzz.
        ("--exclude-operation-id", "adminImport"),
        # Alone, it has no links to follow: no stateful phase.
        ("--include-operation-id", "adminImport", "--phases", "examples,coverage,fuzzing"),
    ],
    ids=["all-but-import", "import"],
)
def test_every_route_conforms_with_an_admin_key(
    store_server: tuple[Server, str], tmp_path: Path, selection: tuple[str, ...]
) -> None:
    server, key = store_server
    generated, failures, output = schemathesis(
        server.url, tmp_path, *selection, "--header", f"Authorization: Bearer {key}"
    )
    print(f"schemathesis {' '.join(selection)}: {generated} cases, {failures} failures")
    assert generated > 50 and failures == 0, output[-12000:]
