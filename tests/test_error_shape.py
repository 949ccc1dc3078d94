"""The envelope of every route, pinned: success shapes and the one error shape.

Every error body is ``{"error": str}`` plus, where it helps, ``"details": {...}``; nothing
else, and never a traceback. Success bodies of the Venice routes are the Venice envelopes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from modelcatalog.api import CatalogState, create_app
from modelcatalog.settings import Settings
from tests.api.catalogs import DEPRECATED, REMOVED, RETIRING, snapshot_of, write_catalog

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    clock_at = [DEPRECATED]
    state = CatalogState(snapshot_of(write_catalog(tmp_path)), lambda: clock_at[0])
    app = create_app(Settings.load(), state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        c.clock_at = clock_at  # type: ignore[attr-defined]
        yield c


def assert_error_shape(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body["error"], str) and body["error"]
    assert set(body) <= {"error", "details"}
    assert "details" not in body or isinstance(body["details"], dict)
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v1/models", {"data": list, "object": str, "type": str}),
        ("/api/v1/models?type=all", {"data": list, "object": str, "type": str}),
        ("/api/v1/models?type=code", {"data": list, "object": str, "type": str}),
        ("/api/v1/models/traits", {"data": dict, "object": str, "type": str}),
        ("/api/v1/models/compatibility_mapping", {"data": dict, "object": str, "type": str}),
        (f"/api/v1/models/{RETIRING}", {"id": str, "object": str, "type": str, "model_spec": dict}),
        ("/healthz", {"status": str, "version": str, "models": int}),
    ],
)
async def test_success_envelopes(
    client: httpx.AsyncClient, path: str, shape: dict[str, type]
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    body = response.json()
    for key, kind in shape.items():
        assert isinstance(body[key], kind), (key, body.get(key))
    if "object" in shape and "data" in shape:
        assert list(body) == ["data", "object", "type"] and body["object"] == "list"


@pytest.mark.parametrize(
    ("method", "path", "status", "details"),
    [
        ("GET", "/api/v1/models?type=nope", 400, True),
        ("GET", "/api/v1/models/traits?type=all", 400, True),
        ("GET", "/api/v1/models/compatibility_mapping?type=code", 400, True),
        ("GET", "/api/v1/models/no-such-model", 404, True),
        ("HEAD", "/api/v1/models/no-such-model", 404, None),
        ("GET", "/api/v1/models/no/such/model", 404, True),
        ("GET", "/no/such/route", 404, False),
        ("GET", "/api/v2/models", 404, False),
        ("POST", "/api/v1/models", 405, False),
        ("DELETE", "/api/v1/models/traits", 405, False),
        ("PUT", f"/api/v1/models/{RETIRING}", 405, False),
        ("POST", "/healthz", 405, False),
        ("POST", "/api/v1/openapi.yaml", 405, False),
    ],
)
async def test_error_envelopes(
    client: httpx.AsyncClient, method: str, path: str, status: int, details: bool | None
) -> None:
    response = await client.request(method, path)
    if details is None:  # HEAD: the status and headers of the GET, no body
        assert response.status_code == status and response.content == b""
        return
    body = assert_error_shape(response, status)
    assert ("details" in body) is details
    assert response.headers["cache-control"] == "no-store"


async def test_gone_envelope(client: httpx.AsyncClient) -> None:
    client.clock_at[0] = REMOVED  # type: ignore[attr-defined]
    body = assert_error_shape(await client.get(f"/api/v1/models/{RETIRING}"), 410)
    assert set(cast(dict[str, Any], body["details"])) == {"id", "removedAt", "replacementModelId"}
