"""uvicorn's httptools protocol, holding the request-head limits the HTTP parser does not.

httptools bounds neither the request target nor the header section: a client could send one
endless header and the parser would hold all of it. :class:`HeadLimitProtocol` counts both as
they are parsed and answers 414 or 431 itself, with the usual error envelope
(:mod:`modelcatalog.api.limits`), before the head is complete. It also keeps a chunked body's
trailer fields out of the request's headers: uvicorn appends them to the header list the ASGI
scope already holds, so an ``Authorization`` trailer would authenticate the request.

Everything else is uvicorn's. This is the protocol served when the fast path is off
(``http_fast_path = false``); :class:`~modelcatalog.api.direct.DirectReadProtocol` builds on
it to answer prepared reads from the parser.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from modelcatalog.api.app import CatalogApp
from modelcatalog.api.errors import error_response
from modelcatalog.api.limits import RequestLimits
from modelcatalog.errors import HeadersTooLarge, LimitExceeded, URITooLong
from modelcatalog.settings import Settings

__all__ = ["HeadLimitProtocol", "catalog_app"]


class HeadLimitProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the target and header limits (``http=`` of uvicorn)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._catalog = catalog_app(self.app)
        self._limits = _DEFAULT_LIMITS if self._catalog is None else self._catalog.limits
        # The request line and the CRLFs around the fields come on top of the header bytes.
        self._max_head = self._limits.header_bytes + self._limits.url_bytes + 1024
        #: Between requests and while a request's head is read; trailers come after it.
        self._in_head = True
        self._head_bytes = 0
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
        super().on_message_begin()
        self._in_head = True  # _head_bytes runs on from the end of the previous request
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
        self._field_bytes += len(name) + len(value)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._discarding or self.refused_head():
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._discarding:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        if not self._discarding:
            super().on_message_complete()

    def refused_head(self) -> bool:
        """Refuse a complete head over a limit (answered, connection closing): True if so."""
        limits = self._limits
        fields = len(self.headers)
        if self._field_bytes + 4 * fields > limits.header_bytes or fields > limits.header_fields:
            self._refusal = self._refusal or self._head_refusal()
        if self._refusal is None:
            return False
        self._refuse(self._refusal)
        return True

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


#: How long a refused connection keeps draining what the client still sends.
_LINGER_S = 2.0
_DEFAULT_LIMITS = RequestLimits.of(Settings.model_construct())


def catalog_app(app: Any) -> CatalogApp | None:
    """The :class:`CatalogApp` inside uvicorn's middleware (proxy headers, message logger)."""
    for _ in range(8):
        if isinstance(app, CatalogApp):
            return app
        app = getattr(app, "app", None)
    return None
