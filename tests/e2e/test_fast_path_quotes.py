"""Quotes answered from the HTTP parser, over real HTTP: the same bytes as uvicorn's protocol.

Two servers on one catalog and one frozen clock, one per ``http_fast_path`` value, get the same
raw requests (priced quotes, every error, what the fast path leaves to the ASGI route); their
answers must be identical but for the ``date`` header, and only the fast path's ``/metrics``
counts direct quotes -- exactly the requests it is meant to take.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.catalogs import BETA, CODER, DEFAULT, IMAGE, RETIRING, SLASHED
from tests.api.conftest import BETA_KEY, PLAIN_KEY
from tests.api.test_direct_quotes import removed_without_remap
from tests.e2e.conftest import Server, protocol_env, start_server

pytestmark = pytest.mark.e2e

LIMIT = 1024  # max_quote_body, at its smallest
PRICED = b'{"input_tokens": 150000, "cache_read_tokens": 4000, "output_tokens": 4000}'
SIMPLE = b'{"input_tokens": 1000, "output_tokens": 10}'
BETA_AUTH = f"Authorization: Bearer {BETA_KEY}"


class Case(NamedTuple):
    raw: bytes
    #: Whether the fast path answers it itself (else the ASGI route does, on both servers).
    direct: bool
    #: The status of the first answer (100 for ``Expect: 100-continue``).
    status: int


def _quote(
    name: str, body: bytes | None, *extra: str, target: str = "", version: str = "1.1"
) -> bytes:
    lines = [f"POST {target or f'/api/v1/models/{name}/quote'} HTTP/{version}", "Host: catalog"]
    lines += [*extra, *(() if body is None else (f"Content-Length: {len(body)}",))]
    return "\r\n".join([*lines, "", ""]).encode() + (body or b"")


def _chunked(name: str, body: bytes) -> bytes:
    head = f"POST /api/v1/models/{name}/quote HTTP/1.1\r\nHost: catalog\r\n"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:9], body[9:]))
    return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks + b"0\r\n\r\n"


def _bare(method: str, target: str) -> bytes:
    return f"{method} {target} HTTP/1.1\r\nHost: catalog\r\n\r\n".encode()


CASES = [
    Case(_quote(DEFAULT, PRICED), True, 200),
    Case(_quote("default", PRICED, BETA_AUTH, "Origin: https://example.com"), True, 200),
    Case(_quote("gpt-4o", PRICED), True, 200),  # an alias
    Case(_quote(SLASHED, b'{"audio_seconds": 90}'), True, 200),
    Case(_quote(RETIRING, SIMPLE), True, 200),  # removed, autoRemap: priced by the successor
    Case(_quote(BETA, SIMPLE), True, 404),  # unknown to anonymous callers
    Case(_quote(BETA, SIMPLE, BETA_AUTH), True, 200),
    Case(
        _quote(BETA, SIMPLE, f"Authorization: Bearer {PLAIN_KEY}", BETA_AUTH), True, 404
    ),  # the first key counts
    Case(_quote(CODER, PRICED), True, 410),  # removed without autoRemap: 410
    Case(_quote("no-such-model", PRICED), True, 404),
    Case(_quote(IMAGE, PRICED), True, 422),  # not priced by tokens: 422
    Case(_quote(DEFAULT, b'{"input_tokens": -1}'), True, 400),
    Case(_quote(DEFAULT, b'{"input_tokens": 1'), True, 400),  # not JSON
    Case(_quote(DEFAULT, b"[" * 80 + b"]" * 80), True, 400),  # too deep
    Case(_quote(DEFAULT, b""), True, 422),  # Content-Length: 0, nothing to price
    Case(_quote(DEFAULT, PRICED + b" " * (LIMIT - len(PRICED))), True, 200),  # at the limit
    Case(_quote(DEFAULT, PRICED, version="1.0"), True, 200),
    Case(_quote(DEFAULT, PRICED + b" " * (LIMIT + 1 - len(PRICED))), False, 413),  # over: 413
    Case(_quote(DEFAULT, None), False, 422),  # no Content-Length
    Case(_chunked(DEFAULT, PRICED), False, 200),
    Case(_quote(DEFAULT, PRICED, "Expect: 100-continue"), False, 100),
    Case(
        _quote(DEFAULT, PRICED, target=f"/api/v1/models/{DEFAULT}/quote?at=2026-12-01"), False, 200
    ),
    Case(
        _quote(DEFAULT, PRICED, target=f"/api/v1/models/{DEFAULT}/quote?at=yesterday"), False, 400
    ),
    Case(_quote(DEFAULT, PRICED, target="/api/v1/models/zai-org-glm-5%2D2/quote"), False, 200),
    Case(_quote(DEFAULT, PRICED, target=f"/api/v1/models/{DEFAULT}/quote/"), False, 405),
    Case(_quote(DEFAULT, PRICED, target="/api/v1/models//quote"), False, 404),
    Case(_bare("GET", f"/api/v1/models/{DEFAULT}/quote"), False, 405),
    Case(_bare("HEAD", f"/api/v1/models/{DEFAULT}/quote"), False, 405),
    Case(_bare("GET", "/api/v1/models/no-such-model/quote"), False, 405),
]
#: Requests on one connection: quotes and reads interleaved, the last one closing.
PIPELINED = [
    _quote(DEFAULT, PRICED),
    _bare("GET", "/api/v1/models/traits"),
    _quote("no-such-model", PRICED),
    _quote(DEFAULT, PRICED, target=f"/api/v1/models/{DEFAULT}/quote?at=2026-12-01"),
    _quote(SLASHED, b'{"audio_seconds": 90}', "Connection: close"),
]
DIRECT_QUOTES = 'modelcatalog_direct_reads_total{route="/api/v1/models/{id}/quote"}'


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[bool, Server]]:
    root = tmp_path_factory.mktemp("fast-path-quotes")
    settings = root / "settings.toml"
    settings.write_text(
        f'catalog = "{removed_without_remap(root)}"\nnow = "2027-02-02T00:00:00Z"\n'
        f"max_quote_body = {LIMIT}\n"
        f'cors_origins = ["https://example.com"]\n'
        f'[audience_keys]\n"{BETA_KEY}" = ["beta"]\n"{PLAIN_KEY}" = []\n'
    )
    started: dict[bool, Server] = {}
    try:
        for enabled in (True, False):
            started[enabled] = start_server(
                root, "--settings", str(settings), env=protocol_env(enabled)
            )
        yield started
    finally:
        for server in started.values():
            server.stop()


def _exchange(server: Server, raw: bytes, *, pieces: int = 1) -> bytes:
    """Send ``raw`` (in ``pieces``, apart), then ``Connection: close``; all that comes back,
    ``date`` headers removed."""
    address = urlsplit(server.url)
    closing = b"GET /api/v1/models/traits HTTP/1.1\r\nHost: catalog\r\nConnection: close\r\n\r\n"
    with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
        step = -(-len(raw) // pieces)
        for start in range(0, len(raw), step):
            sock.sendall(raw[start : start + step])
            time.sleep(0.02 if pieces > 1 else 0)
        if b"HTTP/1.0" not in raw[:200] and b"Connection: close" not in raw:
            sock.sendall(closing)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return re.sub(rb"\r\ndate: [^\r]*", b"", received)


def _direct_quotes(server: Server) -> float:
    metrics = httpx.get(f"{server.url}/metrics", timeout=20).text
    found = re.search(rf"^{re.escape(DIRECT_QUOTES)} (\S+)$", metrics, re.M)
    return 0.0 if found is None else float(found.group(1))


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_both_protocols_send_the_same_bytes(servers: dict[bool, Server], case: Case) -> None:
    direct = _exchange(servers[True], case.raw)
    stock = _exchange(servers[False], case.raw)
    assert direct.startswith(b"HTTP/1.1 %d " % case.status), direct[:300]
    assert direct == stock


def test_a_body_in_pieces_and_pipelined_quotes(servers: dict[bool, Server]) -> None:
    raw = b"".join(PIPELINED)
    direct = _exchange(servers[True], raw, pieces=7)
    assert direct == _exchange(servers[False], raw, pieces=3)
    assert direct.count(b"HTTP/1.1 200 OK") == 4 and direct.count(b"HTTP/1.1 404 ") == 1


def test_the_fast_path_takes_exactly_the_quotes_it_should(servers: dict[bool, Server]) -> None:
    for enabled, server in servers.items():
        before = _direct_quotes(server)
        for case in CASES:
            _exchange(server, case.raw)
        expected = sum(case.direct for case in CASES) if enabled else 0
        assert _direct_quotes(server) - before == expected
