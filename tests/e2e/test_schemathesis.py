"""schemathesis against a real server process, from the OpenAPI document it serves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


def test_no_server_errors_over_http(test_catalog_server: Server, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{test_catalog_server.url}/api/v1/openapi.yaml",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "25",
            "--generation-deterministic",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts and int(counts[1]) > 100 and counts[1] == counts[2], result.stdout[-2000:]
