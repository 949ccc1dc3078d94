"""The catalog at an instant: the one meaning of ``?at=`` for reads, quotes and history.

:meth:`CatalogTimeline.catalog_at` answers every dated request the same way:

- without a store, or for an instant not yet past (by the system clock, which stamps the
  store's versions, whatever ``--now`` says): the catalog being served, under the lifecycle
  clock of that instant (deprecations started, removals done) -- not history;
- a past instant on a store: the version that was current then (``from_history``); an
  instant before the first version raises :class:`~modelcatalog.errors.NotFound`.

Either way the views are those of the instant's lifecycle window, so ``?at=`` on reads and
quotes sees the same models, and the same errors for the same instant.

:func:`at_param` reads ``at`` from a query string; a value that is not an instant is an
:class:`~modelcatalog.errors.InvalidInstant` naming ``at`` (a 400), on every route.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from modelcatalog.api.state import CatalogState
from modelcatalog.catalog.lifecycle import system_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import SnapshotLifecycles, ViewSet
from modelcatalog.instants import parse_instant
from modelcatalog.store import Store

__all__ = ["CatalogTimeline", "DatedViews", "WindowKey", "at_param"]

#: Catalog version, then the start and end of a lifecycle window.
WindowKey = tuple[str, datetime | None, datetime | None]
#: Dated views kept (LRU); docs/performance.md states what they can cost.
_VIEWS_KEPT = 16
_LIFECYCLES_KEPT = 4


@dataclass(frozen=True, slots=True)
class DatedViews:
    """The views of the catalog at an instant, and whether they come from the store's past."""

    views: ViewSet
    from_history: bool
    #: Same key, same views: every instant of one lifecycle window of one version.
    key: WindowKey


class CatalogTimeline:
    """The served catalog now (``state``) and at any other instant (``catalog_at``)."""

    def __init__(self, state: CatalogState, store: Store | None) -> None:
        self.state = state
        self._store = store
        self._views: OrderedDict[WindowKey, ViewSet] = OrderedDict()
        self._lifecycles: OrderedDict[str, SnapshotLifecycles] = OrderedDict()
        self._lock = threading.Lock()

    def catalog_at(self, instant: datetime) -> DatedViews:
        """The catalog as it stood, or will stand, at ``instant``.

        May read the store: call it from a worker thread. Views are kept per catalog version
        and lifecycle window, not per instant: every instant of a window has the same views,
        so distinct instants a client sends cost nothing, and entries are bounded by
        versions x windows (and ``_VIEWS_KEPT``).
        """
        live = self.state.snapshot
        if self._store is None or instant >= system_clock():
            snapshot, from_history = live, False
        else:
            snapshot, from_history = self._store.snapshot_at(instant), True
        with self._lock:
            lifecycles = self._lifecycles_of(snapshot)
            window = lifecycles.window_at(instant)
            key = (snapshot.version, window.start, window.end)
            found = self._views.get(key)
            if found is None or found.snapshot is not snapshot:
                found = self._views[key] = ViewSet(lifecycles, instant)
                while len(self._views) > _VIEWS_KEPT:
                    self._views.popitem(last=False)
            else:
                self._views.move_to_end(key)
        return DatedViews(found, from_history, key)

    def _lifecycles_of(self, snapshot: CatalogSnapshot) -> SnapshotLifecycles:
        found = self._lifecycles.get(snapshot.version)
        if found is None or found.snapshot is not snapshot:
            found = self._lifecycles[snapshot.version] = SnapshotLifecycles(snapshot)
            while len(self._lifecycles) > _LIFECYCLES_KEPT:
                self._lifecycles.popitem(last=False)
        return found


def at_param(query: bytes) -> datetime | None:
    """The first ``at`` of a raw query string; raises InvalidInstant for one that is not."""
    if b"at=" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "at":
            return parse_instant(value, "at")
    return None
