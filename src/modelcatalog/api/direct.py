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

It builds on :class:`~modelcatalog.api.protocol.HeadLimitProtocol`, which holds the request
limits the HTTP parser does not (414, 431, trailers never become headers). A request that
declares a body is not answered here, so ``Expect: 100-continue`` on a read gets its answer at
once.

Anything else takes uvicorn's ordinary path: other methods and routes, errors (rendered by the
one error table), ``?at=`` reads, percent-encoded paths, a connection whose previous request
is still being answered or whose writes are paused. While the per-request access log is on,
every request takes it (and :func:`http_protocol` serves uvicorn's own protocol).

The protocol reaches into about a dozen of uvicorn's internals, so it is pinned to the uvicorn
it was written for (:data:`WRITTEN_FOR_UVICORN`). :func:`http_protocol` picks the protocol to
serve: this one when the ``http_fast_path`` setting is on and that uvicorn is installed, else
:class:`~modelcatalog.api.protocol.HeadLimitProtocol` (uvicorn's own, with the limits). On
another uvicorn the service warns and falls back, or refuses to start when the operator asked
for the fast path explicitly.
"""

from __future__ import annotations

import asyncio
import logging

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from modelcatalog.api.http import Headers
from modelcatalog.api.protocol import HeadLimitProtocol
from modelcatalog.errors import InvalidSettings
from modelcatalog.settings import Settings

__all__ = ["WRITTEN_FOR_UVICORN", "DirectReadProtocol", "http_protocol"]

#: The uvicorn release whose internals :class:`DirectReadProtocol` was written against.
WRITTEN_FOR_UVICORN = "0.54.0"

log = logging.getLogger("modelcatalog.serve")


def http_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """The HTTP protocol to serve with (uvicorn's ``http=``), chosen by ``http_fast_path``.

    Raises :class:`InvalidSettings` when the fast path was asked for explicitly but another
    uvicorn than :data:`WRITTEN_FOR_UVICORN` is installed; left at its default, the service
    warns and serves on uvicorn's own protocol instead.
    """
    if not settings.http_fast_path or settings.access_log:
        # With the access log on every request takes the ASGI path, to get its log line.
        return HeadLimitProtocol
    installed = uvicorn.__version__
    if installed == WRITTEN_FOR_UVICORN:
        return DirectReadProtocol
    mismatch = (
        f"the HTTP fast path was written for uvicorn {WRITTEN_FOR_UVICORN}, "
        f"but uvicorn {installed} is installed"
    )
    if "http_fast_path" in settings.model_fields_set:
        raise InvalidSettings(
            [
                f"http_fast_path = true: {mismatch}; set http_fast_path = false "
                f"(MODELCATALOG_HTTP_FAST_PATH=false) to serve on uvicorn's own protocol, "
                f"or install uvicorn=={WRITTEN_FOR_UVICORN}"
            ]
        )
    log.warning(
        "%s: serving on uvicorn's own protocol; set http_fast_path = false to say so", mismatch
    )
    return HeadLimitProtocol


class DirectReadProtocol(HeadLimitProtocol):
    """uvicorn's httptools protocol, answering prepared reads itself (``http=`` of uvicorn)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._direct: tuple[bytes, bytes] | None = None
        self._close_after = False
        self._has_body = False
        #: Loop time the last answer completed at; None while a request is being read or run.
        self._idle_since: float | None = None
        #: The server's default headers (the date) as last encoded, and the list they came from.
        self._defaults: tuple[Headers, bytes] = ([], b"")
        #: The model id and the body so far of a quote being answered here (_quote_directly).
        self._quote: tuple[str, list[bytes]] | None = None

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

    def on_header(self, name: bytes, value: bytes) -> None:
        # All of HeadLimitProtocol's and uvicorn's work, inline: this runs once per field.
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
        if self._discarding or self.refused_head():
            return
        answer = self._answer_directly() if self._catalog is not None else None
        if answer is not None:
            self._direct = answer
            return
        if self._catalog is not None and self._quote_directly():
            return
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        HttpToolsProtocol.on_message_begin(self)
        self.url, self.headers, self.expect_100_continue = url, headers, expect
        self.scope["headers"] = headers
        HttpToolsProtocol.on_headers_complete(self)

    def on_body(self, body: bytes) -> None:
        if self._quote is not None:
            self._quote[1].append(body)
            return
        if self._direct is None and not self._discarding:
            HttpToolsProtocol.on_body(self, body)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        if self._discarding:
            return
        if self._quote is not None:
            self._send_quote()
            return
        data = self._direct
        if data is None:
            HttpToolsProtocol.on_message_complete(self)
            return
        self._direct = None
        self._write_direct(data)

    def _write_direct(self, data: tuple[bytes, bytes]) -> None:
        head, body = data
        if body:
            self.transport.writelines((head, body))
        else:
            self.transport.write(head)
        if self._close_after:
            self.transport.close()
        self.on_response_complete()

    # The keep-alive timer. uvicorn cancels it when data arrives and arms a new one after each
    # answer: a timer handle made and dropped per request, about a microsecond of a 304's ten.
    # Here one timer per idle stretch stays armed; when it fires, it closes the connection if
    # it has been idle for the whole timeout, else re-arms itself for the rest.

    def _unset_keepalive_if_required(self) -> None:
        # uvicorn calls this as data arrives (and at connection loss, handled below).
        self._idle_since = None

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

    def on_response_complete(self) -> None:
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self._keep_alive_expired
            )

    def _keep_alive_expired(self) -> None:
        self.timeout_keep_alive_task = None
        idle_since = self._idle_since
        if idle_since is None:
            return  # a request is being read or answered; its completion re-arms the timer
        left = idle_since + self.timeout_keep_alive - self.loop.time()
        if left > 0:
            self.timeout_keep_alive_task = self.loop.call_later(left, self._keep_alive_expired)
        else:
            self.timeout_keep_alive_handler()

    def _answer_directly(self) -> tuple[bytes, bytes] | None:
        if not self._free_to_answer():
            return None
        if self._has_body:
            return None  # the ASGI path refuses a read's body before the client sends it
        method = self.parser.get_method()
        if method != b"GET" and method != b"HEAD":
            return None
        path, query = _split_target(self.url)
        assert self._catalog is not None
        answer = self._catalog.answer_directly(path, query, self.headers, head=method == b"HEAD")
        if answer is None:
            return None
        keep_alive = self._note_keep_alive()
        status, headers, body = answer
        return _response(status, self._default_block(), headers, body, keep_alive)

    def _free_to_answer(self) -> bool:
        # Not while an earlier request is still being answered or waits in the pipeline,
        # while writes are paused, or on an upgrade: those take uvicorn's own path.
        busy = self.cycle is not None and not self.cycle.response_complete
        return not (busy or self.pipeline or self.flow.write_paused or self.parser.should_upgrade())

    def _note_keep_alive(self) -> bool:
        """Whether the connection stays open after this answer (noted for the write)."""
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        self._close_after = not keep_alive
        return keep_alive

    def _default_block(self) -> bytes:
        # uvicorn replaces the default header list when the date changes, once a second.
        defaults = self.server_state.default_headers
        if self._defaults[0] is not defaults:
            self._defaults = (defaults, b"".join([b"%s: %s\r\n" % h for h in defaults]))
        return self._defaults[1]

    def _quote_directly(self) -> bool:
        """Take a ``POST`` quote without ``?at=`` whose body is declared by a Content-Length
        within the limit: its body is collected by on_body and answered at the message's end.

        Anything else about it (chunked, ``Expect: 100-continue``, over the limit, a query
        string) takes the ASGI path, which refuses or answers it as it always has.
        """
        if not self._free_to_answer():
            return False
        if self.expect_100_continue or self.parser.get_method() != b"POST":
            return False
        assert self._catalog is not None
        path, query = _split_target(self.url)
        model_id = self._catalog.quote_target(path)
        if model_id is None or query or not self._declared_within(self._limits.quote_body):
            return False
        self._note_keep_alive()
        self._quote = (model_id, [])
        return True

    def _declared_within(self, limit: int) -> bool:
        """One Content-Length of at most ``limit``, and no Transfer-Encoding."""
        declared = None
        for name, value in self.headers:
            if name == b"transfer-encoding" or (name == b"content-length" and declared):
                return False
            if name == b"content-length":
                declared = value
        return declared is not None and declared.isdigit() and int(declared) <= limit

    def _send_quote(self) -> None:
        assert self._quote is not None and self._catalog is not None
        model_id, parts = self._quote
        self._quote = None
        status, headers, body = self._catalog.answer_quote(model_id, self.headers, b"".join(parts))
        # Not _response: a quote's header list is made per request, so caching its encoding
        # (_header_block) would only churn the cache; the body is small, so it goes joined.
        lines = [self._default_block(), *[b"%s: %s\r\n" % header for header in headers]]
        if self._close_after:
            lines.append(b"connection: close\r\n")
        self._write_direct((b"".join([STATUS_LINE[status], *lines, b"\r\n", body]), b""))


def _split_target(url: bytes) -> tuple[bytes, bytes]:
    """Path and query of a request target; the origin form without a fragment is split here,
    at a third of ``httptools.parse_url``'s cost, which takes every other form."""
    if url[:1] == b"/" and b"#" not in url:
        path, _, query = url.partition(b"?")
        return path, query
    parsed = httptools.parse_url(url)
    return parsed.path, parsed.query or b""


def _response(
    status: int, defaults: bytes, headers: Headers, body: bytes, keep_alive: bool
) -> tuple[bytes, bytes]:
    """The head and the body, kept apart so a large body is written without being copied."""
    end = b"\r\n" if keep_alive else b"connection: close\r\n\r\n"
    if len(body) < _JOIN_BELOW:
        return b"".join((STATUS_LINE[status], defaults, _header_block(headers), end, body)), b""
    return b"".join((STATUS_LINE[status], defaults, _header_block(headers), end)), body


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

#: Bodies smaller than this go out joined with the head, in one buffer.
_JOIN_BELOW = 16384
