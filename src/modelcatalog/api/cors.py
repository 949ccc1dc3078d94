"""Cross-origin reads: which browser origins may read the API, and the preflight answer.

With ``cors_origins = ["*"]`` (the default) the headers are the same for every response and
are baked into the precomputed views. With a list of origins the matching origin is echoed and
every response varies on ``Origin``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["CorsPolicy"]

Headers = list[tuple[bytes, bytes]]

_EXPOSED = (
    b"etag, x-catalog-version, x-venice-model-deprecation-date, x-venice-model-deprecation-warning"
)
_ALLOWED_HEADERS = b"authorization, content-type, if-none-match"
_PREFLIGHT_MAX_AGE = b"86400"


class CorsPolicy:
    """CORS for the whole service; ``methods`` are the ones a browser may send cross-origin."""

    def __init__(self, origins: Sequence[str], methods: Sequence[str] = ("GET", "HEAD")) -> None:
        self.any_origin = "*" in origins
        self._origins = frozenset(o.encode() for o in origins)
        self._methods = ", ".join((*methods, "OPTIONS")).encode()
        #: Headers every response carries.
        self.static_headers: Headers = (
            [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", _EXPOSED)]
            if self.any_origin
            else []
        )
        #: Added to ``Vary`` when the answer depends on the request's ``Origin``.
        self.vary: bytes = b"" if self.any_origin else b", Origin"

    def for_origin(self, origin: bytes | None) -> Headers:
        """Per-request headers (only with a list of origins; empty when ``*``)."""
        if self.any_origin or origin is None or origin not in self._origins:
            return []
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-expose-headers", _EXPOSED),
        ]

    def preflight(self, origin: bytes) -> tuple[int, Headers]:
        """The answer to ``OPTIONS`` with ``Access-Control-Request-Method``."""
        headers: Headers = [(b"vary", b"Origin")]
        if not self.any_origin and origin not in self._origins:
            return 403, headers
        allowed = b"*" if self.any_origin else origin
        return 204, [
            *headers,
            (b"access-control-allow-origin", allowed),
            (b"access-control-allow-methods", self._methods),
            (b"access-control-allow-headers", _ALLOWED_HEADERS),
            (b"access-control-max-age", _PREFLIGHT_MAX_AGE),
        ]
