"""The request limits on the ASGI path alone, in process (no HTTP parser in front), and the
depth count that runs before any JSON parser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from modelcatalog.api import CatalogState, create_app
from modelcatalog.api.limits import nesting_depth
from modelcatalog.api.quote import quote_routes
from modelcatalog.settings import Settings
from tests.api.catalogs import DEFAULT

pytestmark = pytest.mark.anyio

QUOTE = f"/api/v1/models/{DEFAULT}/quote"


@pytest.fixture
async def quoting(settings: Settings, state: CatalogState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, state, groups=[quote_routes])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


def _limit(answer: httpx.Response, status: int) -> int:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "details"} and isinstance(body["error"], str)
    return int(body["details"]["limit"])


async def test_header_section_limits(quoting: httpx.AsyncClient) -> None:
    many = {f"x-h{i}": "1" for i in range(120)}
    assert _limit(await quoting.get("/api/v1/models", headers=many), 431) == 100
    big = {"x-padding": "a" * 20_000}
    assert _limit(await quoting.get("/api/v1/models", headers=big), 431) == 16 * 1024


async def test_target_limits(quoting: httpx.AsyncClient) -> None:
    assert _limit(await quoting.get("/api/v1/models?type=" + "x" * 9000), 414) == 8 * 1024
    params = "&".join(f"p{i}=1" for i in range(33))
    assert _limit(await quoting.get(f"/api/v1/models?{params}"), 400) == 32
    within = "&".join(f"p{i}=1" for i in range(32))
    assert (await quoting.get(f"/api/v1/models?{within}")).status_code == 200


async def test_a_streamed_body_is_refused_past_the_limit(quoting: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 1
            yield b" " * 4096

    answer = await quoting.post(QUOTE, content=chunks())
    assert _limit(answer, 413) == 64 * 1024
    assert sent < 64  # refused as it passed the limit, not after reading it all


async def test_a_declared_length_is_refused_before_reading(quoting: httpx.AsyncClient) -> None:
    answer = await quoting.post(QUOTE, content=b"{}" + b" " * (64 * 1024))
    assert _limit(answer, 413) == 64 * 1024
    assert _limit(await quoting.request("GET", "/api/v1/models", content=b"x"), 413) == 0


async def test_json_depth(quoting: httpx.AsyncClient) -> None:
    deep = b'{"x": ' + b"[" * 64 + b"]" * 64 + b"}"
    assert _limit(await quoting.post(QUOTE, content=deep), 400) == 64
    # Brackets inside strings are text: the usage is judged on its fields instead.
    text = b'{"x": "' + b'[\\"{' * 5000 + b'"}'
    answer = await quoting.post(QUOTE, content=text)
    assert answer.status_code == 400 and "unknown usage field" in answer.json()["error"]


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"", 0),
        (b"1", 0),
        (b"{}", 1),
        (b'[{"a": [1, {"b": []}]}]', 5),
        (b'["]]]]", "\\"[[[", {"k\\\\": "{"}]', 2),
        (b"[" * 100_000 + b"]" * 100_000, 100_000),
    ],
)
def test_nesting_depth_ignores_brackets_in_strings(text: bytes, depth: int) -> None:
    assert nesting_depth(text) == depth
