"""The ASGI application: the raw read path in front, Starlette behind it for everything else.

:func:`create_app` is the only constructor. Requests for the raw read routes with ``GET`` or
``HEAD`` go straight to :class:`~modelcatalog.api.listing.ListingRoutes`; CORS preflights are
answered here; everything else (health, the OpenAPI document, extension routes, lifespan
events) goes to a Starlette app whose errors are rendered by :mod:`modelcatalog.api.errors`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from importlib.resources import files

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Message, Receive, Scope, Send

from modelcatalog.api.auth import KeyRing
from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.errors import error_response
from modelcatalog.api.http import Headers
from modelcatalog.api.limits import RequestLimits, send_refusal
from modelcatalog.api.listing import MODEL, MODELS_PATH, Answer, ListingRoutes, read_headers
from modelcatalog.api.state import CatalogState
from modelcatalog.errors import (
    LimitExceeded,
    MethodNotAllowed,
    ModelCatalogError,
    ModelNotFound,
    RouteNotFound,
)
from modelcatalog.settings import Settings

__all__ = ["CatalogApp", "create_app"]

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]

OPENAPI_PATH = "/api/v1/openapi.yaml"


class CatalogApp:
    """The service as one ASGI callable. ``state`` is the swap point for new snapshots."""

    def __init__(self, settings: Settings, state: CatalogState, framework: Starlette) -> None:
        self.settings = settings
        self.state = state
        self.framework = framework
        self.cors = CorsPolicy(settings.cors_origins)
        self.limits = RequestLimits.of(settings)
        self.reads = ListingRoutes(state, KeyRing(settings.keys), self.cors, settings.cache_max_age)
        #: Whether :mod:`modelcatalog.api.direct` may answer reads from the HTTP parser.
        self.direct_reads = True
        #: Called with (route, status, seconds) for each read answered that way (metrics).
        self.on_direct_answer: Callable[[str, int, float], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                receive = self.limits.guard(scope, receive)
            except LimitExceeded as exc:
                await send_refusal(
                    self._with_cors(scope, send), exc, close=_expects_continue(scope)
                )
                return
            method = scope["method"]
            if method == "GET" or method == "HEAD":
                matched = ListingRoutes.match(scope["path"])
                if matched is not None and self._is_read(*matched):
                    await self.reads(scope, send, *matched)
                    return
            elif method == "OPTIONS" and await self._preflight(scope, send):
                return
            await self.framework(scope, receive, self._with_cors(scope, send))
            return
        await self.framework(scope, receive, send)

    def answer_directly(
        self, raw_path: bytes, query: bytes, headers: Headers, *, head: bool
    ) -> Answer | None:
        """The answer to a ``GET``/``HEAD`` that is a prepared read, else ``None``.

        ``None`` sends the request down the ASGI path: not a read route, a slashed id (it may
        be a sub-route such as ``/history``), a ``?at=`` read, a percent-encoded path, or an
        error, which the ASGI path renders through the one error table.
        """
        if not self.direct_reads or b"%" in raw_path or b"at=" in query:
            return None
        if b"&" in query and query.count(b"&") >= self.limits.query_params:
            return None  # the ASGI path refuses it through the error table
        matched = ListingRoutes.match(raw_path.decode("latin-1"))
        if matched is None or "/" in matched[1]:
            return None
        started = time.perf_counter()
        try:
            answer = self.reads.respond(read_headers(headers), *matched, query, head=head)
        except Exception:
            return None
        if self.on_direct_answer is not None:
            self.on_direct_answer(matched[0], answer[0], time.perf_counter() - started)
        return answer

    def _is_read(self, route: str, model_id: str) -> bool:
        # A slash may end a model id or start a sub-route (``{id}/history``): ids the catalog
        # knows are reads, the rest go to the framework, which 404s what nobody routes.
        return route != MODEL or "/" not in model_id or model_id in self.state.snapshot.by_id

    async def _preflight(self, scope: Scope, send: Send) -> bool:
        headers = dict(scope["headers"])
        origin = headers.get(b"origin")
        if origin is None or b"access-control-request-method" not in headers:
            return False
        status, cors = self.cors.preflight(origin)
        await send({"type": "http.response.start", "status": status, "headers": cors})
        await send({"type": "http.response.body", "body": b""})
        return True

    def _with_cors(self, scope: Scope, send: Send) -> Send:
        origin = next((v for k, v in scope["headers"] if k == b"origin"), None)
        extra = [*self.cors.static_headers, *self.cors.for_origin(origin)]
        if not extra:
            return send

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return send_with_cors


def _expects_continue(scope: Scope) -> bool:
    # A client that sent "Expect: 100-continue" withholds its body: after a refusal the
    # connection cannot be reused, since the parser would wait for a body never sent.
    return any(k == b"expect" and v.lower() == b"100-continue" for k, v in scope["headers"])


def create_app(
    settings: Settings,
    state: CatalogState,
    *,
    routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan | None = None,
) -> CatalogApp:
    """The service over ``state``; ``routes`` (and ``lifespan``) extend it, see api/__init__."""
    framework = Starlette(
        routes=[*_base_routes(), *routes, *_read_route_fallbacks()],
        exception_handlers={
            HTTPException: _http_exception,
            ModelCatalogError: _unexpected,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app = CatalogApp(settings, state, framework)
    framework.state.catalog = state
    framework.state.settings = settings
    framework.state.limits = app.limits
    return app


def _base_routes() -> list[BaseRoute]:
    return [
        Route("/healthz", _healthz, methods=["GET", "HEAD"]),
        Route(OPENAPI_PATH, _openapi, methods=["GET", "HEAD"]),
    ]


def _read_route_fallbacks() -> list[BaseRoute]:
    # CatalogApp answers GET and HEAD, except unknown slashed ids (see CatalogApp._is_read);
    # these make other methods a 405 and those ids a 404 after every extension route.
    paths = ["", "/", "/traits", "/compatibility_mapping", "/resolve", "/{model_id:path}"]
    return [Route(MODELS_PATH + p, _unreachable, methods=["GET", "HEAD"]) for p in paths]


async def _unreachable(request: Request) -> Response:
    allowed = _methods_elsewhere(request)
    if allowed:
        # ``GET .../{id}/quote`` for an id the catalog does not hold: the quote route.
        raise MethodNotAllowed(request.method, allowed)
    model_id = request.path_params.get("model_id")
    if model_id is not None:
        raise ModelNotFound(model_id)
    raise RouteNotFound(request.url.path)


def _methods_elsewhere(request: Request) -> list[str]:
    """The methods of the other routes whose path matches this request's path."""
    allowed: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.endpoint is not _unreachable:
            match, _ = route.matches(request.scope)
            if match is Match.PARTIAL and route.methods:
                allowed |= route.methods
    return sorted(allowed)


async def _healthz(request: Request) -> Response:
    state: CatalogState = request.app.state.catalog
    snapshot = state.snapshot
    body = {"status": "ok", "version": snapshot.version, "models": len(snapshot.models)}
    return JSONResponse(body, headers={"cache-control": "no-store"})


_openapi_bytes: bytes | None = None


async def _openapi(request: Request) -> Response:
    global _openapi_bytes
    if _openapi_bytes is None:
        _openapi_bytes = files("modelcatalog.api").joinpath("openapi.yaml").read_bytes()
    return Response(
        _openapi_bytes,
        media_type="application/yaml",
        headers={"cache-control": "public, max-age=3600"},
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allowed = sorted((exc.headers or {}).get("Allow", "GET, HEAD").split(", "))
        return _render(MethodNotAllowed(request.method, allowed))
    if exc.status_code == 404:
        return _render(RouteNotFound(request.url.path))
    return _render(exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return _render(exc)


def _render(exc: BaseException) -> Response:
    error = error_response(exc)
    response = Response(error.body, status_code=error.status, media_type="application/json")
    for name, value in error.headers:
        response.headers[name.decode()] = value.decode()
    response.headers["cache-control"] = "no-store"
    return response
