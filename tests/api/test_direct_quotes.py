"""Quotes answered from the HTTP parser send exactly what the ASGI route sends, and count."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import httpx
import pytest
import yaml

from modelcatalog.api import CatalogApp, CatalogState, build_service, create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.settings import Settings
from tests.api.catalogs import (
    BETA,
    CODER,
    DEFAULT,
    DEPRECATION_STARTS,
    IMAGE,
    REMOVED,
    REMOVES,
    RETIRING,
    SLASHED,
    SUCCESSOR,
    snapshot_of,
    write_catalog,
)
from tests.api.conftest import BETA_KEY, PLAIN_KEY, STAFF_KEY, MovableClock

pytestmark = pytest.mark.anyio

#: The names a quote may be asked for: ids, a trait, an alias, a slashed id, a beta model, a
#: deprecated one with autoRemap, a removed one without it, and nothing at all.
NAMES = [DEFAULT, "default", "gpt-4o", SLASHED, BETA, RETIRING, CODER, IMAGE, "no-such-model"]
#: Usages: priced, unpriceable for most models, malformed in each way, empty.
BODIES = [
    b'{"input_tokens": 150000, "cache_read_tokens": 4000, "output_tokens": 4000}',
    b'{"audio_seconds": 90}',
    b'{"images": 2}',
    b'{"input_tokens": -1}',
    b'{"input_tokens": 1.5e3}',
    b'{"nonsense": 1}',
    b'{"input_tokens": 1',
    b"[" * 80 + b"]" * 80,
    b"\xff\xfe",
    b"",
]
CALLERS = [
    {},
    {"authorization": f"Bearer {BETA_KEY}"},
    {"authorization": f"Bearer {STAFF_KEY}", "origin": "https://example.com"},
    {"authorization": f"Bearer {PLAIN_KEY}"},
]


def removed_without_remap(root: Path) -> Path:
    """The test catalog, with CODER deprecated and removed at REMOVES without autoRemap."""
    catalog = write_catalog(root)
    path = catalog / "text" / f"{CODER}.yaml"
    record = yaml.safe_load(path.read_text())
    record["model_spec"]["deprecation"] = {
        "autoRemap": False,
        "date": REMOVES,
        "removesAt": REMOVES,
        "replacementModelId": SUCCESSOR,
        "startsAt": DEPRECATION_STARTS,
    }
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    return catalog


@pytest.fixture
def quoting(tmp_path: Path, settings: Settings) -> tuple[CatalogApp, MovableClock]:
    clock = MovableClock(REMOVED)  # RETIRING remapped, CODER removed
    state = CatalogState(snapshot_of(removed_without_remap(tmp_path)), clock)
    return create_app(settings, state, groups=[quote_routes]), clock


async def test_direct_quotes_equal_the_asgi_route(
    quoting: tuple[CatalogApp, MovableClock],
) -> None:
    app, _ = quoting
    statuses = set()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        for name, body, caller in itertools.product(NAMES, BODIES, CALLERS):
            path = f"/api/v1/models/{name}/quote"
            served = await client.post(path, content=body, headers=caller)
            model_id = app.quote_target(path.encode())
            assert model_id == name
            raw = [(k.encode(), v.encode()) for k, v in caller.items()]
            direct = app.answer_quote(model_id, raw, body)
            expected = (served.status_code, served.headers.raw, served.content)
            assert direct == expected, (name, body, caller)
            statuses.add(served.status_code)
    assert statuses == {200, 400, 404, 410, 422}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/models/quote",  # no id
        "/api/v1/models//quote",
        f"/api/v1/models/{DEFAULT}/quote/",
        f"/api/v1/models/{DEFAULT}",
        "/api/v1/models/qwen3%2Dnext-80b/quote",  # uvicorn decodes it; the framework routes it
        "/api/v1/models/caf\xc3\xa9/quote",
        "/healthz",
    ],
)
async def test_other_paths_are_no_direct_quotes(
    quoting: tuple[CatalogApp, MovableClock], path: str
) -> None:
    app, _ = quoting
    assert app.quote_target(path.encode("latin-1")) is None


async def test_no_direct_quotes_without_the_quote_route(app: CatalogApp) -> None:
    assert app.quotes is None
    assert app.quote_target(f"/api/v1/models/{DEFAULT}/quote".encode()) is None


async def test_the_access_log_switches_direct_quotes_off(state: CatalogState) -> None:
    app = build_service(Settings.load(access_log=True), snapshot=state.snapshot)
    assert app.quotes is not None
    assert app.quote_target(f"/api/v1/models/{DEFAULT}/quote".encode()) is None


async def test_direct_quotes_are_counted_like_direct_reads(state: CatalogState) -> None:
    app = build_service(Settings.load(), snapshot=state.snapshot)
    path = f"/api/v1/models/{DEFAULT}/quote".encode()
    model_id = app.quote_target(path)
    assert model_id is not None
    for body in (b'{"input_tokens": 10}', b'{"input_tokens": 20}', b"{"):
        app.answer_quote(model_id, [], body)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        await client.post(path.decode(), content=b'{"input_tokens": 30}')  # the ASGI route
        metrics = (await client.get("/metrics")).text
    route = 'route="/api/v1/models/{id}/quote"'
    assert re.search(rf"^modelcatalog_direct_reads_total\{{{route}\}} 3.0$", metrics, re.M)
    requests = rf'^modelcatalog_requests_total\{{{route},status="(\d+)"\}} (\S+)$'
    assert dict(re.findall(requests, metrics, re.M)) == {"200": "3.0", "400": "1.0"}
    assert re.search(
        rf"^modelcatalog_request_duration_seconds_count\{{{route}\}} 4.0$", metrics, re.M
    )
