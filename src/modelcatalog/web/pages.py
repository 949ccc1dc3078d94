"""The catalog browser's routes: ``/``, ``/models/{id}``, ``/compare``, ``/changes``,
``/changes.atom`` and ``/static/{name}``.

Every page is rendered from the live :class:`~modelcatalog.api.state.CatalogState`'s views for
the caller's audience, the same views the JSON API serves, and every error goes through the
API's error table (:func:`~modelcatalog.web.render.error_page`). :func:`page_routes` is the
one hook the service calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.errors import error_response
from modelcatalog.api.history import Caller, VersionFlags, history_json
from modelcatalog.api.parts import ServiceParts
from modelcatalog.api.state import CatalogState
from modelcatalog.catalog.query import CAPABILITIES, SORTS, rows_of, run_query
from modelcatalog.catalog.views import Audience, ViewSet
from modelcatalog.errors import InvalidUsage, ModelNotFound, QuoteError, RouteNotFound
from modelcatalog.pricing import USAGE_FIELDS, quote
from modelcatalog.pricing.quote import decimal_text
from modelcatalog.pricing.usage import COUNT_FIELDS, SECOND_FIELDS
from modelcatalog.spec.record import MODEL_TYPES
from modelcatalog.store import Store
from modelcatalog.web import chart, record_view
from modelcatalog.web.changes import Changelog
from modelcatalog.web.feed import atom_feed
from modelcatalog.web.params import (
    PAGE_SIZES,
    PRIVACY,
    QUANTIZATIONS,
    catalog_params,
    compare_ids,
    page_number,
    refuse,
)
from modelcatalog.web.render import audience_of, error_page, html_page, render

__all__ = ["CHANGES_PER_PAGE", "Pages", "page_routes"]

CHANGES_PER_PAGE = 20
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_MAX_QUANTITY_TEXT = 40
Endpoint = Callable[[Request], Awaitable[Response]]


def _static_files() -> dict[str, tuple[bytes, str]]:
    found = {}
    for entry in files("modelcatalog.web").joinpath("static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if suffix in _STATIC_TYPES:
            found[entry.name] = (entry.read_bytes(), _STATIC_TYPES[suffix])
    return found


class Pages:
    """The browser's endpoints over one service's catalog state (and store, when it has one)."""

    def __init__(self, state: CatalogState, store: Store | None, audiences: Audiences) -> None:
        self.state = state
        self.store = store
        self.keys = audiences
        self.changelog = Changelog(store) if store is not None else None
        self.flags = VersionFlags(store) if store is not None else None
        self.static_files = _static_files()

    def routes(self) -> list[BaseRoute]:
        def get(path: str, endpoint: Endpoint) -> Route:
            return Route(path, _guarded(endpoint), methods=["GET", "HEAD"])

        return [
            get("/", self.catalog),
            get("/models/{model_id:path}", self.model),
            get("/compare", self.compare),
            get("/changes", self.changes),
            get("/changes.atom", self.feed),
            get("/static/{name}", self.static),
        ]

    def _page(self, request: Request, template: str, **context: Any) -> Response:
        body = render(template, keyed="authorization" in request.headers, **context)
        return html_page(request, body)

    # -- / -------------------------------------------------------------------------------

    async def catalog(self, request: Request) -> Response:
        params = request.query_params.multi_items()
        asked = catalog_params(params)
        audience = audience_of(request, self.keys)
        views = self.state.views()
        result = run_query(rows_of(views, audience), asked.query)
        pages = max(1, -(-len(result.rows) // asked.per_page))
        if asked.page > pages:
            raise refuse("page", f"Expected a page from 1 to {pages}, received {asked.page}")
        start = (asked.page - 1) * asked.per_page
        kept = [(k, v) for k, v in params if k != "page" and v != ""]
        return self._page(
            request,
            "catalog.html",
            views=views,
            audience=audience,
            query=asked.query,
            result=result,
            shown=result.rows[start : start + asked.per_page],
            start=start,
            page=asked.page,
            pages=pages,
            per_page=asked.per_page,
            page_url=lambda n: "/?" + urlencode([*kept, ("page", str(n))]),
            types=MODEL_TYPES,
            capabilities=CAPABILITIES,
            privacy=PRIVACY,
            quantizations=QUANTIZATIONS,
            sorts=SORTS,
            page_sizes=PAGE_SIZES,
            summary=record_view.price_summary,
        )

    # -- /models/{id} --------------------------------------------------------------------

    async def model(self, request: Request) -> Response:
        model_id: str = request.path_params["model_id"]
        audience = audience_of(request, self.keys)
        views = self.state.views()
        served = views.model(audience, model_id)  # the API's 404 and 410
        model = views.snapshot.by_id[model_id]
        record = views.record(audience, model)
        calculation, status = _calculate(request, model)
        history = await self._history(model_id, audience, record)
        body = render(
            "model.html",
            keyed="authorization" in request.headers,
            record=record,
            spec=record.get("model_spec") or {},
            served=served,
            names=_names_leading_to(views, audience, model.id, model.type),
            tables=record_view.price_tables(record),
            capabilities=record_view.capability_rows(record),
            constraints=list(
                record_view.flatten((record.get("model_spec") or {}).get("constraints") or {})
            ),
            facts=record_view.other_facts(record),
            timeline=record_view.timeline(record, views.lifecycles.by_id[model.id], views.at),
            history=history,
            svg=None if history is None else chart.svg_chart(history, views.at),
            series=[] if history is None else chart.series_labels(history),
            has_store=self.store is not None,
            fields=record_view.quote_fields(record),
            usage={k: request.query_params.get(k, "") for k in USAGE_FIELDS},
            calculation=calculation,
        )
        return html_page(request, body, status=status)

    async def _history(
        self, model_id: str, audience: Audience, record: dict[str, Any]
    ) -> chart.PriceHistory | None:
        if self.store is None:
            return None
        try:
            body = await run_in_threadpool(
                history_json,
                self.store,
                self.state.snapshot,
                model_id,
                Caller(audience),
                self.flags,
            )
        except ModelNotFound:
            return chart.price_history([], record)
        return chart.price_history(body["data"], record)

    # -- /compare ------------------------------------------------------------------------

    async def compare(self, request: Request) -> Response:
        params = request.query_params.multi_items()
        audience = audience_of(request, self.keys)
        views = self.state.views()
        if not any(k == "ids" for k, _ in params):
            return self._page(request, "compare.html", models=[], rows=[], asked="")
        ids = compare_ids(params)
        records = []
        for model_id in ids:
            views.model(audience, model_id)  # the API's 404 and 410
            records.append(views.record(audience, views.snapshot.by_id[model_id]))
        return self._page(
            request,
            "compare.html",
            models=records,
            rows=_comparison(records),
            asked=",".join(ids),
            summary=record_view.price_summary,
        )

    # -- /changes and /changes.atom ------------------------------------------------------

    async def changes(self, request: Request) -> Response:
        before = _before(request)
        if self.changelog is None:
            return self._page(request, "changes.html", versions=[], following=None, store=False)
        audience = audience_of(request, self.keys)
        versions, following = await run_in_threadpool(
            self.changelog.page, audience, CHANGES_PER_PAGE, before
        )
        shown = [v for v in versions if not v.empty]
        return self._page(request, "changes.html", versions=shown, following=following, store=True)

    async def feed(self, request: Request) -> Response:
        audience = audience_of(request, self.keys)
        versions = []
        if self.changelog is not None:
            found, _ = await run_in_threadpool(self.changelog.page, audience, CHANGES_PER_PAGE)
            versions = [v for v in found if not v.empty]
        body = atom_feed(str(request.base_url), versions, self.state.snapshot)
        return html_page(request, body, media_type="application/atom+xml; charset=utf-8")

    # -- /static/{name} ------------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        found = self.static_files.get(request.path_params["name"])
        if found is None:
            raise RouteNotFound(request.url.path)
        content, media_type = found
        return html_page(request, content.decode(), media_type=media_type, max_age=3600)


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as exc:
            return error_page(request, exc)

    return guarded


def _before(request: Request) -> int | None:
    if "before" not in request.query_params:
        return None
    return page_number(request.query_params.multi_items(), "before")


def _names_leading_to(
    views: ViewSet, audience: Audience, model_id: str, model_type: str
) -> list[tuple[str, str]]:
    """``(kind, name)`` of the traits and compatibility aliases that resolve to the model."""
    index = views.resolution_index(audience)
    names = [
        ("trait", t) for t, target in index.traits.get(model_type, {}).items() if target == model_id
    ]
    names += [
        ("alias", a)
        for a, target in index.aliases.get(model_type, {}).items()
        if target == model_id
    ]
    return names


def _comparison(records: list[dict[str, Any]]) -> list[tuple[str, list[str], bool]]:
    """``(field, value per model, differs)`` of every field any of the records has."""
    flattened = [dict(record_view.flatten(r)) for r in records]
    paths = list(dict.fromkeys(p for f in flattened for p in f))
    rows = []
    for path in paths:
        values = [f.get(path, "—") for f in flattened]
        rows.append((path, values, len(set(values)) > 1))
    return rows


def _calculate(request: Request, model: Any) -> tuple[dict[str, Any] | None, int]:
    """The quote of the usage in the query string, or the error of the one table, and the
    page's status: a usage the model cannot price makes the page answer as the API would."""
    given = {k: v for k, v in request.query_params.items() if k in USAGE_FIELDS and v != ""}
    if not given:
        return None, 200
    try:
        result = quote(model.record, {k: _quantity(k, v) for k, v in given.items()})
    except QuoteError as exc:
        error = error_response(exc)
        return {"error": str(exc)}, error.status
    items = [
        {
            "name": i.name,
            "quantity": decimal_text(i.quantity),
            "unit": i.unit,
            "usd": decimal_text(i.usd),
            "diem": decimal_text(i.diem),
        }
        for i in result.items
    ]
    usd, diem = decimal_text(result.usd), decimal_text(result.diem)
    return {"items": items, "usd": usd, "diem": diem}, 200


def _quantity(name: str, text: str) -> Any:
    if len(text) > _MAX_QUANTITY_TEXT:
        raise InvalidUsage(f"{name} is too long to be a quantity", field=name)
    if name in COUNT_FIELDS:
        if not (text.isascii() and text.isdigit()):
            raise InvalidUsage(f"{name} must be a whole number, got {text!r}", field=name)
        return int(text)
    if name in SECOND_FIELDS:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise InvalidUsage(
                f"{name} must be a number of seconds, got {text!r}", field=name
            ) from None
    return text


def page_routes(parts: ServiceParts) -> list[BaseRoute]:
    """The browser's route group: its pages over the service's catalog, store and audiences."""
    return Pages(parts.state, parts.store, parts.audiences).routes()
