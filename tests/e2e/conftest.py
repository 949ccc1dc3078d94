"""A real ``modelcatalog serve`` process on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.catalogs import write_catalog

MODELCATALOG = str(Path(sys.executable).parent / "modelcatalog")
#: The setting that selects the HTTP protocol (docs/configuration.md, ``http_fast_path``).
FAST_PATH_ENV = "MODELCATALOG_HTTP_FAST_PATH"
#: Generous: the first start compiles bytecode and validates the catalog on a loaded CI box.
_START_DEADLINE_S = 90.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> int:
        """SIGTERM and wait for the graceful exit; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_serve(
    log_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    program: str = MODELCATALOG,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``program serve ARGS`` (the test environment's own command unless told)."""
    log = log_dir / f"serve-{len(list(log_dir.glob('serve-*.log')))}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
    environment.update(env or {})
    with log.open("wb") as out:
        return subprocess.Popen(
            [program, "serve", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=cwd,
        )


def start_server(
    log_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    program: str = MODELCATALOG,
    cwd: Path | None = None,
) -> Server:
    port = free_port()
    process = run_serve(
        log_dir,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *args,
        env=env,
        program=program,
        cwd=cwd,
    )
    log = sorted(log_dir.glob("serve-*.log"), key=lambda p: p.stat().st_mtime)[-1]
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + _START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"modelcatalog serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    pytest.fail(f"modelcatalog serve did not answer /healthz:\n{log.read_text()}")


ServerFactory = Callable[..., Server]


def protocol_env(http_fast_path: bool) -> dict[str, str]:
    """The environment of a server on the fast path (the default) or on uvicorn's protocol."""
    return {} if http_fast_path else {FAST_PATH_ENV: "false"}


@pytest.fixture(scope="module", params=[True, False], ids=["fast-path", "stock-protocol"])
def http_fast_path(request: pytest.FixtureRequest) -> bool:
    """The read suite runs against both HTTP protocols: they must answer alike."""
    return bool(request.param)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServerFactory]:
    started: list[Server] = []

    def factory(*args: str, env: dict[str, str] | None = None) -> Server:
        server = start_server(tmp_path, *args, env=env)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def test_catalog_server(
    tmp_path_factory: pytest.TempPathFactory, http_fast_path: bool
) -> Iterator[Server]:
    """The API tests' catalog, frozen while its retiring model is deprecated but listed."""
    root = tmp_path_factory.mktemp("served")
    catalog = str(write_catalog(root))
    env = protocol_env(http_fast_path)
    server = start_server(root, "--catalog", catalog, "--now", "2026-12-01", env=env)
    yield server
    server.stop()
