"""Routes added through create_app(routes=...) share the error handling, CORS and state."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from modelcatalog.api import CatalogState, create_app
from modelcatalog.errors import UnpriceableRequest
from modelcatalog.settings import Settings
from tests.api.catalogs import DEFAULT, SLASHED

pytestmark = pytest.mark.anyio


def history_route(state: CatalogState) -> Route:
    async def history(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        return JSONResponse({"id": model_id, "version": state.snapshot.version})

    return Route("/api/v1/models/{model_id:path}/history", history, methods=["GET"])


async def quote(request: Request) -> Response:
    raise UnpriceableRequest("no price for output tokens", field="output_tokens")


async def broken(request: Request) -> Response:
    raise RuntimeError("secret internals /etc/passwd")


@pytest.fixture
async def extended(state: CatalogState) -> AsyncIterator[httpx.AsyncClient]:
    routes = [
        history_route(state),
        Route("/api/v1/models/{model_id:path}/quote", quote, methods=["POST"]),
        Route("/broken", broken),
    ]
    app = create_app(Settings.load(), state, routes=routes)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_get_sub_routes_of_a_model_reach_the_extension(
    extended: httpx.AsyncClient, state: CatalogState
) -> None:
    for model_id in (DEFAULT, SLASHED):
        response = await extended.get(f"/api/v1/models/{model_id}/history")
        assert response.json() == {"id": model_id, "version": state.snapshot.version}
    assert (await extended.get(f"/api/v1/models/{SLASHED}")).json()["id"] == SLASHED


async def test_unknown_slashed_ids_are_404_models(extended: httpx.AsyncClient) -> None:
    response = await extended.get("/api/v1/models/no/such-model")
    assert response.status_code == 404
    assert response.json() == {
        "error": "Model not found: no/such-model",
        "details": {"id": "no/such-model"},
    }


async def test_domain_errors_of_extensions_use_the_one_table(extended: httpx.AsyncClient) -> None:
    response = await extended.post(f"/api/v1/models/{DEFAULT}/quote", json={})
    assert response.status_code == 422
    assert response.json() == {
        "error": "no price for output tokens",
        "details": {"field": "output_tokens"},
    }
    assert response.headers["access-control-allow-origin"] == "*"


async def test_unexpected_errors_are_a_bare_500(extended: httpx.AsyncClient) -> None:
    response = await extended.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}
    assert "Traceback" not in response.text and "passwd" not in response.text
