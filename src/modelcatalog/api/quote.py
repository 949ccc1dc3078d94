"""``POST /api/v1/models/{id}/quote``: the exact cost of a described request.

The body is the usage as JSON (docs/pricing.md); numbers are read as decimals, never floats.
The name is resolved by the one rule of ``GET /models/resolve`` for the same caller (an id, a
trait, a compatibility alias, a removed model's ``autoRemap`` chain; a beta model is unknown to
anonymous callers, a removed one without ``autoRemap`` is a 410), and the response says which
model priced it (``id``) and how the name led there (``requested``, ``via``). ``?at=`` prices
with the catalog of :meth:`CatalogTimeline.catalog_at
<modelcatalog.api.timeline.CatalogTimeline.catalog_at>`, as reads do: on a store, a past
instant is priced by the version current then (``at.from_history`` is ``true``); otherwise the
catalog being served prices it under that instant's lifecycle clock.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.limits import RequestLimits, load_json
from modelcatalog.api.parts import ServiceParts
from modelcatalog.api.timeline import CatalogTimeline, at_param
from modelcatalog.catalog.views import ViewSet
from modelcatalog.pricing import parse_usage_json, quote

__all__ = ["QUOTE_PATH", "QuoteRoute", "quote_routes"]

QUOTE_PATH = "/api/v1/models/{model_id:path}/quote"
_HEADERS = {"cache-control": "no-store"}


class QuoteRoute:
    """The quote endpoint over the service's timeline (the live catalog and ``?at=``)."""

    def __init__(
        self, timeline: CatalogTimeline, audiences: Audiences, limits: RequestLimits
    ) -> None:
        self._timeline = timeline
        self._audiences = audiences
        self._limits = limits

    async def quote(self, request: Request) -> Response:
        model_id: str = request.path_params["model_id"]
        query = request.scope["query_string"]
        instant = at_param(query) if query else None  # most quotes carry no query string
        authorization = request.headers.get("authorization")
        audience = self._audiences.audience(
            None if authorization is None else authorization.encode("latin-1")
        )
        # The request is checked whole before the catalog is asked: a malformed usage is a
        # 400 whatever the name, never a 404 or a 410 that would hide the caller's mistake.
        body = await request.body()
        usage = load_json(
            body if body.strip() else b"{}", self._limits.json_depth, parse_usage_json
        )
        views, from_history = await self._views(instant)
        resolution = views.resolve(audience, model_id)
        record = views.snapshot.by_id[resolution.model_id].record
        result = quote(record, usage, instant)
        payload = result.to_json(views.version, from_history=from_history)
        payload["requested"] = model_id
        payload["via"] = [step.as_json() for step in resolution.via]
        return Response(orjson.dumps(payload), media_type="application/json", headers=_HEADERS)

    async def _views(self, instant: datetime | None) -> tuple[ViewSet, bool]:
        if instant is None:
            return self._timeline.state.views(), False
        dated = await run_in_threadpool(self._timeline.catalog_at, instant)
        return dated.views, dated.from_history


def quote_routes(parts: ServiceParts) -> list[BaseRoute]:
    """The quote route group."""
    endpoint = QuoteRoute(parts.timeline, parts.audiences, parts.limits)
    return [Route(QUOTE_PATH, endpoint.quote, methods=["POST"])]
