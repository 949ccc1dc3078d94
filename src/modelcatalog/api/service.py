"""The one place the service is built: every part once, then an immutable app over them.

:func:`build_service` is what ``modelcatalog serve`` runs (and each worker process): the
catalog source (:mod:`~modelcatalog.api.source`: a file, or the store with its follower), the
audiences, the timeline that answers ``?at=`` for reads, quotes and history, the observer
(metrics, access log), then each route group of :data:`ROUTE_GROUPS` over those parts, then
the :class:`~modelcatalog.api.app.CatalogApp`. :func:`create_app` assembles the same app over
a given state without a store or metrics (embedding, tests, the raw benchmark).

Data flows one way: source -> CatalogState -> views -> ReadRoutes / route groups -> bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from modelcatalog.api.admin import admin_routes
from modelcatalog.api.app import CatalogApp, Lifespan, framework
from modelcatalog.api.audiences import Audiences
from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.history import history_routes
from modelcatalog.api.limits import RequestLimits
from modelcatalog.api.metrics import ObserveMiddleware, Observer
from modelcatalog.api.ops import ops_routes
from modelcatalog.api.parts import RouteGroup, ServiceParts
from modelcatalog.api.quote import quote_endpoint, quote_routes
from modelcatalog.api.reads import ReadRoutes
from modelcatalog.api.source import ServedCatalog, file_catalog, load_snapshot, store_catalog
from modelcatalog.api.state import CatalogState
from modelcatalog.api.sync import sync_routes
from modelcatalog.api.timeline import CatalogTimeline
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.web import page_routes

__all__ = ["ROUTE_GROUPS", "build_service", "create_app"]

#: Every route group the service mounts beyond the read API, in routing order. A new surface
#: (importers, sync, a browser) is one line here: a function of ServiceParts giving routes.
ROUTE_GROUPS: tuple[RouteGroup, ...] = (
    quote_routes,
    history_routes,
    admin_routes,
    sync_routes,
    ops_routes,
    page_routes,
)


def build_service(
    settings: Settings,
    *,
    snapshot: CatalogSnapshot | None = None,
    store: Store | None = None,
    groups: Sequence[RouteGroup] = ROUTE_GROUPS,
) -> CatalogApp:
    """The service ``settings`` describe: ``snapshot`` (or ``settings.catalog``) read from
    files, else the store (``store``, or the one the settings name); observed and complete."""
    if snapshot is None and settings.catalog is None:
        catalog = store_catalog(settings, store)
    else:
        catalog = file_catalog(
            settings, snapshot or load_snapshot(settings.catalog, settings.accepted_owned_by)
        )
    observer = Observer(catalog.state, catalog.status, log_requests=settings.access_log)
    return _assemble(settings, catalog, observer, groups)


def create_app(
    settings: Settings,
    state: CatalogState,
    *,
    store: Store | None = None,
    groups: Sequence[RouteGroup] = (),
    routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan | None = None,
) -> CatalogApp:
    """A bare service over ``state``: no follower, no metrics; ``store`` answers ``?at=`` for
    past instants; ``groups`` and ``routes`` extend it (see api/__init__), ``lifespan`` does
    its start-up and shut-down work."""
    catalog = ServedCatalog(state, Audiences(settings.keys), store, lifespan=lifespan)
    return _assemble(settings, catalog, None, groups, routes)


def _assemble(
    settings: Settings,
    catalog: ServedCatalog,
    observer: Observer | None,
    groups: Sequence[RouteGroup],
    routes: Sequence[BaseRoute] = (),
) -> CatalogApp:
    state = catalog.state
    timeline = CatalogTimeline(state, catalog.store)
    limits = RequestLimits.of(settings)
    parts = ServiceParts(settings, catalog, timeline, limits, observer)
    served = [*(route for group in groups for route in group(parts)), *routes]
    middleware = [] if observer is None else [Middleware(ObserveMiddleware, observer=observer)]
    cors = CorsPolicy(settings.cors_origins)
    reads = ReadRoutes(state.views, catalog.audiences, cors, settings.cache_max_age, timeline)
    return CatalogApp(
        settings,
        state,
        reads,
        framework(state, served, middleware=middleware, lifespan=catalog.lifespan),
        cors=cors,
        limits=limits,
        # With the access log on, every request takes the ASGI path to get its log line.
        direct_reads=observer is None or not settings.access_log,
        on_direct_answer=None if observer is None else observer.stats.record_direct,
        observe_read=None if observer is None else observer.observe_read,
        quotes=quote_endpoint(served),
    )
