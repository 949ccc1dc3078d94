"""Reads answered from the HTTP parser send exactly what the ASGI path sends."""

from __future__ import annotations

import itertools

import httpx
import pytest

from modelcatalog.api import CatalogApp, CatalogState, build_service
from modelcatalog.settings import Settings
from tests.api.catalogs import BETA, DEFAULT, RETIRING
from tests.api.conftest import BETA_KEY, STAFF_KEY

pytestmark = pytest.mark.anyio

PATHS = [
    "/api/v1/models",
    "/api/v1/models?type=all",
    "/api/v1/models?type=code&unknown=1",
    "/api/v1/models/traits?type=text",
    "/api/v1/models/compatibility_mapping",
    f"/api/v1/models/{DEFAULT}",
    f"/api/v1/models/{RETIRING}",
    f"/api/v1/models/{BETA}",
]
REQUEST_HEADERS = [
    {"accept-encoding": "identity"},
    {"accept-encoding": "gzip"},
    {"accept-encoding": "br, gzip", "authorization": f"Bearer {BETA_KEY}"},
    {
        "authorization": f"Bearer {STAFF_KEY}",
        "origin": "https://example.com",
        "accept-encoding": "x",
    },
]


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode()) for k, v in headers.items()]


async def test_direct_answers_equal_the_asgi_path(app: CatalogApp) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        for path, headers, method in itertools.product(PATHS, REQUEST_HEADERS, ["GET", "HEAD"]):
            request = client.build_request(method, path, headers=headers)
            served = await client.send(request, stream=True)
            served_body = b"".join([chunk async for chunk in served.aiter_raw()])
            raw_path, _, query = path.encode().partition(b"?")
            direct = app.answer_directly(raw_path, query, _raw(headers), head=method == "HEAD")
            if served.status_code != 200:
                assert direct is None, (path, headers)  # errors take the ASGI path
                continue
            assert direct == (200, served.headers.raw, served_body), (path, headers, method)
            revalidate = _raw({**headers, "if-none-match": served.headers["etag"]})
            revalidated = app.answer_directly(raw_path, query, revalidate, head=False)
            assert revalidated is not None and revalidated[0] == 304 and revalidated[2] == b""


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/models?type=nonsense",  # an error: rendered by the one error table
        "/api/v1/models/no-such-model",
        "/api/v1/models/openai/whisper-large-v3",  # a slash may start a sub-route
        "/api/v1/models?type=all&at=2026-01-01",  # history reads need the store
        "/api/v1/models/qwen3%2Dnext-80b",  # percent-encoded paths are decoded by uvicorn
        "/healthz",
    ],
)
async def test_everything_else_takes_the_asgi_path(app: CatalogApp, path: str) -> None:
    raw_path, _, query = path.encode().partition(b"?")
    assert app.answer_directly(raw_path, query, [], head=False) is None


async def test_the_access_log_switches_direct_answers_off(state: CatalogState) -> None:
    # Every request then takes the ASGI path, where it gets its log line.
    app = build_service(Settings.load(access_log=True), snapshot=state.snapshot)
    assert app.answer_directly(b"/api/v1/models", b"", [], head=False) is None
    quiet = build_service(Settings.load(), snapshot=state.snapshot)
    assert quiet.answer_directly(b"/api/v1/models", b"", [], head=False) is not None
