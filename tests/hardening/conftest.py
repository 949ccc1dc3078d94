"""A real ``modelcatalog serve`` on a SQLite store with keys, and raw HTTP/1.1 over sockets.

Refusals are checked on the wire: status, the JSON error envelope, and that the service is
still there afterwards (a new connection is answered, the process has not exited).
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from tests.e2e.conftest import MODELCATALOG, Server, protocol_env, start_server
from tests.e2e.conftest import serve as serve  # the fixture, for tests of other catalogs

#: Long enough for a loaded machine; a hang shows as a timeout, never as a pass.
TIMEOUT_S = 20.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Interim (1xx) status lines received before the final response.
    interim: list[int] = field(default_factory=list)

    def error(self) -> dict[str, object]:
        """The error envelope: ``{"error": str, "details"?: {...}}``, and nothing else."""
        assert self.headers["content-type"].startswith("application/json"), self.headers
        body = orjson.loads(self.body)
        assert isinstance(body, dict) and isinstance(body.get("error"), str), body
        assert set(body) <= {"error", "details"}, body
        return body


@dataclass
class StoreServer:
    server: Server
    admin_key: str
    beta_key: str

    @property
    def port(self) -> int:
        return int(urlsplit(self.server.url).port or 0)

    def admin(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.admin_key}"}


def create_key(data_dir: Path, name: str, *flags: str) -> str:
    done = subprocess.run(
        [MODELCATALOG, "keys", "create", name, *flags, "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return str(orjson.loads(done.stdout)["key"])


@pytest.fixture(scope="module")
def http_fast_path() -> bool:
    """The protocol as shipped; the protocol and limit tests import e2e's, which runs both."""
    return True


@pytest.fixture(scope="module")
def store_server(
    tmp_path_factory: pytest.TempPathFactory, http_fast_path: bool
) -> Iterator[StoreServer]:
    """The bundled catalog (which has a beta model) on a store, with an admin and a beta key."""
    root = tmp_path_factory.mktemp("hardening")
    data_dir = root / "data"
    admin = create_key(data_dir, "ops", "--admin")
    beta = create_key(data_dir, "tester", "--beta")
    server = start_server(root, "--data-dir", str(data_dir), env=protocol_env(http_fast_path))
    yield StoreServer(server, admin, beta)
    server.stop()


def port_of(server: Server) -> int:
    return int(urlsplit(server.url).port or 0)


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port_of(server)), timeout=TIMEOUT_S)


def request(method: str, target: str, *headers: str, body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 request; give ``Content-Length`` or ``Transfer-Encoding`` yourself."""
    head = "\r\n".join([f"{method} {target} HTTP/1.1", "Host: catalog", *headers, "", ""])
    return head.encode("latin-1") + body


def read_response(sock: socket.socket, *, head: bool = False) -> Response:
    """Read one response (after any 1xx) from ``sock``; fails on a reset or a timeout."""
    buffer = b""
    interim: list[int] = []
    while True:
        while b"\r\n\r\n" not in buffer:
            buffer += _recv(sock)
        raw_head, _, buffer = buffer.partition(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        if 100 <= status < 200:
            interim.append(status)
            continue
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = 0 if head or status == 304 else int(headers.get("content-length", "0"))
        while len(buffer) < length:
            buffer += _recv(sock)
        return Response(status, headers, buffer[:length], interim)


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise AssertionError("the server closed the connection without a (whole) response")
    return chunk


def exchange(server: Server, raw: bytes, *, head: bool = False) -> Response:
    """Send ``raw`` on a new connection and read one response."""
    with connect(server) as sock:
        sock.sendall(raw)
        return read_response(sock, head=head)


def assert_alive(server: Server) -> None:
    """The process is still running and a new connection is answered."""
    assert server.process.poll() is None, server.log.read_text()
    answer = httpx.get(f"{server.url}/healthz", timeout=TIMEOUT_S)
    assert answer.status_code == 200


def rss_bytes(server: Server) -> int:
    """Resident memory of the server process (Linux /proc)."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024
