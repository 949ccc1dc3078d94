"""``GET /api/v1/models/resolve`` and quotes by any resolvable name, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from modelcatalog.api import CatalogState, create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.settings import Settings
from tests.api.catalogs import (
    BETA,
    DEFAULT,
    FASTEST,
    IMAGE,
    REMOVED,
    REMOVES,
    RETIRING,
    SLASHED,
    SUCCESSOR,
)
from tests.api.conftest import BETA_KEY, MovableClock, bearer

pytestmark = pytest.mark.anyio
RESOLVE = "/api/v1/models/resolve"


async def resolved(client: httpx.AsyncClient, name: str, **params: str) -> dict:  # type: ignore[type-arg]
    response = await client.get(RESOLVE, params={"model": name, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_every_kind_of_name_resolves(client: httpx.AsyncClient) -> None:
    cases = {
        DEFAULT: ("id", DEFAULT),
        "default": ("trait", DEFAULT),
        "fastest": ("trait", FASTEST),
        "gpt-4o": ("alias", DEFAULT),
        SLASHED: ("id", SLASHED),
    }
    for name, (kind, target) in cases.items():
        body = await resolved(client, name)
        assert body["object"] == "model.resolution"
        assert (body["requested"], body["model"]["id"]) == (name, target)
        assert body["via"] == [{"kind": kind, "from": name, "to": target}]


async def test_the_model_is_the_record_as_retrieved(client: httpx.AsyncClient) -> None:
    body = await resolved(client, "gpt-4o")
    record = (await client.get(f"/api/v1/models/{DEFAULT}")).json()
    assert body["model"] == record
    assert body["type"] == "text"


async def test_a_type_selects_its_traits(client: httpx.AsyncClient) -> None:
    response = await client.get(RESOLVE, params={"model": "default", "type": "image"})
    assert response.status_code == 404
    assert (await resolved(client, IMAGE, type="image"))["type"] == "image"
    bad = await client.get(RESOLVE, params={"model": "default", "type": "chat"})
    assert bad.status_code == 400
    assert "type" in bad.json()["details"]


async def test_a_deprecated_model_warns_in_body_and_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(RESOLVE, params={"model": RETIRING})
    assert response.json()["warnings"] == [
        {"code": "deprecated", "removesAt": REMOVES, "replacementModelId": SUCCESSOR}
    ]
    assert response.headers["x-venice-model-deprecation-date"] == REMOVES


async def test_a_removed_model_with_auto_remap_is_remapped(
    client: httpx.AsyncClient, clock: MovableClock
) -> None:
    clock.at = REMOVED
    body = await resolved(client, RETIRING)
    assert body["model"]["id"] == SUCCESSOR
    assert body["via"] == [{"kind": "remap", "from": RETIRING, "to": SUCCESSOR}]
    assert body["warnings"] == []
    # The alias to a removed model is no longer served, so it no longer resolves.
    gone = await client.get(RESOLVE, params={"model": "gpt-3.5-turbo"})
    assert gone.status_code == 404


async def test_unknown_names_list_close_ids(client: httpx.AsyncClient) -> None:
    response = await client.get(RESOLVE, params={"model": DEFAULT.upper()})
    assert response.status_code == 404
    assert response.json() == {
        "error": f"Model not found: {DEFAULT.upper()}",
        "details": {"id": DEFAULT.upper(), "suggestions": [DEFAULT]},
    }
    assert response.headers["cache-control"] == "no-store"


async def test_a_beta_model_is_unknown_to_anonymous_callers(client: httpx.AsyncClient) -> None:
    for name in (BETA, "o3", "default_reasoning"):
        response = await client.get(RESOLVE, params={"model": name})
        assert response.status_code == 404, name
        assert response.json()["details"] == {"id": name, "suggestions": []}
        shown = await client.get(RESOLVE, params={"model": name}, headers=bearer(BETA_KEY))
        assert shown.json()["model"]["id"] == BETA
    near = await client.get(RESOLVE, params={"model": BETA[:-1]})
    assert BETA not in near.json()["details"]["suggestions"]


async def test_a_missing_name_is_a_400(client: httpx.AsyncClient) -> None:
    for query in ("", "?model=", "?type=text", "?model=%FF"):
        response = await client.get(RESOLVE + query)
        assert response.status_code == 400, query
        assert "model" in response.json()["details"]


async def test_resolutions_revalidate(client: httpx.AsyncClient) -> None:
    first = await client.get(RESOLVE, params={"model": "default"})
    again = await client.get(
        RESOLVE, params={"model": "default"}, headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.fixture
async def quoting(settings: Settings, state: CatalogState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, state, groups=[quote_routes])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield c


async def test_quotes_accept_any_resolvable_name(quoting: httpx.AsyncClient) -> None:
    client = quoting
    usage = orjson.dumps({"input_tokens": 1000, "output_tokens": 10})
    by_id = (await client.post(f"/api/v1/models/{DEFAULT}/quote", content=usage)).json()
    by_alias = (await client.post("/api/v1/models/gpt-4o/quote", content=usage)).json()
    assert by_alias["id"] == DEFAULT and by_alias["usd"] == by_id["usd"]
    assert by_alias["requested"] == "gpt-4o"
    assert by_alias["via"] == [{"kind": "alias", "from": "gpt-4o", "to": DEFAULT}]
    assert by_id["via"] == [{"kind": "id", "from": DEFAULT, "to": DEFAULT}]
    unknown = await client.post("/api/v1/models/gpt-4O/quote", content=usage)
    assert unknown.status_code == 404
    assert "suggestions" in unknown.json()["details"]


async def test_names_are_utf8_however_they_are_escaped(client: httpx.AsyncClient) -> None:
    for query in ("?model=mod%C3%A8le", "?model=mod%C3%A8le&type=text"):
        response = await client.get(RESOLVE + query)
        assert response.status_code == 404, query
        assert response.json()["details"]["id"] == "modèle"


async def test_a_malformed_usage_is_refused_before_the_name_is_looked_up(
    quoting: httpx.AsyncClient, clock: MovableClock
) -> None:
    clock.at = REMOVED
    for name in ("no-such-model", RETIRING, "gpt-3.5-turbo"):
        response = await quoting.post(f"/api/v1/models/{name}/quote", content=b"\xff")
        assert response.status_code == 400, (name, response.text)
