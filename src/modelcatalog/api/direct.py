"""Answer the hottest reads straight from the HTTP parser, without an ASGI round trip.

Under uvicorn, most of the cost of a cached read is not the read but the ASGI machinery around
it: a scope dict, a task, an event, two message dicts and header validation per request
(docs/performance.md measured the read path itself at 4-5 µs of some 35 µs). For the reads
whose answer is already prepared bytes -- ``GET``/``HEAD`` of the listing, traits, compatibility
mapping and a model by id -- :class:`DirectReadProtocol` asks the app for the answer as soon as
the request's headers are parsed and writes status line, headers and body in one transport
write. The answer comes from the same :meth:`ReadRoutes.respond
<modelcatalog.api.reads.ReadRoutes.respond>` the ASGI path uses, so both send the same
bytes.

The protocol also holds the limits the HTTP parser does not (:mod:`modelcatalog.api.limits`):
it counts the request target and the header section as they are parsed and answers 414 or
431 itself, and it never merges a chunked body's trailer fields into the request's headers
(an ``Authorization`` trailer must not authenticate anything). A request that declares a body
is not answered here, so ``Expect: 100-continue`` on a read gets its answer at once.

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
from modelcatalog.api.errors import error_response
from modelcatalog.api.http import Headers
from modelcatalog.api.limits import RequestLimits
from modelcatalog.errors import HeadersTooLarge, LimitExceeded, URITooLong
from modelcatalog.settings import Settings

__all__ = ["DirectReadProtocol"]


class DirectReadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering prepared reads itself (``http=`` of uvicorn)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._catalog = _catalog_app(self.app)
        self._limits = _DEFAULT_LIMITS if self._catalog is None else self._catalog.limits
        # The request line and the CRLFs around the fields come on top of the header bytes.
        self._max_head = self._limits.header_bytes + self._limits.url_bytes + 1024
        self._direct: tuple[bytes, bytes] | None = None
        self._close_after = False
        #: Between requests and while a request's head is read; trailers come after it.
        self._in_head = True
        self._head_bytes = 0
        self._has_body = False
        self._field_bytes = 0
        self._refusal: LimitExceeded | None = None
        self._discarding = False

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        if self._in_head:
            self._head_bytes += len(data)
        HttpToolsProtocol.data_received(self, data)
        # A head that never ends (one endless header) is refused before the parser, which
        # has no limit of its own, holds it all.
        if self._in_head and self._head_bytes > self._max_head and not self._discarding:
            self._refuse(HeadersTooLarge(self._limits.header_bytes))

    def on_message_begin(self) -> None:
        # uvicorn builds the ASGI scope here; a read answered directly never needs it, so it
        # is built in on_headers_complete, only for requests that take the ASGI path.
        self.url = b""
        self.expect_100_continue = False
        self.headers = []
        self._in_head = True  # _head_bytes runs on from the end of the previous request
        self._has_body = False
        self._field_bytes = 0
        self._refusal = None

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > self._limits.url_bytes:
            self._refusal = self._refusal or URITooLong(self._limits.url_bytes)
            return
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._in_head:
            return  # a trailer field is never a request header
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        elif name == b"content-length" or name == b"transfer-encoding":
            self._has_body = self._has_body or value != b"0"
        self._field_bytes += len(name) + len(value)
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._discarding:
            return
        limits = self._limits
        fields = len(self.headers)
        if self._field_bytes + 4 * fields > limits.header_bytes or fields > limits.header_fields:
            self._refusal = self._refusal or self._head_refusal()
        if self._refusal is not None:
            self._refuse(self._refusal)
            return
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
        if self._direct is None and not self._discarding:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        if self._discarding:
            return
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

    def _head_refusal(self) -> LimitExceeded:
        limits = self._limits
        if len(self.headers) > limits.header_fields:
            return HeadersTooLarge(limits.header_fields, "fields")
        return HeadersTooLarge(limits.header_bytes)

    def _refuse(self, exc: LimitExceeded) -> None:
        """Answer with the error envelope, then close once the client has stopped sending.

        Closing at once would reset a connection whose client is still sending, and a reset
        can destroy the answer before the client reads it; so the write side is shut, further
        input is dropped, and the connection closes after a grace period.
        """
        self._discarding = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # an earlier pipelined answer is still being written
            return
        error = error_response(exc)
        parts = [STATUS_LINE[error.status]]
        parts += [b"%s: %s\r\n" % header for header in self.server_state.default_headers]
        parts += [b"%s: %s\r\n" % header for header in error.headers]
        parts.append(b"content-type: application/json\r\ncache-control: no-store\r\n")
        parts.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(error.body))
        self.transport.write(b"".join([*parts, error.body]))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        asyncio.get_running_loop().call_later(_LINGER_S, self.transport.close)

    def _answer_directly(self) -> tuple[bytes, bytes] | None:
        busy = self.cycle is not None and not self.cycle.response_complete
        if busy or self.pipeline or self.flow.write_paused or self.parser.should_upgrade():
            return None
        if self._has_body:
            return None  # the ASGI path refuses a read's body before the client sends it
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
    # Lists made per request (a prepared list plus CORS headers) come and go; both the count
    # and the bytes held are bounded, so no sequence of requests can grow this.
    global _header_block_bytes
    cached = _header_blocks.get(id(headers))
    if cached is not None and cached[0] is headers:
        return cached[1]
    block = b"".join([b"%s: %s\r\n" % header for header in headers])
    size = 2 * len(block)  # the block, and about as much again for the list it encodes
    if len(_header_blocks) >= _HEADER_BLOCKS_LIMIT or _header_block_bytes + size > _HEADER_BYTES:
        _header_blocks.clear()
        _header_block_bytes = 0
    _header_blocks[id(headers)] = (headers, block)
    _header_block_bytes += size
    return block


_header_blocks: dict[int, tuple[Headers, bytes]] = {}
_header_block_bytes = 0
_HEADER_BLOCKS_LIMIT = 1024
_HEADER_BYTES = 1024 * 1024

#: How long a refused connection keeps draining what the client still sends.
_LINGER_S = 2.0
_DEFAULT_LIMITS = RequestLimits.of(Settings.model_construct())

#: Bodies smaller than this go out joined with the head, in one buffer.
_JOIN_BELOW = 16384


def _catalog_app(app: Any) -> CatalogApp | None:
    """The :class:`CatalogApp` inside uvicorn's middleware (proxy headers, message logger)."""
    for _ in range(8):
        if isinstance(app, CatalogApp):
            return app
        app = getattr(app, "app", None)
    return None
