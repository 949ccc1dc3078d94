"""Request limits over real HTTP: every refusal is a 4xx with the error envelope, and the
service stays up (docs/configuration.md lists the limits; api/limits.py enforces them), on
both HTTP protocols (the fast path and uvicorn's own)."""

from __future__ import annotations

import httpx
import orjson
import pytest

from tests.e2e.conftest import Server
from tests.e2e.conftest import http_fast_path as http_fast_path  # both protocols
from tests.hardening.conftest import (
    StoreServer,
    assert_alive,
    connect,
    exchange,
    read_response,
    request,
    rss_bytes,
)

pytestmark = pytest.mark.e2e

MODEL = "qwen3-5-9b"
QUOTE = f"/api/v1/models/{MODEL}/quote"
KIB, MIB = 1024, 1024 * 1024


def _refused(server: Server, raw: bytes, status: int, limit: int) -> None:
    answer = exchange(server, raw)
    assert answer.status == status, answer
    assert answer.error()["details"] == {"limit": limit}
    assert_alive(server)


def _version(store: StoreServer) -> tuple[str, str]:
    answer = httpx.get(f"{store.server.url}/admin/v1/versions", headers=store.admin())
    served = httpx.get(f"{store.server.url}/api/v1/models").headers["x-catalog-version"]
    return answer.headers["etag"], served


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def test_a_quote_nested_thousands_deep_is_a_400(store_server: StoreServer) -> None:
    body = b'{"input_tokens": 1, "x": ' + _deep(5000) + b"}"
    raw = request("POST", QUOTE, f"Content-Length: {len(body)}", body=body)
    _refused(store_server.server, raw, 400, 64)


def test_a_quote_at_the_depth_limit_is_still_parsed(store_server: StoreServer) -> None:
    # 63 levels inside the object: within the limit, so the usage itself is judged (400, but
    # for the unknown field, not for depth).
    body = b'{"x": ' + _deep(63) + b"}"
    answer = httpx.post(f"{store_server.server.url}{QUOTE}", content=body)
    assert answer.status_code == 400 and "unknown usage field" in answer.json()["error"]


def test_an_import_nested_100k_deep_is_a_400_and_changes_nothing(
    store_server: StoreServer,
) -> None:
    before = _version(store_server)
    for body in (_deep(100_000), b'{"data": ' + _deep(100_000) + b"}", b"- " * 100_000 + b"x"):
        raw = request(
            "POST",
            "/admin/v1/import",
            f"Authorization: Bearer {store_server.admin_key}",
            f"Content-Length: {len(body)}",
            body=body,
        )
        answer = exchange(store_server.server, raw)
        assert answer.status in (400, 422), answer
        answer.error()
        assert_alive(store_server.server)
    assert _version(store_server) == before


def test_a_200_mb_quote_body_is_refused_before_it_is_read(store_server: StoreServer) -> None:
    server = store_server.server
    rss = rss_bytes(server)
    head = request("POST", QUOTE, f"Content-Length: {200 * MIB}", "Content-Type: application/json")
    with connect(server) as sock:
        sock.sendall(head + b'{"input_tokens": ' + b"1" * 4096)
        answer = read_response(sock)
    assert answer.status == 413
    assert answer.error()["details"] == {"limit": 64 * KIB}
    assert_alive(server)
    assert rss_bytes(server) - rss < 16 * MIB


def test_a_chunked_quote_body_is_refused_once_it_streams_past_the_limit(
    store_server: StoreServer,
) -> None:
    server = store_server.server
    rss = rss_bytes(server)
    chunk = b" " * (16 * KIB)
    with connect(server) as sock:
        sock.sendall(request("POST", QUOTE, "Transfer-Encoding: chunked"))
        for _ in range(256):  # 4 MiB, far past the 64 KiB limit
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")
        answer = read_response(sock)
        assert answer.status == 413
        assert answer.error()["details"] == {"limit": 64 * KIB}
        # The rest of the body was drained, so the connection still serves requests.
        sock.sendall(request("GET", "/api/v1/models/traits"))
        assert read_response(sock).status == 200
    assert_alive(server)
    assert rss_bytes(server) - rss < 16 * MIB


def test_admin_writes_have_their_own_limits(store_server: StoreServer) -> None:
    auth = f"Authorization: Bearer {store_server.admin_key}"
    before = _version(store_server)
    model = "/admin/v1/models/" + MODEL
    _refused(
        store_server.server, request("PATCH", model, auth, f"Content-Length: {MIB + 1}"), 413, MIB
    )
    huge = f"Content-Length: {64 * MIB + 1}"
    _refused(store_server.server, request("POST", "/admin/v1/import", auth, huge), 413, 64 * MIB)
    assert _version(store_server) == before


def test_an_admin_write_nested_too_deep_is_a_400(store_server: StoreServer) -> None:
    body = b'{"model_spec": ' + _deep(200) + b"}"
    raw = request(
        "PATCH",
        f"/admin/v1/models/{MODEL}",
        f"Authorization: Bearer {store_server.admin_key}",
        f"Content-Length: {len(body)}",
        body=body,
    )
    _refused(store_server.server, raw, 400, 64)


@pytest.mark.parametrize("path", ["/api/v1/models", f"/api/v1/models/{MODEL}", "/healthz"])
def test_a_read_that_declares_a_body_is_a_413(store_server: StoreServer, path: str) -> None:
    _refused(store_server.server, request("GET", path, "Content-Length: 10"), 413, 0)


@pytest.mark.parametrize("path", ["/api/v1/models", QUOTE])
def test_an_oversized_header_section_is_a_431(store_server: StoreServer, path: str) -> None:
    server = store_server.server
    one_big = request("POST", path, "X-Padding: " + "a" * (20 * KIB), "Content-Length: 0")
    _refused(server, one_big, 431, 16 * KIB)
    many = request("POST", path, *[f"X-H{i}: 1" for i in range(150)], "Content-Length: 0")
    _refused(server, many, 431, 100)


def test_a_header_that_never_ends_is_refused_before_it_is_held(store_server: StoreServer) -> None:
    server = store_server.server
    rss = rss_bytes(server)
    with connect(server) as sock:
        sock.sendall(b"GET /api/v1/models HTTP/1.1\r\nHost: catalog\r\nX-Endless: ")
        for _ in range(16):
            sock.sendall(b"a" * (4 * KIB))
        answer = read_response(sock)  # answered while the header is still open
    assert answer.status == 431 and answer.error()["details"] == {"limit": 16 * KIB}
    assert answer.headers["connection"] == "close"
    assert_alive(server)
    assert rss_bytes(server) - rss < 16 * MIB


@pytest.mark.parametrize("path", ["/api/v1/models", QUOTE, "/admin/v1/versions"])
def test_an_overlong_request_target_is_a_414(store_server: StoreServer, path: str) -> None:
    method = "POST" if path == QUOTE else "GET"
    raw = request(method, f"{path}?type={'x' * 9000}", "Content-Length: 0")
    _refused(store_server.server, raw, 414, 8 * KIB)


@pytest.mark.parametrize("path", ["/api/v1/models", QUOTE, "/admin/v1/versions"])
def test_too_many_query_parameters_is_a_400(store_server: StoreServer, path: str) -> None:
    method = "POST" if path == QUOTE else "GET"
    query = "&".join(f"p{i}=1" for i in range(40))
    raw = request(method, f"{path}?{query}", "Content-Length: 0")
    _refused(store_server.server, raw, 400, 32)


def test_requests_within_every_limit_are_answered(store_server: StoreServer) -> None:
    url = store_server.server.url
    query = "&".join(f"p{i}=1" for i in range(31))
    headers = {f"x-h{i}": "v" * 100 for i in range(60)}
    assert httpx.get(f"{url}/api/v1/models?{query}", headers=headers).status_code == 200
    body = orjson.dumps({"input_tokens": 1000, "output_tokens": 10}) + b" " * (60 * KIB)
    answer = httpx.post(f"{url}{QUOTE}", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
