"""Every error response, in one place: exceptions in, ``(status, body, headers)`` out.

The body is always ``{"error": "<message>"}`` (the Venice ``StandardError``), plus
``"details"`` when a machine can use them (the accepted values of a parameter, the
replacement of a removed model). Unexpected exceptions become a bare 500; their traceback
goes to the server log, never to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.exceptions import HTTPException

from modelcatalog import errors

__all__ = ["ErrorResponse", "error_answer", "error_body", "error_response"]

log = logging.getLogger("modelcatalog.api")

#: Domain error -> HTTP status. The first matching class wins, so subclasses come first.
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (errors.InvalidRequestParameters, 400),
    (errors.ModelNotFound, 404),
    (errors.ModelRemoved, 410),
    (errors.RouteNotFound, 404),
    (errors.MethodNotAllowed, 405),
    (errors.PayloadTooLarge, 413),
    (errors.HeadersTooLarge, 431),
    (errors.URITooLong, 414),
    (errors.TooManyParameters, 400),
    (errors.JSONTooDeep, 400),
    (errors.PreconditionFailed, 412),
    (errors.RequestError, 400),
    (errors.UnpriceableRequest, 422),
    (errors.QuoteError, 400),
    (errors.VersionConflict, 409),
    (errors.AlreadyExists, 409),
    (errors.DestructiveWrite, 409),
    (errors.ChangeSetClosed, 409),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.StoreUnavailable, 503),
    (errors.SchemaOutOfDate, 503),
    (errors.CatalogInvalid, 422),
    (errors.ImportRefused, 422),
    (errors.SourceTooLarge, 413),
    (errors.UpstreamUnavailable, 502),
    (errors.SourceError, 400),
)

_INTERNAL = "Internal server error"


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()


def error_body(message: str, details: Mapping[str, Any] | None = None) -> bytes:
    """The JSON body of every error this service sends."""
    body: dict[str, Any] = {"error": message}
    if details:
        body["details"] = details
    return orjson.dumps(body)


def error_response(exc: BaseException) -> ErrorResponse:
    """Map any exception to its response; unexpected ones are logged and become a 500."""
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return ErrorResponse(exc.status_code, error_body(exc.detail))
    status = _status_of(exc)
    if status is None:
        log.error("unhandled error while serving a request", exc_info=exc)
        return ErrorResponse(500, error_body(_INTERNAL))
    return ErrorResponse(status, error_body(_message(exc), _details(exc)), _headers(exc))


def error_answer(exc: BaseException) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The whole answer to ``exc`` as the service sends it, whichever path the request took:
    status, headers (length, JSON, the error's own, ``no-store``) and body."""
    error = error_response(exc)
    headers = [
        (b"content-length", b"%d" % len(error.body)),
        (b"content-type", b"application/json"),
        *error.headers,
        (b"cache-control", b"no-store"),
    ]
    return error.status, headers, error.body


def _headers(exc: BaseException) -> tuple[tuple[bytes, bytes], ...]:
    if isinstance(exc, errors.MethodNotAllowed):
        return ((b"allow", ", ".join(exc.allowed).encode()),)
    if isinstance(exc, errors.Unauthenticated):
        # RFC 9110: a 401 names the scheme that would authenticate (RFC 6750 for bearer keys).
        return ((b"www-authenticate", b'Bearer realm="modelcatalog"'),)
    return ()


def _status_of(exc: BaseException) -> int | None:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, errors.RequestError):
        return exc.message
    return str(exc) or type(exc).__name__


def _details(exc: BaseException) -> Mapping[str, Any] | None:
    if isinstance(exc, errors.RequestError):
        return exc.details
    if isinstance(exc, errors.QuoteError) and exc.field is not None:
        return {"field": exc.field}
    if isinstance(exc, errors.VersionConflict):
        return {"expected": exc.expected, "current": exc.current}
    if isinstance(exc, errors.DestructiveWrite):
        return exc.as_json()
    if isinstance(exc, errors.CatalogInvalid):
        return {"findings": [f.as_json() for f in exc.findings]}
    if isinstance(exc, errors.ImportRefused) and exc.fields:
        return {"fields": list(exc.fields)}
    if isinstance(exc, errors.SourceTooLarge):
        return {"limit": exc.limit}
    return None
