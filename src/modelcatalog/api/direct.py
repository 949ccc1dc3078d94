"""Answer the hottest reads straight from the HTTP parser, without an ASGI round trip.

Under uvicorn, most of the cost of a cached read is not the read but the ASGI machinery around
it: a scope dict, a task, an event, two message dicts and header validation per request
(docs/performance.md measured the read path itself at 4-5 µs of some 35 µs). For the reads
whose answer is already prepared bytes -- ``GET``/``HEAD`` of the listing, traits, compatibility
mapping and a model by id -- :class:`DirectReadProtocol` asks the app for the answer as soon as
the request's headers are parsed and writes status line, headers and body in one transport
write. The answer comes from the same :meth:`ListingRoutes.respond
<modelcatalog.api.listing.ListingRoutes.respond>` the ASGI path uses, so both send the same
bytes.

Anything else takes uvicorn's ordinary path: other methods and routes, errors (rendered by the
one error table), ``?at=`` reads, percent-encoded paths, a connection whose previous request
is still being answered or whose writes are paused, and every request while the per-request
access log is on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from modelcatalog.api.app import CatalogApp
from modelcatalog.api.http import Headers

__all__ = ["DirectReadProtocol"]


class DirectReadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering prepared reads itself (``http=`` of uvicorn)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._catalog = _catalog_app(self.app)
        self._direct: tuple[bytes, bytes] | None = None
        self._close_after = False

    def on_message_begin(self) -> None:
        # uvicorn builds the ASGI scope here; a read answered directly never needs it, so it
        # is built in on_headers_complete, only for requests that take the ASGI path.
        self.url = b""
        self.expect_100_continue = False
        self.headers = []

    def on_headers_complete(self) -> None:
        answer = self._answer_directly() if self._catalog is not None else None
        if answer is not None:
            self._direct = answer
            return
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.headers, self.expect_100_continue = url, headers, expect
        self.scope["headers"] = headers
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._direct is None:
            super().on_body(body)

    def on_message_complete(self) -> None:
        data = self._direct
        if data is None:
            super().on_message_complete()
            return
        self._direct = None
        head, body = data
        if body:
            self.transport.writelines((head, body))
        else:
            self.transport.write(head)
        if self._close_after:
            self.transport.close()
        self.on_response_complete()

    def _answer_directly(self) -> tuple[bytes, bytes] | None:
        busy = self.cycle is not None and not self.cycle.response_complete
        if busy or self.pipeline or self.flow.write_paused or self.parser.should_upgrade():
            return None
        method = self.parser.get_method()
        if method != b"GET" and method != b"HEAD":
            return None
        url = httptools.parse_url(self.url)
        assert self._catalog is not None
        answer = self._catalog.answer_directly(
            url.path, url.query or b"", self.headers, head=method == b"HEAD"
        )
        if answer is None:
            return None
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        self._close_after = not keep_alive
        status, headers, body = answer
        return _response(status, self.server_state.default_headers, headers, body, keep_alive)


def _response(
    status: int, defaults: Headers, headers: Headers, body: bytes, keep_alive: bool
) -> tuple[bytes, bytes]:
    """The head and the body, kept apart so a large body is written without being copied."""
    parts = [STATUS_LINE[status]]
    parts += [b"%s: %s\r\n" % header for header in defaults]  # the date, once a second
    parts.append(_header_block(headers))
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    if len(body) < _JOIN_BELOW:
        return b"".join((*parts, body)), b""
    return b"".join(parts), body


def _header_block(headers: Headers) -> bytes:
    # A prepared view hands out the same header list on every request, so its encoding is
    # kept; the list itself is held too, so that its id cannot be reused by another list.
    cached = _header_blocks.get(id(headers))
    if cached is not None and cached[0] is headers:
        return cached[1]
    block = b"".join([b"%s: %s\r\n" % header for header in headers])
    if len(_header_blocks) >= _HEADER_BLOCKS_LIMIT:
        _header_blocks.clear()
    _header_blocks[id(headers)] = (headers, block)
    return block


_header_blocks: dict[int, tuple[Headers, bytes]] = {}
_HEADER_BLOCKS_LIMIT = 4096

#: Bodies smaller than this go out joined with the head, in one buffer.
_JOIN_BELOW = 16384


def _catalog_app(app: Any) -> CatalogApp | None:
    """The :class:`CatalogApp` inside uvicorn's middleware (proxy headers, message logger)."""
    for _ in range(8):
        if isinstance(app, CatalogApp):
            return app
        app = getattr(app, "app", None)
    return None
