"""What the admin route groups (:mod:`.admin`, :mod:`.sync`) read from a request and answer.

Integers in query strings and paths are ASCII decimals within the store's integer range (so
``?limit=²`` or ``10**30`` is a 400, never a driver overflow); a page holds 1 to
:data:`MAX_PAGE` entries; every answer is JSON carrying the current catalog version as
``ETag``, never cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from modelcatalog.errors import InvalidRequestParameters
from modelcatalog.store.store import MAX_VERSION

__all__ = [
    "MAX_PAGE",
    "Endpoint",
    "json_response",
    "page_limit",
    "parse_integer",
    "path_integer",
    "query_integer",
]

#: The most entries one listing answers with (``?limit=``).
MAX_PAGE = 500
_DEFAULT_PAGE = 50
_MAX_DIGITS = len(str(MAX_VERSION))

#: A route's handler.
Endpoint = Callable[[Request], Awaitable[Response]]


def parse_integer(text: str | None, name: str, what: str) -> int | None:
    """An ASCII decimal in the store's integer range (None for None); else a 400 saying
    that ``name`` must be ``what``."""
    if text is None:
        return None
    if not (0 < len(text) <= _MAX_DIGITS and text.isascii() and text.isdigit()):
        raise InvalidRequestParameters({name: what})
    value = int(text)
    if value > MAX_VERSION:
        raise InvalidRequestParameters({name: what})
    return value


def query_integer(request: Request, name: str, default: int | None) -> int | None:
    """The query parameter ``name`` as a non-negative integer, ``default`` when absent."""
    found = parse_integer(request.query_params.get(name), name, "a non-negative integer")
    return default if found is None else found


def path_integer(request: Request, name: str, what: str) -> int:
    """The path parameter ``name`` (a version or change set number) as an integer."""
    found = parse_integer(request.path_params[name], name, what)
    assert found is not None
    return found


def page_limit(request: Request) -> int:
    """``?limit=``: how many entries a listing answers with (50 unless given)."""
    limit = query_integer(request, "limit", _DEFAULT_PAGE)
    if limit is None or not 1 <= limit <= MAX_PAGE:
        raise InvalidRequestParameters({"limit": f"an integer from 1 to {MAX_PAGE}"})
    return limit


def json_response(body: Any, version: int, status: int = 200) -> Response:
    """``body`` as JSON, tagged with the catalog ``version`` it was read at or wrote."""
    return Response(
        orjson.dumps(body),
        status,
        headers={"etag": f'"{version}"', "cache-control": "no-store"},
        media_type="application/json",
    )
