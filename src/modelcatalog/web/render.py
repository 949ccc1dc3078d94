"""Templates, HTML responses and HTML error pages of the catalog browser.

Errors are the API's: :func:`~modelcatalog.api.errors.error_response` decides the status and
the message (so a page's 404 says what ``GET /api/v1/models/{id}`` says), and the page shows
them, with the replacement of a removed model linked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.errors import error_response
from modelcatalog.catalog.views import Audience
from modelcatalog.instants import format_day, from_unix_seconds, try_instant

__all__ = [
    "HTML",
    "audience_of",
    "date_text",
    "error_page",
    "html_page",
    "number_text",
    "render",
]

HTML = "text/html; charset=utf-8"
_ENV = Environment(
    loader=PackageLoader("modelcatalog.web", "templates"),
    autoescape=select_autoescape(("html", "atom")),
    undefined=ChainableUndefined,  # records have optional keys
    trim_blocks=True,
    lstrip_blocks=True,
)


def number_text(value: Any) -> str:
    """A catalog number as people read it: ``1,000,000``, ``0.6``, ``1.25e-05`` stays exact."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    text = repr(value)
    return text if "e" in text else f"{value:,.15f}".rstrip("0").rstrip(".")


def date_text(value: Any) -> str:
    """A Unix time or an ISO 8601 instant as ``2026-02-05`` (time of day when not midnight)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_day(from_unix_seconds(value))
    if isinstance(value, datetime):
        return format_day(value)
    if isinstance(value, str):
        instant = try_instant(value)
        return value if instant is None else format_day(instant)
    return str(value)


_ENV.filters["number"] = number_text
_ENV.filters["date"] = date_text


def render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def html_page(
    request: Request,
    body: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    media_type: str = HTML,
    max_age: int = 0,
) -> Response:
    """A page; a 200 gets a strong ETag and answers a matching If-None-Match with 304.

    Pages vary by the key (``Authorization``) and are private to it when one is sent;
    ``max_age`` 0 makes caches revalidate every time (cheap with the ETag).
    """
    data = body.encode()
    scope = "private" if "authorization" in request.headers else "public"
    freshness = f"max-age={max_age}" if max_age else "no-cache"
    common = {"vary": "Authorization", "cache-control": f"{scope}, {freshness}", **(headers or {})}
    if status != 200:
        common["cache-control"] = "no-store"
        return Response(data, status, common, media_type=media_type)
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={**common, "etag": etag})
    return Response(data, 200, {**common, "etag": etag}, media_type=media_type)


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def audience_of(request: Request, keys: Audiences) -> Audience:
    """The caller's audience, by the service's keys (settings and store) as on every route."""
    authorization = request.headers.get("authorization")
    return keys.audience(None if authorization is None else authorization.encode("latin-1"))


def error_page(request: Request, exc: BaseException) -> Response:
    """The HTML page of an error: the status and message of the one error table."""
    error = error_response(exc)
    body = orjson.loads(error.body)
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    page = render(
        "error.html",
        status=error.status,
        message=str(body.get("error", "")),
        details=_detail_lines(details),
        replacement=details.get("replacementModelId"),
        suggestions=details.get("suggestions") or [],
    )
    headers = {name.decode(): value.decode() for name, value in error.headers}
    return html_page(request, page, status=error.status, headers=headers)


def _detail_lines(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(parameter, what is wrong)`` of an invalid-parameters error, one line each."""
    lines = []
    for name, value in details.items():
        if isinstance(value, dict) and value.get("_errors"):
            lines.append((name, "; ".join(str(m) for m in value["_errors"])))
    return lines
