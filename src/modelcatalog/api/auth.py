"""Who is asking: bearer keys to audiences, compared in constant time.

An unknown key is not an error on public reads: the caller gets the anonymous view, as the
live Venice API does. Every configured key is compared on every keyed request, so the time
taken does not tell which key (or how much of one) matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Set

from modelcatalog.catalog.views import Audience
from modelcatalog.settings import AudienceFlag

__all__ = ["KeyRing"]

_BEARER = b"bearer "


class KeyRing:
    """The audience keys of this service."""

    def __init__(self, keys: Mapping[str, Set[AudienceFlag]]) -> None:
        self._keys = tuple((key.encode(), _audience(flags)) for key, flags in keys.items())

    def audience(self, authorization: bytes | None) -> Audience:
        """The audience of an ``Authorization`` header value (``None`` when absent)."""
        if authorization is None or not self._keys:
            return Audience.ANONYMOUS
        if authorization[:7].lower() != _BEARER:
            return Audience.ANONYMOUS
        token = authorization[7:].strip()
        found = Audience.ANONYMOUS
        for key, audience in self._keys:
            if hmac.compare_digest(token, key):
                found = audience
        return found


def _audience(flags: Set[AudienceFlag]) -> Audience:
    if AudienceFlag.STAFF in flags:
        return Audience.STAFF
    if AudienceFlag.BETA in flags:
        return Audience.BETA
    return Audience.KEY
