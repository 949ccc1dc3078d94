"""HTTP protocol edges on raw sockets against a real server: ``Expect: 100-continue``,
trailers, ``WWW-Authenticate`` and 405 with ``Allow``.

Each test runs against both HTTP protocols: :class:`~modelcatalog.api.direct.DirectReadProtocol`
(reads it can answer from the parser take the direct path, everything else the ASGI path) and
uvicorn's own with the head limits (``http_fast_path = false``).
"""

from __future__ import annotations

import copy
from pathlib import Path

import httpx
import orjson
import pytest

from tests.api.catalogs import BETA, DEFAULT, records, write_dump
from tests.e2e.conftest import ServerFactory
from tests.e2e.conftest import http_fast_path as http_fast_path  # both protocols
from tests.hardening.conftest import (
    StoreServer,
    assert_alive,
    connect,
    exchange,
    read_response,
    request,
)

pytestmark = pytest.mark.e2e

USAGE = b'{"input_tokens": 1000}'


def _chunked_with_trailer(method: str, path: str, trailer: str, body: bytes = b"") -> bytes:
    chunks = (b"%x\r\n%s\r\n" % (len(body), body)) if body else b""
    head = request(method, path, "Transfer-Encoding: chunked", "Trailer: Authorization")
    return head + chunks + b"0\r\n" + trailer.encode() + b"\r\n\r\n"


def test_expect_100_continue_on_a_read_is_answered(store_server: StoreServer) -> None:
    server = store_server.server
    plain = exchange(server, request("GET", "/api/v1/models", "Expect: 100-continue"))
    assert plain.status == 200 and b'"object":"list"' in plain.body
    # Declaring a body it withholds until "100 Continue": answered at once, with a refusal
    # (reads take no body), on a connection that is then closed rather than left waiting.
    withheld = request("GET", "/api/v1/models", "Expect: 100-continue", "Content-Length: 5")
    refused = exchange(server, withheld)
    assert refused.status == 413 and refused.interim == []
    assert refused.headers["connection"] == "close"
    refused.error()
    assert_alive(server)


def test_expect_100_continue_on_a_quote_gets_100_then_the_quote(store_server: StoreServer) -> None:
    headers = ("Expect: 100-continue", f"Content-Length: {len(USAGE)}")
    with connect(store_server.server) as sock:
        sock.sendall(request("POST", f"/api/v1/models/{DEFAULT}/quote", *headers))
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(USAGE)
        answer = read_response(sock)
    assert answer.status == 200 and orjson.loads(answer.body)["id"] == DEFAULT


def test_an_authorization_trailer_never_authenticates_a_read(store_server: StoreServer) -> None:
    server, key = store_server.server, store_server.beta_key
    path = f"/api/v1/models/{BETA}"
    with_header = exchange(server, request("GET", path, f"Authorization: Bearer {key}"))
    assert with_header.status == 200  # the key does show the beta model
    as_trailer = _chunked_with_trailer("GET", path, f"Authorization: Bearer {key}")
    answer = exchange(server, as_trailer)
    assert answer.status == 404 and answer.error()["details"] == {"id": BETA}


def test_an_authorization_trailer_never_authenticates_a_quote(store_server: StoreServer) -> None:
    server, key = store_server.server, store_server.beta_key
    path = f"/api/v1/models/{BETA}/quote"
    headers = (f"Authorization: Bearer {key}", f"Content-Length: {len(USAGE)}")
    assert exchange(server, request("POST", path, *headers, body=USAGE)).status == 200
    answer = exchange(server, _chunked_with_trailer("POST", path, headers[0], USAGE))
    assert answer.status == 404
    answer.error()


def test_an_authorization_trailer_never_authenticates_an_admin_request(
    store_server: StoreServer,
) -> None:
    server, key = store_server.server, store_server.admin_key
    assert exchange(server, request("GET", "/admin/v1/versions", f"Authorization: Bearer {key}"))
    answer = exchange(
        server, _chunked_with_trailer("GET", "/admin/v1/versions", f"Authorization: Bearer {key}")
    )
    assert answer.status == 401 and answer.headers["www-authenticate"].startswith("Bearer")
    write = _chunked_with_trailer(
        "POST", f"/admin/v1/models/{DEFAULT}/retire", f"Authorization: Bearer {key}", b"{}"
    )
    assert exchange(server, write).status == 401


@pytest.mark.parametrize(
    "authorization", [None, "Bearer mc_not-a-key-at-all", "Basic Zm9vOmJhcg=="]
)
def test_every_401_names_the_bearer_scheme(
    store_server: StoreServer, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"authorization": authorization}
    for method, path in (("GET", "/admin/v1/versions"), ("POST", "/admin/v1/models")):
        answer = httpx.request(method, f"{store_server.server.url}{path}", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert set(answer.json()) == {"error"}


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_a_quote_path_with_the_wrong_method_is_405_with_allow(
    store_server: StoreServer, method: str
) -> None:
    for model_id in ("no-such-model", DEFAULT, "acme/no-such-model"):
        raw = request(method, f"/api/v1/models/{model_id}/quote", "Content-Length: 0")
        answer = exchange(store_server.server, raw, head=method == "HEAD")
        assert answer.status == 405, (model_id, answer)
        assert answer.headers["allow"] == "POST"
        if method != "HEAD":
            answer.error()


def test_a_model_whose_id_ends_in_quote_still_reads(serve: ServerFactory, tmp_path: Path) -> None:
    record = copy.deepcopy(records()[DEFAULT])
    record["id"] = "acme/quote"
    record.pop("x-catalog", None)
    server = serve("--catalog", str(write_dump(tmp_path / "dump.json", [record])))
    answer = httpx.get(f"{server.url}/api/v1/models/acme/quote")
    assert answer.status_code == 200 and answer.json()["id"] == "acme/quote"
    missing = httpx.get(f"{server.url}/api/v1/models/acme/other/quote")
    assert missing.status_code == 405 and missing.headers["allow"] == "POST"


def test_expect_100_continue_with_a_body_over_the_limit_is_refused_unsent(
    store_server: StoreServer,
) -> None:
    headers = ("Expect: 100-continue", f"Content-Length: {1024 * 1024}")
    answer = exchange(
        store_server.server, request("POST", f"/api/v1/models/{DEFAULT}/quote", *headers)
    )
    assert answer.status == 413 and answer.interim == []  # never asked for the body
    assert answer.headers["connection"] == "close"
    assert answer.error()["details"] == {"limit": 64 * 1024}
    assert_alive(store_server.server)
