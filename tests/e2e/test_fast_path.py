"""The fast path over real HTTP: it fires when on, stays silent when off, and changes no byte.

Two servers on one catalog and one frozen clock, one per ``http_fast_path`` value, get the same
raw requests; their answers must be identical but for the ``date`` header, and only the fast
path's ``/metrics`` counts direct reads.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.catalogs import DEFAULT, RETIRING, write_catalog
from tests.e2e.conftest import Server, protocol_env, start_server

pytestmark = pytest.mark.e2e

DIRECT_READS = "modelcatalog_direct_reads_total"
#: (method, target, extra header lines): every prepared read, each coding, a revalidation.
READS = [
    ("GET", "/api/v1/models", ()),
    ("GET", "/api/v1/models?type=all", ("Accept-Encoding: gzip",)),
    ("GET", "/api/v1/models?type=all", ("Accept-Encoding: br, gzip",)),
    ("HEAD", "/api/v1/models", ()),
    ("GET", "/api/v1/models/traits", ()),
    ("GET", "/api/v1/models/compatibility_mapping?type=text", ()),
    ("GET", f"/api/v1/models/{DEFAULT}", ("Origin: https://example.com",)),
    ("GET", f"/api/v1/models/{RETIRING}", ()),
    ("GET", "/api/v1/models/no-such-model", ()),  # an error: the ASGI path on both
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, Server]]:
    root = tmp_path_factory.mktemp("fast-path")
    catalog = str(write_catalog(root))
    started: dict[bool, Server] = {}
    try:
        for enabled in (True, False):
            args = ("--catalog", catalog, "--now", "2026-12-01")
            started[enabled] = start_server(root, *args, env=protocol_env(enabled))
        yield started
    finally:
        for server in started.values():
            server.stop()


def _exchange(server: Server, method: str, target: str, extra: tuple[str, ...]) -> bytes:
    """One request with ``Connection: close``; the whole answer as sent, ``date`` removed."""
    lines = [f"{method} {target} HTTP/1.1", "Host: catalog", *extra, "Connection: close"]
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
        sock.sendall("\r\n".join([*lines, "", ""]).encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return re.sub(rb"\r\ndate: [^\r]*", b"", received, count=1)


def _direct_reads(server: Server) -> dict[str, float]:
    metrics = httpx.get(f"{server.url}/metrics", timeout=20).text
    found = re.findall(rf'^{DIRECT_READS}\{{route="([^"]*)"\}} (\S+)$', metrics, re.M)
    return {route: float(count) for route, count in found}


def test_both_protocols_send_the_same_bytes(servers: dict[bool, Server]) -> None:
    for method, target, extra in READS:
        direct = _exchange(servers[True], method, target, extra)
        stock = _exchange(servers[False], method, target, extra)
        assert direct.startswith(b"HTTP/1.1 "), direct[:200]
        assert direct == stock, (method, target, extra)


def test_direct_answers_fire_with_the_fast_path_on(servers: dict[bool, Server]) -> None:
    server = servers[True]
    before = _direct_reads(server)
    for _ in range(3):
        for method, target, extra in READS:
            _exchange(server, method, target, extra)
    grown = {
        route: count - before.get(route, 0.0) for route, count in _direct_reads(server).items()
    }
    assert grown == {
        "/api/v1/models": 12.0,
        "/api/v1/models/traits": 3.0,
        "/api/v1/models/compatibility_mapping": 3.0,
        "/api/v1/models/{id}": 6.0,  # the missing model is an error: the ASGI path
    }


def test_no_direct_answer_with_the_fast_path_off(servers: dict[bool, Server]) -> None:
    server = servers[False]
    for method, target, extra in READS:
        _exchange(server, method, target, extra)
    assert _direct_reads(server) == {}
    served = httpx.get(f"{server.url}/metrics", timeout=20).text
    assert 'modelcatalog_requests_total{route="/api/v1/models",status="200"}' in served


def test_the_fast_path_setting_is_read_from_a_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'catalog = "{write_catalog(tmp_path)}"\nhttp_fast_path = false\n')
    server = start_server(tmp_path, "--settings", str(settings))
    try:
        assert httpx.get(f"{server.url}/api/v1/models", timeout=20).status_code == 200
        assert _direct_reads(server) == {}
    finally:
        server.stop()
