"""The ASGI application: the raw read path in front, Starlette behind it for everything else.

:class:`CatalogApp` is immutable: :func:`~modelcatalog.api.service.build_service` builds its
parts (and :func:`~modelcatalog.api.service.create_app` a bare one), and nothing of an app or
of its framework is assigned after construction. Requests for the raw read routes with
``GET`` or ``HEAD`` go straight to :class:`~modelcatalog.api.reads.ReadRoutes`; CORS
preflights are answered here; everything else (health, the OpenAPI document, route groups,
lifespan events) goes to the Starlette app :func:`framework` builds, whose errors are rendered
by :mod:`modelcatalog.api.errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from importlib.resources import files
from time import perf_counter
from typing import TYPE_CHECKING, Any, final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Message, Receive, Scope, Send

from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.errors import error_answer
from modelcatalog.api.http import Headers
from modelcatalog.api.limits import RequestLimits, send_refusal
from modelcatalog.api.reads import MODEL, MODELS_PATH, Answer, ReadRoutes, read_headers
from modelcatalog.api.state import CatalogState
from modelcatalog.errors import (
    LimitExceeded,
    MethodNotAllowed,
    ModelCatalogError,
    ModelNotFound,
    RouteNotFound,
)
from modelcatalog.settings import Settings

if TYPE_CHECKING:
    from modelcatalog.api.quote import QuoteRoute

__all__ = [
    "QUOTE",
    "CatalogApp",
    "DirectAnswered",
    "Lifespan",
    "ObservedRead",
    "framework",
    "raw_response",
]

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
#: Called with (route, status, seconds) for each read or quote answered from the HTTP parser
#: (metrics); the route is a ReadRoutes route name or QUOTE.
DirectAnswered = Callable[[str, int, float], None]
#: Answers a raw read, counting it: (reads, scope, send, route, model id).
ObservedRead = Callable[[ReadRoutes, Scope, Send, str, str], Awaitable[None]]

OPENAPI_PATH = "/api/v1/openapi.yaml"
#: The route name of a quote answered from the HTTP parser (metrics label: api/labels.py).
QUOTE = "quote"
_QUOTE_PREFIX = MODELS_PATH.encode() + b"/"
_QUOTE_SUFFIX = b"/quote"


@final
class CatalogApp:
    """The service as one ASGI callable over its parts; immutable once built.

    ``state`` is the swap point for new snapshots (the one mutable object of the read path);
    ``direct_reads`` says whether :mod:`modelcatalog.api.direct` may answer reads from the
    HTTP parser, and ``on_direct_answer`` counts those it does; ``observe_read``, when given,
    wraps every raw read that takes the ASGI path (metrics, access log).
    """

    __slots__ = (
        "cors",
        "direct_reads",
        "framework",
        "limits",
        "observe_read",
        "on_direct_answer",
        "quotes",
        "reads",
        "settings",
        "state",
    )

    settings: Settings
    state: CatalogState
    reads: ReadRoutes
    framework: Starlette
    cors: CorsPolicy
    limits: RequestLimits
    direct_reads: bool
    on_direct_answer: DirectAnswered | None
    observe_read: ObservedRead | None
    quotes: QuoteRoute | None

    def __init__(
        self,
        settings: Settings,
        state: CatalogState,
        reads: ReadRoutes,
        framework: Starlette,
        *,
        cors: CorsPolicy,
        limits: RequestLimits,
        direct_reads: bool,
        on_direct_answer: DirectAnswered | None = None,
        observe_read: ObservedRead | None = None,
        quotes: QuoteRoute | None = None,
    ) -> None:
        parts: dict[str, Any] = {
            "settings": settings,
            "state": state,
            "reads": reads,
            "framework": framework,
            "cors": cors,
            "limits": limits,
            "direct_reads": direct_reads,
            "on_direct_answer": on_direct_answer,
            "observe_read": observe_read,
            "quotes": quotes,
        }
        for name, value in parts.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a built CatalogApp is immutable; build another ({name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a built CatalogApp is immutable; build another ({name})")

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
                matched = ReadRoutes.match(scope["path"])
                if matched is not None and self._is_read(*matched):
                    if self.observe_read is None:
                        await self.reads(scope, send, *matched)
                    else:
                        await self.observe_read(self.reads, scope, send, *matched)
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
        matched = ReadRoutes.match(raw_path.decode("latin-1"))
        if matched is None or "/" in matched[1]:
            return None
        record = self.on_direct_answer
        started = perf_counter() if record is not None else 0.0
        try:
            answer = self.reads.respond(read_headers(headers), *matched, query, head=head)
        except Exception:
            return None
        if record is not None:
            record(matched[0], answer[0], perf_counter() - started)
        return answer

    def quote_target(self, raw_path: bytes) -> str | None:
        """The model id of a ``POST`` to this path that :meth:`answer_quote` may answer, else
        ``None``: quotes not mounted or not direct, not the quote route, a percent-encoded
        path (the framework decodes it), no id."""
        if self.quotes is None or not self.direct_reads:
            return None
        if not raw_path.startswith(_QUOTE_PREFIX) or not raw_path.endswith(_QUOTE_SUFFIX):
            return None
        if b"%" in raw_path or not raw_path.isascii():
            return None
        model_id = raw_path[len(_QUOTE_PREFIX) : -len(_QUOTE_SUFFIX)]
        return model_id.decode("ascii") if model_id else None

    def answer_quote(self, model_id: str, headers: Headers, body: bytes) -> Answer:
        """The answer to ``POST`` :meth:`quote_target`'s path without ``?at=``: the quote
        route's own (:meth:`QuoteRoute.answer <modelcatalog.api.quote.QuoteRoute.answer>`),
        with the CORS headers the ASGI path adds; counted as a direct answer."""
        assert self.quotes is not None
        started = perf_counter()
        # The first of repeated fields, as the framework's Request and _with_cors read them.
        authorization = _first(headers, b"authorization")
        origin = _first(headers, b"origin")
        try:
            status, answer_headers, payload = self.quotes.answer(model_id, authorization, body)
        except Exception as exc:  # the ASGI path's 500, rendered by the same table
            status, answer_headers, payload = error_answer(exc)
        extra = [*self.cors.static_headers, *self.cors.for_origin(origin)]
        if extra:
            answer_headers = [*answer_headers, *extra]
        if self.on_direct_answer is not None:
            self.on_direct_answer(QUOTE, status, perf_counter() - started)
        return status, answer_headers, payload

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


def _first(headers: Headers, name: bytes) -> bytes | None:
    return next((value for key, value in headers if key == name), None)


def _expects_continue(scope: Scope) -> bool:
    # A client that sent "Expect: 100-continue" withholds its body: after a refusal the
    # connection cannot be reused, since the parser would wait for a body never sent.
    return any(k == b"expect" and v.lower() == b"100-continue" for k, v in scope["headers"])


def framework(
    state: CatalogState,
    routes: Sequence[BaseRoute],
    *,
    middleware: Sequence[Middleware] = (),
    lifespan: Lifespan | None = None,
) -> Starlette:
    """The Starlette app behind the raw read path: health, the OpenAPI document, ``routes``,
    then the fallbacks of the read paths; errors rendered by the one error table."""
    return Starlette(
        routes=[*_base_routes(state), *routes, *_read_route_fallbacks()],
        middleware=middleware,
        exception_handlers={
            HTTPException: _http_exception,
            ModelCatalogError: _unexpected,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )


def _base_routes(state: CatalogState) -> list[BaseRoute]:
    async def healthz(request: Request) -> Response:
        snapshot = state.snapshot
        body = {"status": "ok", "version": snapshot.version, "models": len(snapshot.models)}
        return JSONResponse(body, headers={"cache-control": "no-store"})

    return [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
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
    return raw_response(error_answer(exc))


def raw_response(answer: Answer) -> Response:
    """A framework response of exactly these status, headers and body (headers in order)."""
    status, headers, body = answer
    response = Response(body, status_code=status)
    response.raw_headers = list(headers)
    return response
