"""Reads answered from the HTTP parser, on the wire: order, HEAD, keep-alive, metrics."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import httpx

from tests.api.catalogs import DEFAULT
from tests.e2e.conftest import Server

Response = tuple[int, dict[str, str], bytes]


def _exchange(server: Server, raw: bytes) -> bytes:
    """Send ``raw`` on one connection and read until the server closes it."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _responses(data: bytes, heads: frozenset[int] = frozenset()) -> list[Response]:
    """Split a stream of HTTP/1.1 responses into parts; ``heads`` are answers to HEAD."""
    found: list[Response] = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        status = int(lines[0].split()[1])
        bodiless = status == 304 or len(found) in heads
        length = 0 if bodiless else int(headers["content-length"])
        found.append((status, headers, rest[:length]))
        data = rest[length:]
    return found


def _request(method: str, path: str, *extra: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: catalog", *extra, "", ""]).encode()


def test_pipelined_requests_are_answered_in_order(test_catalog_server: Server) -> None:
    plain = {"Accept-Encoding": "identity"}
    etag = httpx.get(f"{test_catalog_server.url}/api/v1/models", headers=plain).headers["etag"]
    raw = b"".join(
        [
            _request("GET", "/api/v1/models/traits"),
            _request("GET", "/api/v1/models/no-such-model"),  # an error: the ASGI path
            _request("HEAD", "/api/v1/models"),
            _request("GET", "/api/v1/models", f"If-None-Match: {etag}"),
            _request("GET", f"/api/v1/models/{DEFAULT}", "Connection: close"),
        ]
    )
    responses = _responses(_exchange(test_catalog_server, raw), heads=frozenset({2}))

    assert [status for status, _, _ in responses] == [200, 404, 200, 304, 200]
    assert b'"object":"list"' in responses[0][2]
    assert responses[1][2].startswith(b'{"error":')
    _, head_headers, head_body = responses[2]
    assert head_body == b"" and int(head_headers["content-length"]) > 0
    assert responses[3][1]["etag"] == etag
    assert responses[4][1]["connection"] == "close"
    assert f'"id":"{DEFAULT}"'.encode() in responses[4][2]


def test_http_1_0_gets_one_answer_and_a_closed_connection(test_catalog_server: Server) -> None:
    raw = b"GET /api/v1/models?type=all HTTP/1.0\r\nHost: catalog\r\n\r\n"
    [(status, headers, body)] = _responses(_exchange(test_catalog_server, raw))
    assert status == 200 and headers["connection"] == "close"
    assert len(body) == int(headers["content-length"])
    assert "date" in headers


def test_reads_answered_directly_are_counted(test_catalog_server: Server) -> None:
    def served(status: str) -> float:
        metrics = httpx.get(f"{test_catalog_server.url}/metrics").text
        labels = f'route="/api/v1/models/traits",status="{status}"'
        pattern = rf"modelcatalog_requests_total\{{{labels}\}} (\S+)"
        match = re.search(pattern, metrics)
        return float(match.group(1)) if match else 0.0

    before = served("200")
    with httpx.Client(base_url=test_catalog_server.url) as client:
        for _ in range(5):
            assert client.get("/api/v1/models/traits").status_code == 200
    assert served("200") == before + 5
