"""HTTP details of the read path: content negotiation, ETags, precomputed header lists.

A :class:`Prepared` response holds, per content coding, the body and the complete ASGI header
list for a 200 and for a 304, built once per view. Serving a request is then a dictionary
lookup, a comparison of the ``If-None-Match`` header and two ``send`` calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelcatalog.catalog.views import Encoded

__all__ = ["JSON", "Prepared", "Variant", "choose_coding", "etag_matches", "header_value"]

Headers = list[tuple[bytes, bytes]]
JSON = b"application/json"
IDENTITY, GZIP, BR = "identity", "gzip", "br"

_coding_cache: dict[tuple[bytes, bool], str] = {}
_CODING_CACHE_LIMIT = 1024
_CODING_CACHE_VALUE_LIMIT = 128


@dataclass(frozen=True, slots=True)
class Variant:
    etag: bytes
    body: bytes
    headers: Headers
    not_modified: Headers


@dataclass(frozen=True, slots=True)
class Prepared:
    """One view, ready to send in each coding it offers."""

    identity: Variant
    gzip: Variant
    br: Variant | None

    @classmethod
    def of(cls, encoded: Encoded, common: Headers) -> Prepared:
        tag = encoded.digest.encode()
        return cls(
            _variant(b'"' + tag + b'"', encoded.identity, None, common),
            _variant(b'"' + tag + b'-gzip"', encoded.gzip, b"gzip", common),
            None
            if encoded.br is None
            else _variant(b'"' + tag + b'-br"', encoded.br, b"br", common),
        )

    def pick(self, accept_encoding: bytes | None) -> Variant:
        if accept_encoding is None:
            return self.identity
        coding = choose_coding(accept_encoding, self.br is not None)
        if coding == BR and self.br is not None:
            return self.br
        return self.gzip if coding == GZIP else self.identity


def _variant(etag: bytes, body: bytes, coding: bytes | None, common: Headers) -> Variant:
    meta = [(b"etag", etag), *common]
    if coding is not None:
        meta.append((b"content-encoding", coding))
    headers = [(b"content-type", JSON), (b"content-length", str(len(body)).encode()), *meta]
    return Variant(etag, body, headers, meta)


def choose_coding(accept_encoding: bytes, has_br: bool) -> str:
    """The best coding the client accepts: br (when offered), then gzip, else identity."""
    key = (accept_encoding, has_br)
    found = _coding_cache.get(key)
    if found is None:
        found = _negotiate(accept_encoding, has_br)
        # Browsers and clients send a few short values; only those are kept, so unique long
        # values cost their parsing and no memory (bound: entries x longest value kept).
        if len(accept_encoding) <= _CODING_CACHE_VALUE_LIMIT:
            if len(_coding_cache) >= _CODING_CACHE_LIMIT:
                _coding_cache.clear()
            _coding_cache[key] = found
    return found


def _negotiate(accept_encoding: bytes, has_br: bool) -> str:
    weights: dict[str, float] = {}
    for item in accept_encoding.decode("latin-1").split(","):
        name, _, params = item.strip().partition(";")
        weights[name.strip().lower()] = _quality(params)
    wildcard = weights.get("*", 0.0)
    options = [(weights.get(BR, wildcard), 2, BR)] if has_br else []
    options.append((weights.get(GZIP, wildcard), 1, GZIP))
    quality, _, coding = max(options)
    return coding if quality > 0 else IDENTITY


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 weak comparison of ``If-None-Match`` against our (strong) ETag."""
    if if_none_match == etag:
        return True
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == etag:
            return True
    return False


def header_value(text: str) -> bytes:
    """Catalog text made safe for a header: printable ASCII, nothing that ends the line."""
    return "".join(c if " " <= c <= "~" else "?" for c in text).encode()
