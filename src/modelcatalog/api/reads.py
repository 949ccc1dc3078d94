"""The hot read routes as a raw ASGI handler: pick precomputed bytes and write them.

    GET|HEAD /api/v1/models[?type=]                        listing
    GET|HEAD /api/v1/models/traits[?type=]                 trait -> model id
    GET|HEAD /api/v1/models/compatibility_mapping[?type=]  alias -> model id
    GET|HEAD /api/v1/models/resolve?model=[&type=]         the model that serves a name
    GET|HEAD /api/v1/models/{id}                           one model (ids may hold slashes)

No framework routing and no JSON work per request: the route is a string comparison, the
body and headers come from a :class:`~modelcatalog.api.http.Prepared` cached per view set,
and the view set changes only when the snapshot is swapped or a lifecycle boundary passes.

A read with ``at=`` in its query takes a slower path: the views of
:meth:`CatalogTimeline.catalog_at <modelcatalog.api.timeline.CatalogTimeline.catalog_at>`,
answered by a :class:`ReadRoutes` kept per catalog version and lifecycle window.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import Scope, Send

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.cors import CorsPolicy
from modelcatalog.api.errors import error_response
from modelcatalog.api.http import JSON, Headers, Prepared, etag_matches, header_value
from modelcatalog.api.timeline import CatalogTimeline, WindowKey, at_param
from modelcatalog.catalog.views import (
    LISTING_TYPES,
    Audience,
    ModelView,
    ViewSet,
    listing_type,
    map_type,
)
from modelcatalog.errors import InvalidRequestParameters
from modelcatalog.spec.record import MODEL_TYPES

__all__ = [
    "MODEL",
    "MODELS_PATH",
    "RESOLVE",
    "Answer",
    "ReadHeaders",
    "ReadRoutes",
    "read_headers",
]

#: The request headers a read depends on: accept-encoding, if-none-match, authorization, origin.
ReadHeaders = tuple[bytes | None, bytes | None, bytes | None, bytes | None]
#: A response: status, headers, body.
Answer = tuple[int, Headers, bytes]

MODELS_PATH = "/api/v1/models"
_PREPARED_LIMIT = 4096
#: Dated read handlers kept (LRU), one per catalog version and lifecycle window.
_DATED_KEPT = 16
_MODEL_PREFIX = MODELS_PATH + "/"
LISTING, TRAITS, ALIASES, MODEL = "listing", "traits", "aliases", "model"
RESOLVE = "resolve"
_FIXED = {
    MODELS_PATH: LISTING,
    _MODEL_PREFIX: LISTING,
    MODELS_PATH + "/traits": TRAITS,
    MODELS_PATH + "/compatibility_mapping": ALIASES,
    MODELS_PATH + "/resolve": RESOLVE,
}


class ReadRoutes:
    """Answers the read routes from the views ``views()`` hands out (the live ones, or those
    of one instant); with a ``timeline``, reads with ``?at=`` are answered from its views."""

    def __init__(
        self,
        views: Callable[[], ViewSet],
        audiences: Audiences,
        cors: CorsPolicy,
        cache_max_age: int,
        timeline: CatalogTimeline | None = None,
    ) -> None:
        self._views = views
        self._audiences = audiences
        self._cors = cors
        self._max_age = cache_max_age
        self._timeline = timeline
        self._vary = b"Accept-Encoding, Authorization" + cors.vary
        self._cache_control = {
            True: f"public, max-age={cache_max_age}".encode(),
            False: f"private, max-age={cache_max_age}".encode(),
        }
        self._prepared: dict[tuple[str, Audience, str | bytes], Prepared] = {}
        self._prepared_for: ViewSet | None = None
        self._dated: OrderedDict[WindowKey, tuple[ViewSet, ReadRoutes]] = OrderedDict()

    @staticmethod
    def match(path: str) -> tuple[str, str] | None:
        """``(route, model id)`` for a path this handler answers, else ``None``."""
        route = _FIXED.get(path)
        if route is not None:
            return route, ""
        # Ids may hold slashes (``openai/whisper-large-v3``): the rest of the path is the id.
        if path.startswith(_MODEL_PREFIX):
            return MODEL, path[len(_MODEL_PREFIX) :]
        return None

    async def __call__(self, scope: Scope, send: Send, route: str, model_id: str) -> None:
        request = read_headers(scope["headers"])
        head = scope["method"] == "HEAD"
        dated = None
        try:
            if self._timeline is not None and b"at=" in scope["query_string"]:
                dated = await self._at(scope["query_string"])
            if dated is None:
                status, headers, body = self.respond(
                    request, route, model_id, scope["query_string"], head=head
                )
        except Exception as exc:
            await self._send_error(send, exc, self._cors.for_origin(request[3]), head=head)
            return
        if dated is not None:
            await dated(scope, send, route, model_id)
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def respond(
        self, request: ReadHeaders, route: str, model_id: str, query: bytes, *, head: bool
    ) -> Answer:
        """Status, headers and body of one read; raises the domain error of a failed one.

        Synchronous and free of ASGI so that :mod:`modelcatalog.api.direct` can answer from
        the HTTP parser with the very same bytes.
        """
        accept, inm, auth, origin = request
        cors = self._cors.for_origin(origin)
        prepared = self._prepare(route, self._audiences.audience(auth), query, model_id)
        variant = prepared.pick(accept)
        if inm is not None and etag_matches(inm, variant.etag):
            return 304, variant.not_modified + cors if cors else variant.not_modified, b""
        headers = variant.headers + cors if cors else variant.headers
        return 200, headers, b"" if head else variant.body

    async def _at(self, query: bytes) -> ReadRoutes | None:
        """The handler of the reads at the query's ``at``; ``None`` when it names none."""
        instant = at_param(query)
        if instant is None or self._timeline is None:
            return None
        dated = await run_in_threadpool(self._timeline.catalog_at, instant)
        views = dated.views
        found = self._dated.get(dated.key)
        if found is None or found[0] is not views:
            routes = ReadRoutes(lambda: views, self._audiences, self._cors, self._max_age)
            found = self._dated[dated.key] = (views, routes)
            while len(self._dated) > _DATED_KEPT:
                self._dated.popitem(last=False)
        else:
            self._dated.move_to_end(dated.key)
        return found[1]

    def _prepare(self, route: str, audience: Audience, query: bytes, model_id: str) -> Prepared:
        views = self._views()
        if views is not self._prepared_for:
            self._prepared = {}
            self._prepared_for = views
        # Keyed by what selects the view (a valid type, or the id of a model the catalog
        # holds), never by request text: an unknown type or id raises before it is stored,
        # so no client can add entries beyond routes x audiences x (types + models).
        if route == MODEL:
            selector = model_id
        elif route == RESOLVE:
            # A name is kept only once it resolves (``_build`` raises for others first).
            selector = _resolve_selector(query)
        elif not query:
            selector = _DEFAULT_TYPE
        else:
            # The usual query is one plain ``type=``: a lookup among the valid ones, which
            # costs a fifth of parsing it (docs/performance.md, "Per-request cost").
            found_type = _TYPE_QUERIES[route].get(query)
            selector = _valid_type(route, _type_param(query)) if found_type is None else found_type
        key = (route, audience, selector)
        found = self._prepared.get(key)
        if found is None:
            prepared = self._build(views, route, audience, selector)
            if len(self._prepared) >= _PREPARED_LIMIT:
                self._prepared.clear()
            found = self._prepared[key] = prepared
        return found

    def _build(
        self, views: ViewSet, route: str, audience: Audience, selector: str | None
    ) -> Prepared:
        extra: Headers = []
        if route == LISTING:
            encoded = views.listing(audience, listing_type(selector))
        elif route == TRAITS:
            encoded = views.traits(audience, map_type(selector))
        elif route == ALIASES:
            encoded = views.compatibility_mapping(audience, map_type(selector))
        elif route == RESOLVE:
            model_type, _, name = (selector or "").partition("\x00")
            resolved = views.resolution(audience, name, model_type or None)
            encoded = resolved.encoded
            extra = _deprecation_headers(resolved.model)
        else:
            model = views.model(audience, selector or "")
            encoded = model.encoded
            extra = _deprecation_headers(model)
        return Prepared.of(encoded, self._common(views, audience, extra))

    def _common(self, views: ViewSet, audience: Audience, extra: Headers) -> Headers:
        return [
            (b"vary", self._vary),
            (b"cache-control", self._cache_control[audience is Audience.ANONYMOUS]),
            (b"x-catalog-version", header_value(views.version)),
            *self._cors.static_headers,
            *extra,
        ]

    async def _send_error(
        self, send: Send, exc: Exception, cors: Headers, *, head: bool = False
    ) -> None:
        error = error_response(exc)
        headers = [
            (b"content-type", JSON),
            (b"content-length", str(len(error.body)).encode()),
            (b"cache-control", b"no-store"),
            (b"vary", self._vary),
            (b"x-catalog-version", header_value(self._views().version)),
            *self._cors.static_headers,
            *cors,
            *error.headers,
        ]
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else error.body})


def _deprecation_headers(model: ModelView) -> Headers:
    """The Venice deprecation headers of a deprecated model that is still listed."""
    extra: Headers = []
    if model.deprecation_date:
        extra.append((b"x-venice-model-deprecation-date", header_value(model.deprecation_date)))
    if model.deprecation_warning:
        extra.append(
            (b"x-venice-model-deprecation-warning", header_value(model.deprecation_warning))
        )
    return extra


def read_headers(headers: Iterable[tuple[bytes, bytes]]) -> ReadHeaders:
    """``(accept-encoding, if-none-match, authorization, origin)`` of a request's headers."""
    accept = inm = auth = origin = None
    for name, value in headers:
        if name == b"accept-encoding":
            accept = value
        elif name == b"if-none-match":
            inm = value
        elif name == b"authorization":
            auth = value
        elif name == b"origin":
            origin = value
    return accept, inm, auth, origin


_DEFAULT_TYPE = listing_type(None)
assert map_type(None) == _DEFAULT_TYPE
#: Route -> each plain ``type=`` query it accepts, and the type it selects.
_TYPE_QUERIES: dict[str, dict[bytes, str]] = {
    LISTING: {b"type=" + t.encode(): t for t in LISTING_TYPES},
    TRAITS: {b"type=" + t.encode(): t for t in MODEL_TYPES},
    ALIASES: {b"type=" + t.encode(): t for t in MODEL_TYPES},
}


def _valid_type(route: str, requested: str | None) -> str:
    """The type a listing or map ``?type=`` selects; raises for one the route does not know."""
    return listing_type(requested) if route == LISTING else map_type(requested)


def _type_param(query: bytes) -> str | None:
    """The first ``type`` query parameter; other parameters are ignored."""
    if not query:
        return None
    if query.startswith(b"type=") and not any(c in query for c in b"&%+;"):
        return query[5:].decode("latin-1")
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "type":
            return value
    return None


def _resolve_selector(query: bytes) -> str:
    """``type NUL name`` of a resolve query (type empty when not asked for); raises
    :class:`InvalidRequestParameters` for a missing or empty ``model`` or an unknown type."""
    if len(query) > 6 and query.startswith(b"model=") and not any(c in query for c in b"&%+;"):
        # The common request, one plain name: no query parsing (as for ``type=``).
        return "\x00" + _utf8(query[6:].decode("latin-1"))
    params: dict[str, str] = {}
    # Percent-escapes decoded as latin-1 too, so that every value holds the raw bytes.
    text = query.decode("latin-1")
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
        params.setdefault(key, value)
    requested = params.get("model")
    if not requested:
        raise InvalidRequestParameters({"_errors": [], "model": {"_errors": ["Required"]}})
    model_type = params.get("type")
    return ("" if model_type is None else map_type(model_type)) + "\x00" + _utf8(requested)


def _utf8(text: str) -> str:
    """A query value held as latin-1 bytes, read as the UTF-8 text it is."""
    try:
        return text.encode("latin-1").decode()
    except UnicodeDecodeError:
        raise InvalidRequestParameters(
            {"_errors": [], "model": {"_errors": ["Expected UTF-8 text"]}}
        ) from None
