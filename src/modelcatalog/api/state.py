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

    def __init__(
        self, snapshot: CatalogSnapshot, clock: Clock = system_clock, *, warm: bool = False
    ) -> None:
        """``warm=True`` builds the common views now (a serving process, before it listens);
        the default builds each on first use (a state asked about one past instant)."""
        self.clock = clock
        #: The live snapshot (with its lifecycles) and its current views, replaced as one.
        self._current: tuple[SnapshotLifecycles, ViewSet | None] = self._prepare(snapshot, warm)
        self._listeners: list[SwapListener] = []

    @property
    def snapshot(self) -> CatalogSnapshot:
        return self._current[0].snapshot

    def now(self) -> datetime:
        return self.clock()

    def swap(self, snapshot: CatalogSnapshot, *, warm: bool = True) -> CatalogSnapshot:
        """Serve ``snapshot`` from now on (it must be validated); returns the one replaced.

        With ``warm`` the common views are serialized and compressed before the swap, in the
        caller's thread, so requests never wait for them (compression releases the GIL).
        """
        previous, earlier = self._current[0].snapshot, self._current[1]
        self._current = self._prepare(snapshot, warm, earlier)
        for listener in tuple(self._listeners):
            listener(snapshot)
        return previous

    def on_swap(self, listener: SwapListener) -> None:
        """Call ``listener`` with every snapshot swapped in (metrics, logs)."""
        self._listeners.append(listener)

    def views(self) -> ViewSet:
        """The views valid now; a new set once the clock passes a lifecycle boundary."""
        now = self.clock()
        live, views = self._current
        if views is not None and views.window.contains(now):
            return views
        views = ViewSet(live, now, earlier=views)
        if self._current[0] is live:  # unless a swap came in meanwhile
            self._current = (live, views)
        return views

    def _prepare(
        self, snapshot: CatalogSnapshot, warm: bool, earlier: ViewSet | None = None
    ) -> tuple[SnapshotLifecycles, ViewSet | None]:
        live = SnapshotLifecycles(snapshot)
        if not warm:
            return live, None
        # What the replaced views serialized and compressed for unchanged models and bodies
        # is reused (catalog/reuse.py keeps the model objects of unchanged records).
        views = ViewSet(live, self.clock(), earlier)
        views.warm()
        return live, views
