"""A 5,000-model catalog (bench/bench_validate.py's generator, the live API's type mix):
pages stay bounded, and any query string is a page or a 400, never a 500."""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog
from modelcatalog.catalog.sources import read_document_bytes
from modelcatalog.settings import Settings
from modelcatalog.web import page_routes
from tests.web.test_pages import ids_on

pytestmark = pytest.mark.anyio
SIZE = 5000
#: Imported by name: bench/ is scripts, outside what mypy checks.
generate_dump = importlib.import_module("bench_validate").generate_dump


@pytest.fixture(scope="module")
def large_app() -> CatalogApp:
    blob = orjson.dumps(generate_dump(SIZE))
    checked = check_catalog(read_document_bytes(blob, "dump.json"), Mode.STRICT)
    settings = Settings.load()
    state = CatalogState(CatalogSnapshot.from_checked(checked))
    return create_app(settings, state, groups=[page_routes])


@pytest.fixture
async def large(large_app: CatalogApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=large_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://big.test") as c:
        yield c


async def test_a_large_catalog_is_paginated(large: httpx.AsyncClient) -> None:
    first = await large.get("/")
    assert first.status_code == 200
    assert len(ids_on(first.text)) == 50
    assert f"of {SIZE} models" in first.text
    last = await large.get("/", params={"per_page": "200", "page": str(SIZE // 200)})
    assert len(ids_on(last.text)) == 200 and 'rel="next"' not in last.text
    past = await large.get("/", params={"per_page": "200", "page": str(SIZE // 200 + 1)})
    assert past.status_code == 400


async def test_search_and_sort_over_a_large_catalog(large: httpx.AsyncClient) -> None:
    found = await large.get("/", params={"q": "text-model-4"})
    assert all(i.startswith("text-model-4") for i in ids_on(found.text))
    widest = await large.get("/", params={"type": "text", "sort": "-context"})
    contexts = re.findall(r"<td>([\d,]+)</td>\s*<td>\d{4}-", widest.text)
    values = [int(c.replace(",", "")) for c in contexts]
    assert values and values == sorted(values, reverse=True)


_NAMES = st.sampled_from(
    [
        "q",
        "type",
        "cap",
        "privacy",
        "quantization",
        "beta",
        "deprecated",
        "sort",
        "page",
        "per_page",
    ]
)
_VALUES = st.one_of(
    st.sampled_from(
        ["text", "tts", "vision", "code", "private", "fp8", "yes", "no", "-context", "2", "200", ""]
    ),
    st.text(max_size=30),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.lists(st.tuples(_NAMES, _VALUES), max_size=6))
async def test_any_query_is_a_page_or_a_400(
    large: httpx.AsyncClient, params: list[tuple[str, str]]
) -> None:
    response = await large.get("/?" + urlencode(params))
    assert response.status_code in (200, 400), response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
