"""Where the served catalog comes from: a file read once, or a store followed for new versions.

:func:`file_catalog` serves a directory or dump, read and validated before the port opens (a
Venice dump in compatible mode, whose unknown keys and types are logged as warnings, a catalog
directory in strict mode). :func:`store_catalog` opens the store (seeding an empty one from the
bundled catalog), serves its current version, and follows it: a
:class:`~modelcatalog.store.follow.Follower`, started and stopped by the service's lifespan,
swaps in every new version and hands the store's keys to the service's :class:`Audiences`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from modelcatalog.api.app import Lifespan
from modelcatalog.api.audiences import Audiences
from modelcatalog.api.state import CatalogState
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.lifecycle import Clock, frozen_clock, system_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.follow import Follower, FollowerStatus
from modelcatalog.store.keys import StoredKeys
from modelcatalog.sync.schedule import SyncSchedule

__all__ = [
    "ServedCatalog",
    "clock_of",
    "file_catalog",
    "load_snapshot",
    "open_service_store",
    "store_catalog",
]

log = logging.getLogger("modelcatalog.serve")
_SHOWN_WARNINGS = 20


@dataclass(frozen=True, slots=True)
class ServedCatalog:
    """The catalog a service serves, who may see what of it, and how it stays current."""

    state: CatalogState
    audiences: Audiences
    #: The store it comes from; ``None`` for a catalog read from files.
    store: Store | None = None
    #: What the follower knows of the store (readiness, metrics); ``None`` without a store.
    status: FollowerStatus | None = None
    #: Called after an admin write commits, to swap the new version in at once.
    after_commit: Callable[[], None] = lambda: None
    #: Start-up and shut-down work (the follower, the store connection).
    lifespan: Lifespan | None = None


def clock_of(settings: Settings) -> Clock:
    """The service's clock: the system's, or the instant ``--now`` froze it at."""
    return system_clock if settings.now is None else frozen_clock(settings.now)


def load_snapshot(path: Path | None, owned_by: frozenset[str] | None = None) -> CatalogSnapshot:
    """Read and validate the catalog to serve; raises SourceError or CatalogInvalid.

    ``owned_by`` is what a record's owner may be (the ``owned_by`` setting).
    """
    source = read_source(path or BUNDLED_CATALOG)
    mode = Mode.COMPATIBLE if source.from_dump else Mode.STRICT
    checked = check_catalog(source, mode, owned_by=owned_by)
    for finding in checked.warnings[:_SHOWN_WARNINGS]:
        log.warning("catalog: %s", finding)
    if len(checked.warnings) > _SHOWN_WARNINGS:
        hidden = len(checked.warnings) - _SHOWN_WARNINGS
        log.warning("catalog: %d more warnings (see `modelcatalog validate`)", hidden)
    snapshot = CatalogSnapshot.from_checked(checked)
    log.info("catalog %s: %d models (%s mode)", snapshot.version, len(snapshot.models), mode)
    return snapshot


def file_catalog(settings: Settings, snapshot: CatalogSnapshot) -> ServedCatalog:
    """Serve ``snapshot`` (read from files) with its common views built before the port opens."""
    state = CatalogState(snapshot, clock_of(settings), warm=True)
    return ServedCatalog(state, Audiences(settings.keys))


def open_service_store(settings: Settings) -> Store:
    """The store ``serve`` uses; an empty one gets the bundled catalog as version 1."""
    return Store.open(
        settings.data_dir,
        settings.database_url,
        seed=BUNDLED_CATALOG,
        application_name="modelcatalog-serve",
        owned_by=settings.accepted_owned_by,
    )


def store_catalog(settings: Settings, store: Store | None = None) -> ServedCatalog:
    """Serve the store's current version and follow it; the lifespan owns the store."""
    store = store or open_service_store(settings)
    try:
        snapshot = store.snapshot()
        audiences = Audiences(settings.keys, StoredKeys.load(store))
    except BaseException:
        store.close()
        raise
    state = CatalogState(snapshot, clock_of(settings))

    def swap(new: CatalogSnapshot) -> None:
        state.swap(new)
        state.views()  # build the new views here, not on the first request

    follower = Follower(
        store, swap, loaded_version=int(snapshot.version), on_keys=audiences.use_stored
    )

    # Upstream sync on its interval (settings ``sync``); one replica at a time holds its lock.
    schedule = SyncSchedule(store, settings, follower.check)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        follower.start()
        schedule.start()
        try:
            yield
        finally:
            await run_in_threadpool(schedule.stop)
            await run_in_threadpool(follower.stop)
            store.close()

    return ServedCatalog(state, audiences, store, follower.status, follower.check, lifespan)
