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

from collections.abc import Iterable
from datetime import datetime

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from modelcatalog.api.app import raw_response
from modelcatalog.api.audiences import Audiences
from modelcatalog.api.errors import error_answer
from modelcatalog.api.limits import RequestLimits, load_json
from modelcatalog.api.parts import ServiceParts
from modelcatalog.api.reads import Answer
from modelcatalog.api.timeline import CatalogTimeline, DatedViews, at_param
from modelcatalog.errors import ModelCatalogError
from modelcatalog.pricing import Usage, parse_usage_json, quote

__all__ = ["QUOTE_PATH", "QuoteRoute", "quote_endpoint", "quote_routes"]

QUOTE_PATH = "/api/v1/models/{model_id:path}/quote"
#: The headers of a quote, in the order the framework's JSON responses had them.
_HEADERS = ((b"cache-control", b"no-store"),)
_JSON = (b"content-type", b"application/json")


class QuoteRoute:
    """The quote endpoint over the service's timeline (the live catalog and ``?at=``).

    :meth:`answer` computes the whole answer, the error table's included; the ASGI route
    (:meth:`quote`) and the HTTP parser's direct path (:mod:`modelcatalog.api.direct`) both
    send what it returns, so a quote's bytes do not depend on the path it took.
    """

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
        body = await request.body()
        dated = None if instant is None else await self._dated(instant, body)
        credentials = None if authorization is None else authorization.encode("latin-1")
        return raw_response(self.answer(model_id, credentials, body, instant, dated))

    def answer(
        self,
        model_id: str,
        authorization: bytes | None,
        body: bytes,
        instant: datetime | None = None,
        dated: DatedViews | None = None,
    ) -> Answer:
        """Status, headers and body of a quote of ``body`` (the usage) for ``model_id``.

        Priced by the live catalog, or by ``dated``, the catalog of ``instant``. A request
        the service cannot quote is answered by the error table, never raised.
        """
        try:
            payload = self._priced(model_id, authorization, body, instant, dated)
        except ModelCatalogError as exc:
            return error_answer(exc)
        return 200, [*_HEADERS, (b"content-length", b"%d" % len(payload)), _JSON], payload

    def _priced(
        self,
        model_id: str,
        authorization: bytes | None,
        body: bytes,
        instant: datetime | None,
        dated: DatedViews | None,
    ) -> bytes:
        audience = self._audiences.audience(authorization)
        # The request is checked whole before the catalog is asked: a malformed usage is a
        # 400 whatever the name, never a 404 or a 410 that would hide the caller's mistake.
        usage = self._usage(body)
        if dated is None:
            views, from_history = self._timeline.state.views(), False
        else:
            views, from_history = dated.views, dated.from_history
        resolution = views.resolve(audience, model_id)
        record = views.snapshot.by_id[resolution.model_id].record
        result = quote(record, usage, instant)
        payload = result.to_json(views.version, from_history=from_history)
        payload["requested"] = model_id
        payload["via"] = [step.as_json() for step in resolution.via]
        return orjson.dumps(payload)

    def _usage(self, body: bytes) -> Usage:
        usage: Usage = load_json(
            body if body.strip() else b"{}", self._limits.json_depth, parse_usage_json
        )
        return usage

    async def _dated(self, instant: datetime, body: bytes) -> DatedViews | None:
        """The catalog at ``instant``; ``None`` when the usage is malformed, which
        :meth:`answer` refuses before it would look at any catalog."""
        try:
            self._usage(body)
        except ModelCatalogError:
            return None
        return await run_in_threadpool(self._timeline.catalog_at, instant)


def quote_endpoint(routes: Iterable[BaseRoute]) -> QuoteRoute | None:
    """The :class:`QuoteRoute` answering :data:`QUOTE_PATH` among ``routes``, if mounted."""
    for route in routes:
        owner = getattr(getattr(route, "endpoint", None), "__self__", None)
        if isinstance(route, Route) and route.path == QUOTE_PATH and isinstance(owner, QuoteRoute):
            return owner
    return None


def quote_routes(parts: ServiceParts) -> list[BaseRoute]:
    """The quote route group."""
    endpoint = QuoteRoute(parts.timeline, parts.audiences, parts.limits)
    return [Route(QUOTE_PATH, endpoint.quote, methods=["POST"])]
