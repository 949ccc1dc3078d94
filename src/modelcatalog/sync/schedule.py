"""The sync ``serve`` runs on an interval, in one replica at a time.

A :class:`SyncSchedule` thread wakes every ``sync.interval`` seconds (and once at start) and
syncs each source that no replica synced within the last half interval, under the sync lock
(:mod:`.lock`): on PostgreSQL whichever replica takes the advisory lock runs it, the others
find it held and skip that round. Every outcome is logged; a failing source never stops the
schedule or the service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from modelcatalog.errors import ModelCatalogError, SyncLocked
from modelcatalog.settings import Settings
from modelcatalog.store.store import Store
from modelcatalog.sync.ledger import last_synced
from modelcatalog.sync.runner import SyncReport, run_sync

__all__ = ["SyncSchedule"]

log = logging.getLogger("modelcatalog.sync")


class SyncSchedule:
    """``start()`` then ``stop()``; does nothing without sources or with interval 0."""

    def __init__(self, store: Store, settings: Settings, after_commit: Callable[[], Any]) -> None:
        self.store = store
        self.settings = settings
        self.after_commit = after_commit
        self.last_report: SyncReport | None = None
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.sync.sources) and self.settings.sync.interval > 0

    def start(self) -> None:
        if not self.enabled:
            return
        self._thread = threading.Thread(target=self._loop, name="catalog-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.sync.timeout + 5)

    def run_once(self) -> None:
        """Sync the sources that are due; log what happened. Never raises."""
        interval = self.settings.sync.interval
        for source in self.settings.sync.sources:
            seen = last_synced(self.store, source.name)
            if seen is not None and time.time() - seen < interval / 2:
                continue  # another replica synced it this round
            try:
                self.last_report = run_sync(
                    self.store,
                    self.settings.sync,
                    only=source.name,
                    accepted_owned_by=self.settings.accepted_owned_by,
                    after_commit=self.after_commit,
                )
            except SyncLocked:
                log.info("sync %s skipped: another replica is syncing", source.name)
                continue
            for report in self.last_report.sources:
                level = logging.WARNING if report.error else logging.INFO
                log.log(level, "sync %s %s: %s", report.source, report.status, report.message)
        self.runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except ModelCatalogError as exc:
                log.warning("sync failed: %s", exc)
            except Exception:
                log.exception("sync failed")
            self._stop.wait(self.settings.sync.interval)
