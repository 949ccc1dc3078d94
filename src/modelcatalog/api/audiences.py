"""Who is calling: bearer keys to audiences, compared in constant time.

:class:`Audiences` is the one answer for every route (reads, quotes, history). It knows the
keys of the settings and, on a store, the store's active keys
(:class:`~modelcatalog.store.keys.StoredKeys`), which the follower replaces whenever a key is
created or revoked. A store key is looked up by its digest; settings keys are compared on every
keyed request, so the time taken does not tell which one (or how much of one) matched.

An unknown key is not an error on public reads: the caller gets the anonymous view, as the
live Venice API does.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Set

from modelcatalog.catalog.views import Audience
from modelcatalog.settings import AudienceFlag
from modelcatalog.store.keys import StoredKeys

__all__ = ["Audiences"]

_BEARER = b"bearer "


class Audiences:
    """The audience of each caller, from the settings' keys and the store's active keys."""

    def __init__(
        self, keys: Mapping[str, Set[AudienceFlag]], stored: StoredKeys | None = None
    ) -> None:
        self._keys = tuple((key.encode(), _audience(flags)) for key, flags in keys.items())
        self._stored = stored or StoredKeys()

    def use_stored(self, stored: StoredKeys) -> None:
        """Answer from ``stored`` from now on (the store's keys changed); atomic, any thread."""
        self._stored = stored

    def audience(self, authorization: bytes | None) -> Audience:
        """The audience of an ``Authorization`` header value (``None`` when absent)."""
        if authorization is None or authorization[:7].lower() != _BEARER:
            return Audience.ANONYMOUS
        token = authorization[7:].strip()
        stored = self._stored
        if len(stored):
            key = stored.lookup(token.decode("latin-1"))
            if key is not None:
                return Audience.STAFF if key.staff else Audience.BETA if key.beta else Audience.KEY
        found = Audience.ANONYMOUS
        for key_bytes, audience in self._keys:
            if hmac.compare_digest(token, key_bytes):
                found = audience
        return found


def _audience(flags: Set[AudienceFlag]) -> Audience:
    if AudienceFlag.STAFF in flags:
        return Audience.STAFF
    if AudienceFlag.BETA in flags:
        return Audience.BETA
    return Audience.KEY
