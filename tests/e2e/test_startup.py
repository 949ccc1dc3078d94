"""What ``serve`` says when it starts, and how it refuses an address already in use."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import httpx
import pytest

from modelcatalog.cli.exits import ExitCode
from tests.api.catalogs import write_catalog
from tests.e2e.conftest import ServerFactory, free_port, run_serve

pytestmark = pytest.mark.e2e

_SERVING = re.compile(
    r"serving (?P<source>.+): catalog version (?P<version>\S+), (?P<models>\d+) models, "
    r"on (?P<url>http://\S+) with (?P<workers>\d+) workers?$",
    re.MULTILINE,
)


def _serving(log: str) -> dict[str, str]:
    found = _SERVING.findall(log)
    assert len(found) == 1, f"expected one serving line in:\n{log}"
    match = _SERVING.search(log)
    assert match is not None
    return match.groupdict()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_logs_the_file_its_version_models_address_and_workers(
    serve: ServerFactory, tmp_path: Path, workers: str
) -> None:
    catalog = write_catalog(tmp_path)
    server = serve("--catalog", str(catalog), "--workers", workers, "--now", "2026-12-01")
    every = httpx.get(f"{server.url}/api/v1/models?type=all").json()["data"]
    line = _serving(server.log.read_text())
    assert line["source"] == f"file {catalog}"
    assert line["url"] == server.url and line["workers"] == workers
    ready = httpx.get(f"{server.url}/readyz").json()
    assert (line["version"], int(line["models"])) == (ready["version"], ready["models"])
    assert int(line["models"]) >= len(every) > 0


def test_a_busy_port_exits_with_the_documented_code_and_says_why(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        process = run_serve(tmp_path, "--host", "127.0.0.1", "--port", str(port))
        code = process.wait(timeout=120)
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert code == ExitCode.CANNOT_LISTEN and int(ExitCode.CANNOT_LISTEN) == 4, log
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in log
    assert "another process listens there" in log
    assert "Traceback" not in log and "serving " not in log
