"""The serving state: which snapshot is live, and its views for the current lifecycle window.

:class:`CatalogState` is the one mutable object of the read path. Whoever learns of a new
catalog version (a reload, a store notification, an admin write) builds and validates the new
snapshot first, then calls :meth:`CatalogState.swap`; requests already running finish on the
views they picked, later requests see the new snapshot. Replacing one reference is atomic in
Python, so a swap from another thread needs no lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from modelcatalog.catalog.lifecycle import Clock, system_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import SnapshotLifecycles, ViewSet

__all__ = ["CatalogState"]

SwapListener = Callable[[CatalogSnapshot], None]


class CatalogState:
    """Holds the live snapshot and hands out its views, rebuilt at lifecycle boundaries."""

    def __init__(self, snapshot: CatalogSnapshot, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._live = SnapshotLifecycles(snapshot)
        self._views: ViewSet | None = None
        self._listeners: list[SwapListener] = []

    @property
    def snapshot(self) -> CatalogSnapshot:
        return self._live.snapshot

    def now(self) -> datetime:
        return self.clock()

    def swap(self, snapshot: CatalogSnapshot) -> CatalogSnapshot:
        """Serve ``snapshot`` from now on (it must be validated); returns the one replaced."""
        previous = self._live.snapshot
        self._live = SnapshotLifecycles(snapshot)
        self._views = None
        for listener in tuple(self._listeners):
            listener(snapshot)
        return previous

    def on_swap(self, listener: SwapListener) -> None:
        """Call ``listener`` with every snapshot swapped in (metrics, logs)."""
        self._listeners.append(listener)

    def views(self) -> ViewSet:
        """The views valid now; a new set once the clock passes a lifecycle boundary."""
        now = self.clock()
        views = self._views
        if views is not None and views.lifecycles is self._live and views.window.contains(now):
            return views
        views = ViewSet(self._live, now)
        self._views = views
        return views
