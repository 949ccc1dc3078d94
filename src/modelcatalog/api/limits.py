"""Every request limit of the service, in one place, and how each is enforced.

The service answers anonymous callers on the public internet, so nothing a request carries may
cost more than a stated amount of memory or time. Each limit is a :class:`Settings` field
(docs/configuration.md); exceeding one is a 4xx with the usual error envelope, never a dropped
connection or a 500:

- request target (path and query) over ``max_url_bytes``: 414; more than
  ``max_query_params`` query parameters: 400;
- header section over ``max_header_bytes`` or ``max_header_fields``: 431;
- body over the route's limit: 413, refused from a declared ``Content-Length`` before a byte
  is read, and counted as it streams in otherwise (``Transfer-Encoding: chunked``). Reads take
  no body; quotes and other public writes take ``max_quote_body``; admin writes
  ``max_admin_body``; ``POST /admin/v1/import`` ``max_import_body``;
- JSON nested deeper than ``max_json_depth``: 400, checked before any parser recurses
  (:func:`load_json`).

:meth:`RequestLimits.guard` enforces the first three on the ASGI path;
:mod:`modelcatalog.api.protocol` (under both HTTP protocols ``serve`` runs) checks the target
and the header section while the HTTP parser reads them, since the parser itself bounds
neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import sub
from typing import Any

import orjson
import yaml
from starlette.types import Message, Receive, Scope, Send

from modelcatalog.api.errors import error_response
from modelcatalog.errors import (
    HeadersTooLarge,
    JSONTooDeep,
    LimitExceeded,
    PayloadTooLarge,
    TooManyParameters,
    URITooLong,
)
from modelcatalog.settings import Settings

__all__ = ["RequestLimits", "check_yaml_depth", "load_json", "nesting_depth", "send_refusal"]

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_IMPORT_PATH = "/admin/v1/import"
_ADMIN_PREFIX = "/admin/"
#: A JSON string, escapes included: its brackets are text, not nesting.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
#: Opening brackets become 2, closing ones 0, everything else is deleted.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_YAML_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """The limits of one service, read once from its settings."""

    quote_body: int
    admin_body: int
    import_body: int
    json_depth: int
    header_bytes: int
    header_fields: int
    url_bytes: int
    query_params: int

    @classmethod
    def of(cls, settings: Settings) -> RequestLimits:
        return cls(
            quote_body=settings.max_quote_body,
            admin_body=settings.max_admin_body,
            import_body=settings.max_import_body,
            json_depth=settings.max_json_depth,
            header_bytes=settings.max_header_bytes,
            header_fields=settings.max_header_fields,
            url_bytes=settings.max_url_bytes,
            query_params=settings.max_query_params,
        )

    def body_limit(self, method: str, path: str) -> int:
        """The most bytes of body the route at ``path`` takes with ``method``."""
        if method in _READS:
            return 0
        if path == _IMPORT_PATH:
            return self.import_body
        if path.startswith(_ADMIN_PREFIX):
            return self.admin_body
        return self.quote_body

    def check_target(self, target_bytes: int, query: bytes) -> None:
        """Raise for a request target over its length or its number of query parameters."""
        if target_bytes > self.url_bytes:
            raise URITooLong(self.url_bytes)
        if query and query.count(b"&") >= self.query_params:
            raise TooManyParameters(self.query_params)

    def check_headers(self, headers: Iterable[tuple[bytes, bytes]]) -> None:
        """Raise for a header section over its size (``name: value\\r\\n``) or field count."""
        count = size = 0
        for name, value in headers:
            count += 1
            size += len(name) + len(value) + 4
        if count > self.header_fields:
            raise HeadersTooLarge(self.header_fields, "fields")
        if size > self.header_bytes:
            raise HeadersTooLarge(self.header_bytes)

    def guard(self, scope: Scope, receive: Receive) -> Receive:
        """Check an HTTP request's target, headers and declared body; count the body it sends.

        Raises a :class:`LimitExceeded` before anything is read; the ``receive`` returned
        raises :class:`PayloadTooLarge` once the body passes the route's limit, so at most the
        limit plus one read of the server is ever held.
        """
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope["query_string"]
        self.check_target(len(raw_path) + len(query) + 1, query)
        headers = scope["headers"]
        self.check_headers(headers)
        limit = self.body_limit(scope["method"], scope["path"])
        for name, value in headers:
            if name == b"content-length" and _declared(value) > limit:
                raise PayloadTooLarge(limit)
        return _counted(receive, limit)


def _declared(value: bytes) -> int:
    # The HTTP parser has already refused a malformed Content-Length; this only guards
    # servers that have not.
    return int(value) if value.strip().isdigit() else 0


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def receive_counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(limit)
        return message

    return receive_counted


async def send_refusal(send: Send, exc: LimitExceeded, *, close: bool = False) -> None:
    """Answer a request refused before the application saw it (the usual error envelope)."""
    error = error_response(exc)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(error.body)).encode()),
        (b"cache-control", b"no-store"),
        *error.headers,
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": error.body})


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in the JSON text ``raw``, without parsing it.

    Linear and without recursion, so it is safe on any input: brackets inside strings are
    dropped first, then the running depth is a sum over what is left.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(_BRACKETS, _NOT_BRACKETS)
    return max(accumulate(map(sub, brackets, repeat(1))), default=0)


def load_json(raw: bytes, max_depth: int, loads: Callable[[bytes], Any] = orjson.loads) -> Any:
    """``loads(raw)``, once ``raw`` is known to nest no deeper than ``max_depth``.

    Parsers recurse per level (the standard library until ``RecursionError``, orjson to a
    fixed 1024, YAML until the stack runs out), so depth is refused before any of them runs:
    :class:`JSONTooDeep`. Malformed JSON raises what ``loads`` raises.
    """
    # Depth cannot exceed the number of opening brackets: counting them (in C) settles most
    # bodies, such as a quote's usage, without the scan.
    openers = raw.count(b"{") + raw.count(b"[")
    if openers > max_depth and nesting_depth(raw) > max_depth:
        raise JSONTooDeep(max_depth)
    return loads(raw)


def check_yaml_depth(raw: bytes, max_depth: int) -> None:
    """Raise :class:`JSONTooDeep` for YAML nested deeper than ``max_depth``.

    YAML also nests by indentation (``- - - x``), which no bracket count sees, and libyaml
    builds nodes recursively in C: deep enough, and the process dies. Its event parser keeps
    an explicit stack, so depth is counted there first. Malformed YAML is left to the reader,
    which names the error in its own words.
    """
    depth = 0
    try:
        for event in yaml.parse(raw, Loader=_YAML_LOADER):
            if isinstance(event, _YAML_OPENS):
                depth += 1
                if depth > max_depth:
                    raise JSONTooDeep(max_depth)
            elif isinstance(event, _YAML_CLOSES):
                depth -= 1
    except yaml.YAMLError:
        return
