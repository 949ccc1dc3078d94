"""The service is built in one place, from its parts, into an app nothing assigns to later."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route

from modelcatalog.api import CatalogApp, CatalogState, build_service, create_app
from modelcatalog.api.metrics import ObserveMiddleware
from modelcatalog.api.service import ROUTE_GROUPS
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.settings import Settings
from modelcatalog.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path, seed=BUNDLED_CATALOG) as opened:
        yield opened


@pytest.fixture(params=["file", "store", "bare"])
def built(request: pytest.FixtureRequest, tmp_path: Path, state: CatalogState) -> CatalogApp:
    if request.param == "file":
        return build_service(Settings(catalog=BUNDLED_CATALOG))
    if request.param == "bare":
        return create_app(Settings.load(), state)
    store: Store = request.getfixturevalue("store")
    return build_service(Settings(data_dir=tmp_path), store=store)


def test_nothing_is_stored_on_the_framework(built: CatalogApp) -> None:
    # Routes are given what they need when they are built; none looks it up on the app.
    assert vars(built.framework.state)["_state"] == {}


def test_a_built_app_cannot_be_changed(built: CatalogApp) -> None:
    with pytest.raises(AttributeError):
        built.reads = built.reads
    with pytest.raises(AttributeError):
        built.direct_reads = False
    with pytest.raises(AttributeError):
        built.anything_new = 1
    with pytest.raises(AttributeError):
        del built.on_direct_answer
    assert not hasattr(built, "__dict__")


def test_the_framework_has_its_middleware_from_the_start(built: CatalogApp) -> None:
    # Starlette refuses add_middleware once it has started; built apps never need it.
    observed = built.on_direct_answer is not None
    classes: list[object] = [m.cls for m in built.framework.user_middleware]
    assert classes == ([ObserveMiddleware] if observed else [])


def _paths(app: CatalogApp) -> set[str]:
    return {route.path for route in app.framework.routes if isinstance(route, Route)}


def test_route_groups_apply_where_they_can(tmp_path: Path, store: Store) -> None:
    from_file = _paths(build_service(Settings(catalog=BUNDLED_CATALOG)))
    from_store = _paths(build_service(Settings(data_dir=tmp_path), store=store))
    store_only = {"/api/v1/models/{model_id:path}/history", "/admin/v1/import"}
    assert store_only <= from_store and not store_only & from_file
    assert {"/api/v1/models/{model_id:path}/quote", "/readyz", "/metrics"} <= from_file
    assert len(ROUTE_GROUPS) == len(set(ROUTE_GROUPS))
