"""The service on a store: reloads, admin routes, history, ``?at=`` reads, store keys, metrics.

:func:`build_store_app` is what ``modelcatalog serve`` runs without ``--catalog``: it opens
the store (seeding an empty one from the bundled catalog), serves its current version, and
starts a :class:`~modelcatalog.store.follow.Follower` that swaps in every new version.
:func:`build_file_app` serves a directory or dump with the same readiness and metrics.

The raw read path stays as it is; :class:`ServiceReads` only adds, before it, a check for
``at=`` in the query string (such requests take a slower path that builds views of the
catalog as it stood, or will stand, at that instant) and for ``/history`` after a model id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope, Send

from modelcatalog.api.admin import admin_routes
from modelcatalog.api.app import CatalogApp, create_app
from modelcatalog.api.auth import KeyRing
from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.listing import MODEL, ListingRoutes
from modelcatalog.api.ops import READ_LABELS, ObserveMiddleware, Observer, ops_routes
from modelcatalog.api.state import CatalogState
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.lifecycle import Clock, frozen_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import Audience
from modelcatalog.errors import InvalidInstant, InvalidRequestParameters
from modelcatalog.instants import parse_instant
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store import keys as store_keys
from modelcatalog.store.follow import Follower

__all__ = ["ServiceReads", "StoreAudiences", "build_file_app", "build_store_app"]

RoutesFor = Callable[[Settings, CatalogState, Store | None], Sequence[BaseRoute]]
SnapshotAt = Callable[[datetime], CatalogSnapshot]
_HISTORY = "/history"
_PAST_VIEWS = 64


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
    """The raw read path, observed, plus ``?at=`` reads and model history."""

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
        self._past: OrderedDict[tuple[str, datetime], ListingRoutes] = OrderedDict()

    async def __call__(self, scope: Scope, send: Send, route: str, model_id: str) -> None:
        label = (
            "/api/v1/models/{id}/history"
            if self._is_history(route, model_id)
            else READ_LABELS[route]
        )
        await self._observer.observe(
            scope, send, label, lambda s: self._answer(scope, s, route, model_id)
        )

    async def _answer(self, scope: Scope, send: Send, route: str, model_id: str) -> None:
        try:
            if self._is_history(route, model_id):
                await self._history(send, model_id[: -len(_HISTORY)])
                return
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

    def _is_history(self, route: str, model_id: str) -> bool:
        return (
            self._store is not None
            and route == MODEL
            and model_id.endswith(_HISTORY)
            and model_id not in self.state.snapshot.by_id
        )

    def _routes_at(self, at: datetime) -> ListingRoutes:
        live = self.state.snapshot
        if self._store is None or at >= self.state.now():
            snapshot = live  # the future: today's catalog under the lifecycle clock
        else:
            snapshot = self._store.snapshot_at(at)
        key = (snapshot.version, at)
        found = self._past.get(key)
        if found is None:
            state = CatalogState(snapshot, frozen_clock(at))
            found = ListingRoutes(state, self._keys, self._cors, self._max_age)
            self._past[key] = found
            while len(self._past) > _PAST_VIEWS:
                self._past.popitem(last=False)
        return found

    async def _history(self, send: Send, model_id: str) -> None:
        assert self._store is not None
        body = await run_in_threadpool(history_body, self._store, model_id)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *self._cors.static_headers,
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def history_body(store: Store, model_id: str) -> bytes:
    entries = store.history(model_id)
    return orjson.dumps({"object": "list", "id": model_id, "data": [e.as_json() for e in entries]})


def history_route(store: Store) -> Route:
    """``GET /api/v1/models/{id}/history`` for requests the raw read path hands on."""

    async def history(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        body = await run_in_threadpool(history_body, store, model_id)
        return Response(body, media_type="application/json", headers={"cache-control": "no-store"})

    return Route("/api/v1/models/{model_id:path}/history", history, methods=["GET", "HEAD"])


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
        history_route(store),
    ]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        follower.start()
        try:
            yield
        finally:
            await run_in_threadpool(follower.stop)
            store.close()

    app = create_app(settings, state, routes=extra, lifespan=lifespan)
    return _instrument(app, observer, audiences, store)
