"""The service on a store: reloads, admin routes, history, ``?at=`` reads, store keys, metrics.

:func:`build_store_app` is what ``modelcatalog serve`` runs without ``--catalog``: it opens
the store (seeding an empty one from the bundled catalog), serves its current version, and
starts a :class:`~modelcatalog.store.follow.Follower` that swaps in every new version.
:func:`build_file_app` serves a directory or dump with the same readiness and metrics.

The raw read path stays as it is; :class:`ServiceReads` only adds, before it, a check for
``at=`` in the query string: such requests take a slower path that builds views of the
catalog as it stood, or will stand, at that instant. A model's history is a framework route
(:mod:`modelcatalog.api.history`): ``{id}/history`` holds a slash, and the app hands every
slashed id the catalog does not hold to the framework.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import Scope, Send

from modelcatalog.api.admin import admin_routes
from modelcatalog.api.app import CatalogApp, create_app
from modelcatalog.api.auth import KeyRing
from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.history import history_route
from modelcatalog.api.listing import ListingRoutes
from modelcatalog.api.ops import READ_LABELS, ObserveMiddleware, Observer, ops_routes
from modelcatalog.api.state import CatalogState
from modelcatalog.api.sync import sync_routes
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.lifecycle import Clock, frozen_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import Audience, SnapshotLifecycles
from modelcatalog.errors import InvalidInstant, InvalidRequestParameters
from modelcatalog.instants import parse_instant
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store import keys as store_keys
from modelcatalog.store.follow import Follower
from modelcatalog.sync.schedule import SyncSchedule

__all__ = ["ServiceReads", "StoreAudiences", "build_file_app", "build_store_app"]

RoutesFor = Callable[[Settings, CatalogState, Store | None], Sequence[BaseRoute]]
SnapshotAt = Callable[[datetime], CatalogSnapshot]
#: Past and future views kept (LRU); docs/performance.md states what they can cost.
_PAST_VIEWS = 16
_LIFECYCLES_KEPT = 4
#: Catalog version, then the start and end of a lifecycle window.
PastKey = tuple[str, datetime | None, datetime | None]


class StoreAudiences(KeyRing):
    """Audiences from the store's keys (refreshed by the follower), then the settings' keys."""

    def __init__(self, settings_keys: Any) -> None:
        super().__init__(settings_keys)
        self.ring = store_keys.KeyRing()

    def use(self, ring: store_keys.KeyRing) -> None:
        self.ring = ring

    def audience(self, authorization: bytes | None) -> Audience:
        if authorization is not None and len(self.ring) and authorization[:7].lower() == b"bearer ":
            key = self.ring.lookup(authorization[7:].strip().decode("latin-1"))
            if key is not None:
                if key.staff:
                    return Audience.STAFF
                return Audience.BETA if key.beta else Audience.KEY
        return super().audience(authorization)


class ServiceReads(ListingRoutes):
    """The raw read path, observed, plus ``?at=`` reads."""

    def __init__(
        self,
        state: CatalogState,
        keys: KeyRing,
        cors: CorsPolicy,
        cache_max_age: int,
        observer: Observer,
        store: Store | None,
    ) -> None:
        super().__init__(state, keys, cors, cache_max_age)
        self._max_age = cache_max_age
        self._observer = observer
        self._store = store
        self._past: OrderedDict[PastKey, ListingRoutes] = OrderedDict()
        self._windows: OrderedDict[str, SnapshotLifecycles] = OrderedDict()

    async def __call__(self, scope: Scope, send: Send, route: str, model_id: str) -> None:
        await self._observer.observe(
            scope, send, READ_LABELS[route], lambda s: self._answer(scope, s, route, model_id)
        )

    async def _answer(self, scope: Scope, send: Send, route: str, model_id: str) -> None:
        try:
            query = scope["query_string"]
            at = _at_param(query) if b"at=" in query else None
        except Exception as exc:
            await self._send_error(send, exc, [])
            return
        if at is None:
            await super().__call__(scope, send, route, model_id)
            return
        try:
            past = await run_in_threadpool(self._routes_at, at)
        except Exception as exc:
            await self._send_error(send, exc, [])
            return
        await past(scope, send, route, model_id)

    def _routes_at(self, at: datetime) -> ListingRoutes:
        live = self.state.snapshot
        if self._store is None or at >= self.state.now():
            snapshot = live  # the future: today's catalog under the lifecycle clock
        else:
            snapshot = self._store.snapshot_at(at)
        # Keyed by the catalog version and the lifecycle window the instant falls in, not by
        # the instant: every instant of a window has the same views, so distinct instants a
        # client sends cost nothing, and entries are bounded by versions x windows (and 16).
        window = self._lifecycles(snapshot).window_at(at)
        key = (snapshot.version, window.start, window.end)
        found = self._past.get(key)
        if found is None:
            state = CatalogState(snapshot, frozen_clock(at))
            found = ListingRoutes(state, self._keys, self._cors, self._max_age)
            self._past[key] = found
            while len(self._past) > _PAST_VIEWS:
                self._past.popitem(last=False)
        else:
            self._past.move_to_end(key)
        return found

    def _lifecycles(self, snapshot: CatalogSnapshot) -> SnapshotLifecycles:
        found = self._windows.get(snapshot.version)
        if found is None or found.snapshot is not snapshot:
            found = self._windows[snapshot.version] = SnapshotLifecycles(snapshot)
            while len(self._windows) > _LIFECYCLES_KEPT:
                self._windows.popitem(last=False)
        return found


def _at_param(query: bytes) -> datetime | None:
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "at":
            try:
                return parse_instant(value, "at")
            except InvalidInstant as exc:
                raise InvalidRequestParameters(
                    {"at": "an ISO 8601 instant in years 1 to 9999 UTC, e.g. 2026-03-01T00:00:00Z"}
                ) from exc
    return None


def _instrument(
    app: CatalogApp, observer: Observer, keys: KeyRing, store: Store | None
) -> CatalogApp:
    settings = app.settings
    app.reads = ServiceReads(app.state, keys, app.cors, settings.cache_max_age, observer, store)
    app.framework.state.audiences = keys  # framework routes (quotes) resolve callers alike
    # Reads answered from the HTTP parser are counted too; with the access log on, every
    # request takes the ASGI path so that each gets its log line.
    app.on_direct_answer = observer.record_read
    app.direct_reads = not settings.access_log
    app.framework.add_middleware(ObserveMiddleware, observer=observer)
    return app


def build_file_app(settings: Settings, state: CatalogState, routes: RoutesFor) -> CatalogApp:
    """Serve a catalog read from files: no store, no admin API, same readiness and metrics."""
    observer = Observer(state, None, log_requests=settings.access_log)
    extra = [*routes(settings, state, None), *ops_routes(observer)]
    app = create_app(settings, state, routes=extra)
    return _instrument(app, observer, KeyRing(settings.keys), None)


def open_service_store(settings: Settings) -> Store:
    """The store ``serve`` uses; an empty one gets the bundled catalog as version 1."""
    return Store.open(
        settings.data_dir,
        settings.database_url,
        seed=BUNDLED_CATALOG,
        application_name="modelcatalog-serve",
        owned_by=settings.accepted_owned_by,
    )


def build_store_app(
    settings: Settings, clock: Clock, routes: RoutesFor, store: Store | None = None
) -> CatalogApp:
    """Serve the store's current version and follow it; the app's lifespan owns the store."""
    store = store or open_service_store(settings)
    try:
        snapshot = store.snapshot()
    except BaseException:
        store.close()
        raise
    state = CatalogState(snapshot, clock)
    audiences = StoreAudiences(settings.keys)
    audiences.use(store_keys.KeyRing.load(store))

    def swap(new: CatalogSnapshot) -> None:
        state.swap(new)
        state.views()  # build the new views here, not on the first request

    follower = Follower(store, swap, loaded_version=int(snapshot.version), on_keys=audiences.use)
    observer = Observer(state, follower.status, log_requests=settings.access_log)
    extra = [
        *routes(settings, state, store),
        *ops_routes(observer),
        *admin_routes(store, follower.check, settings.destructive_write_share),
        *sync_routes(store, follower.check),
        history_route(store, state),
    ]

    schedule = SyncSchedule(store, settings, follower.check)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        follower.start()
        schedule.start()
        try:
            yield
        finally:
            await run_in_threadpool(schedule.stop)
            await run_in_threadpool(follower.stop)
            store.close()

    app = create_app(settings, state, routes=extra, lifespan=lifespan)
    return _instrument(app, observer, audiences, store)
