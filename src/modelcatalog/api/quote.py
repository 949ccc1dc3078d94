"""``POST /api/v1/models/{id}/quote``: the exact cost of a described request.

The body is the usage as JSON (docs/pricing.md); numbers are read as decimals, never floats.
The name is resolved by the one rule of ``GET /models/resolve`` for the same caller (an id, a
trait, a compatibility alias, a removed model's ``autoRemap`` chain; a beta model is unknown to
anonymous callers, a removed one without ``autoRemap`` is a 410), and the response says which
model priced it (``id``) and how the name led there (``requested``, ``via``). ``?at=`` prices
with the catalog as it stood at that instant when the service runs on a store; without one,
the current catalog prices it and the response's ``at.from_history`` is ``false``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from modelcatalog.api.auth import KeyRing
from modelcatalog.api.limits import RequestLimits, load_json
from modelcatalog.api.state import CatalogState
from modelcatalog.catalog.views import Audience, SnapshotLifecycles, ViewSet
from modelcatalog.pricing import parse_at, parse_usage_json, quote
from modelcatalog.settings import Settings

if TYPE_CHECKING:
    from modelcatalog.store.store import Store

__all__ = ["QUOTE_PATH", "QuoteRoute", "quote_routes"]

QUOTE_PATH = "/api/v1/models/{model_id:path}/quote"
_HEADERS = {"cache-control": "no-store"}


class QuoteRoute:
    """The quote endpoint over the live catalog and, for ``?at=``, the store's history."""

    def __init__(self, settings: Settings, state: CatalogState, store: Store | None) -> None:
        self.state = state
        self.store = store
        self.keys = KeyRing(settings.keys)

    async def quote(self, request: Request) -> Response:
        model_id: str = request.path_params["model_id"]
        # Most quotes carry no query string: skip parsing one.
        at_text = request.query_params.get("at") if request.scope["query_string"] else None
        instant = None if at_text is None else parse_at(at_text)
        audience = self._audience(request)
        # The request is checked whole before the catalog is asked: a malformed usage is a
        # 400 whatever the name, never a 404 or a 410 that would hide the caller's mistake.
        body = await request.body()
        limits: RequestLimits = request.app.state.limits
        usage = load_json(body if body.strip() else b"{}", limits.json_depth, parse_usage_json)
        views, from_history = await self._views(instant)
        resolution = views.resolve(audience, model_id)
        record = views.snapshot.by_id[resolution.model_id].record
        result = quote(record, usage, instant)
        payload = result.to_json(views.version, from_history=from_history)
        payload["requested"] = model_id
        payload["via"] = [step.as_json() for step in resolution.via]
        return Response(orjson.dumps(payload), media_type="application/json", headers=_HEADERS)

    def _audience(self, request: Request) -> Audience:
        # The service's own resolver when it has one (store-issued keys), else settings keys.
        keys: KeyRing = getattr(request.app.state, "audiences", None) or self.keys
        authorization = request.headers.get("authorization")
        return keys.audience(None if authorization is None else authorization.encode("latin-1"))

    async def _views(self, instant: datetime | None) -> tuple[ViewSet, bool]:
        if instant is None:
            return self.state.views(), False
        if self.store is None:
            return ViewSet(SnapshotLifecycles(self.state.snapshot), instant), False
        snapshot = await run_in_threadpool(self.store.snapshot_at, instant)
        return ViewSet(SnapshotLifecycles(snapshot), instant), True


def quote_routes(
    settings: Settings, state: CatalogState, store: Store | None = None
) -> list[BaseRoute]:
    """The quote route for :func:`~modelcatalog.api.create_app`'s ``routes``."""
    endpoint = QuoteRoute(settings, state, store)
    return [Route(QUOTE_PATH, endpoint.quote, methods=["POST"])]
