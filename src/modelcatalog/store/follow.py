"""Keep a running server on the newest catalog version: the replica side of the write path.

A :class:`Follower` runs in a background thread. On PostgreSQL it ``LISTEN`` s on the store's
channel and wakes on every commit, and also checks the head every ``backstop`` seconds in
case a notification was lost (a dropped connection, a proxy). On SQLite it polls the head
row, a one-row read. When the head moves it loads and checks that version off the request
path and hands the snapshot to ``on_snapshot`` (``CatalogState.swap``). A version that fails
to load is not swapped -- the last good one keeps serving -- and :class:`FollowerStatus` says
so. When the database is unreachable the server keeps its snapshot and the follower retries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.errors import ModelCatalogError, StoreUnavailable
from modelcatalog.store.engine import CONNECT_TIMEOUT_S, libpq_url
from modelcatalog.store.keys import StoredKeys
from modelcatalog.store.store import NOTIFY_CHANNEL, Store

__all__ = ["Follower", "FollowerStatus"]

log = logging.getLogger("modelcatalog.store.follow")


@dataclass
class FollowerStatus:
    """What ``/readyz`` and ``/metrics`` report about this replica's catalog."""

    loaded_version: int = 0
    head_version: int = 0
    store_reachable: bool = True
    reloads: int = 0
    reload_failures: int = 0
    #: Wall-clock time of the last successful load (the first one counts).
    last_reload_at: float = 0.0
    failed_version: int | None = None
    last_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "store_reachable": self.store_reachable,
            "loaded_version": self.loaded_version,
            "head_version": self.head_version,
            "reloads": self.reloads,
            "reload_failures": self.reload_failures,
            "failed_version": self.failed_version,
            "last_error": self.last_error,
        }


class Follower:
    """Watches the store and swaps in each new version; ``start()`` then ``stop()``."""

    def __init__(
        self,
        store: Store,
        on_snapshot: Callable[[CatalogSnapshot], Any],
        *,
        loaded_version: int,
        on_keys: Callable[[StoredKeys], Any] | None = None,
        poll_interval: float = 0.2,
        backstop: float = 5.0,
    ) -> None:
        self.store = store
        self.status = FollowerStatus(loaded_version, loaded_version, last_reload_at=time.time())
        self._on_snapshot = on_snapshot
        self._on_keys = on_keys
        self._keys_serial: int | None = None
        self._poll = poll_interval
        self._backstop = backstop
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        target = self._listen_loop if self.store.backend == "postgresql" else self._poll_loop
        self._thread = threading.Thread(target=target, name="catalog-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._backstop + CONNECT_TIMEOUT_S + 1)

    def check(self) -> None:
        """Look at the head once and load what changed. Safe from any thread."""
        with self._lock:
            try:
                head, keys_serial = self.store.head_state()
                if keys_serial != self._keys_serial and self._on_keys is not None:
                    self._on_keys(StoredKeys.load(self.store))
                self._keys_serial = keys_serial
            except StoreUnavailable as exc:
                self._unreachable(exc)
                return
            self.status.store_reachable = True
            self.status.head_version = head
            if head not in (self.status.loaded_version, self.status.failed_version):
                self._load(head)

    def _load(self, version: int) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            snapshot = self.store.snapshot(version)
        except StoreUnavailable as exc:
            self._unreachable(exc)
            return
        except ModelCatalogError as exc:
            self.status.reload_failures += 1
            self.status.failed_version = version
            self.status.last_error = f"version {version} cannot be served: {exc}"
            log.error(
                "catalog version %d not loaded, still serving %d: %s",
                version,
                self.status.loaded_version,
                exc,
            )
            return
        loaded, built_cpu = time.perf_counter(), time.thread_time()
        self._on_snapshot(snapshot)
        swapped, swapped_cpu = time.perf_counter(), time.thread_time()
        self.status.loaded_version = version
        self.status.failed_version = None
        self.status.last_error = None
        self.status.reloads += 1
        self.status.last_reload_at = time.time()
        log.info(
            "catalog version %d loaded (%d models, %d checked, %d reused): read and built in "
            "%.0f ms (%.0f ms CPU), views prepared and swapped in %.0f ms (%.0f ms CPU)",
            version,
            len(snapshot.models),
            self.store.builder.checked,
            self.store.builder.reused,
            (loaded - started) * 1000,
            (built_cpu - cpu) * 1000,
            (swapped - loaded) * 1000,
            (swapped_cpu - built_cpu) * 1000,
        )

    def _unreachable(self, exc: Exception) -> None:
        if self.status.store_reachable:
            log.warning(
                "catalog store unreachable, serving version %d: %s", self.status.loaded_version, exc
            )
        self.status.store_reachable = False
        self.status.last_error = str(exc)

    def _poll_loop(self) -> None:
        while not self._stop.wait(self._poll):
            self.check()

    def _listen_loop(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    libpq_url(self.store.url),
                    autocommit=True,
                    connect_timeout=CONNECT_TIMEOUT_S,
                    application_name="modelcatalog-follower",
                ) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    delay = 0.2
                    self.check()  # catch up on whatever happened while not listening
                    self._wait_for_notifications(conn)
            except psycopg.Error as exc:
                self._unreachable(StoreUnavailable(str(exc).strip() or type(exc).__name__))
                self._stop.wait(delay)
                delay = min(delay * 2, self._backstop)
                self.check()

    def _wait_for_notifications(self, conn: psycopg.Connection[Any]) -> None:
        # Wake at least once a second to notice stop(); check the head on every notification
        # and every ``backstop`` seconds in case one was lost.
        last_check = time.monotonic()
        while not self._stop.is_set():
            woke = any(True for _ in conn.notifies(timeout=min(1.0, self._backstop)))
            if woke or time.monotonic() - last_check >= self._backstop:
                self.check()
                last_check = time.monotonic()
