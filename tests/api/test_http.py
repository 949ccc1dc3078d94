"""HTTP behaviour of the read routes: ETags, 304, compression, CORS, methods, headers."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import brotli  # type: ignore[import-untyped]
import httpx
import pytest

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.api.http import choose_coding, etag_matches
from modelcatalog.settings import Settings
from tests.api.catalogs import SLASHED

pytestmark = pytest.mark.anyio

ROUTES = [
    "/api/v1/models",
    "/api/v1/models?type=all",
    "/api/v1/models/traits",
    "/api/v1/models/compatibility_mapping?type=tts",
    f"/api/v1/models/{SLASHED}",
]


@dataclass
class Raw:
    headers: httpx.Headers
    content: bytes


async def raw(client: httpx.AsyncClient, path: str, **headers: str) -> Raw:
    """A response whose body is left as sent (httpx would decode gzip)."""
    request = client.build_request("GET", path, headers=headers)
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return Raw(response.headers, body)


@pytest.mark.parametrize("path", ROUTES)
async def test_if_none_match_gives_304_without_body(client: httpx.AsyncClient, path: str) -> None:
    first = await client.get(path, headers={"Accept-Encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    again = await client.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["x-catalog-version"] == first.headers["x-catalog-version"]
    for listed in (f'"nope", {etag}', f"W/{etag}", "*"):
        matched = await client.get(
            path, headers={"If-None-Match": listed, "Accept-Encoding": "identity"}
        )
        assert matched.status_code == 304
    stale = await client.get(
        path, headers={"If-None-Match": '"stale"', "Accept-Encoding": "identity"}
    )
    assert stale.status_code == 200 and stale.content == first.content


@pytest.mark.parametrize("path", ROUTES)
async def test_gzip_and_brotli_decode_to_the_identity_bytes(
    client: httpx.AsyncClient, path: str
) -> None:
    plain = await raw(client, path, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = await raw(client, path, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped.headers["content-length"]) == len(zipped.content)
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert zipped.headers["vary"].startswith("Accept-Encoding")
    best = await raw(client, path, **{"Accept-Encoding": "gzip, deflate, br"})
    if best.headers.get("content-encoding") == "br":
        assert brotli.decompress(best.content) == plain.content
        assert len(best.content) < len(zipped.content)
    else:
        assert best.headers["content-encoding"] == "gzip"


async def test_brotli_is_served_for_the_big_listing(client: httpx.AsyncClient) -> None:
    response = await raw(client, "/api/v1/models?type=all", **{"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br"


def test_content_negotiation_honours_quality_values() -> None:
    assert choose_coding(b"gzip, br", True) == "br"
    assert choose_coding(b"gzip, br", False) == "gzip"
    assert choose_coding(b"br;q=0, gzip;q=0.5", True) == "gzip"
    assert choose_coding(b"gzip;q=0", True) == "identity"
    assert choose_coding(b"*", True) == "br"
    assert choose_coding(b"deflate", True) == "identity"
    assert choose_coding(b"GZIP;Q=1", True) == "gzip"


def test_etag_comparison_is_weak_for_if_none_match() -> None:
    assert etag_matches(b'"a"', b'"a"')
    assert etag_matches(b'W/"a"', b'"a"')
    assert etag_matches(b'"b" , "a"', b'"a"')
    assert not etag_matches(b'"ab"', b'"a"')


@pytest.mark.parametrize("path", ROUTES)
async def test_head_has_the_headers_and_no_body(client: httpx.AsyncClient, path: str) -> None:
    get = await client.get(path, headers={"Accept-Encoding": "identity"})
    head = await client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize("path", ROUTES)
async def test_read_headers(client: httpx.AsyncClient, app: CatalogApp, path: str) -> None:
    response = await client.get(path)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-catalog-version"] == app.state.snapshot.version
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/api/v1/models")
    assert response.status_code == 405
    assert response.json() == {"error": f"Method {method} not allowed; allowed: GET, HEAD"}
    assert response.headers["allow"] == "GET, HEAD"


async def test_preflight_allows_get_from_any_origin(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/models",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"]


async def test_listed_origins_only(state: CatalogState) -> None:
    settings = Settings.load(cors_origins="https://good.example, http://localhost:3000")
    app = create_app(settings, state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        good = await c.get("/api/v1/models", headers={"Origin": "https://good.example"})
        assert good.headers["access-control-allow-origin"] == "https://good.example"
        assert "Origin" in good.headers["vary"]
        bad = await c.get("/api/v1/models", headers={"Origin": "https://evil.example"})
        assert bad.status_code == 200 and "access-control-allow-origin" not in bad.headers
        refused = await c.options(
            "/api/v1/models",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        health = await c.get("/healthz", headers={"Origin": "http://localhost:3000"})
        assert health.headers["access-control-allow-origin"] == "http://localhost:3000"


async def test_model_ids_are_case_sensitive_and_may_hold_dots_and_slashes(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get(f"/api/v1/models/{SLASHED}")).json()["id"] == SLASHED
    assert (await client.get("/api/v1/models/llama-3.2-3b")).json()["id"] == "llama-3.2-3b"
    missing = await client.get("/api/v1/models/LLAMA-3.2-3B")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "Model not found: LLAMA-3.2-3B",
        "details": {"id": "LLAMA-3.2-3B"},
    }


async def test_traits_and_mapping_reject_all_and_code(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/models/traits", "/api/v1/models/compatibility_mapping"):
        for value in ("all", "code", "nope"):
            response = await client.get(path, params={"type": value})
            assert response.status_code == 400
            assert "'video'" in response.json()["details"]["type"]["_errors"][0]


async def test_empty_maps_are_200(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/models/compatibility_mapping?type=video")
    assert response.status_code == 200
    assert response.json() == {"data": {}, "object": "list", "type": "video"}
