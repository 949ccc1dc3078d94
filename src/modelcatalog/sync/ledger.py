"""Which source supplies which model, and what a sync records beside the version it writes.

A source deprecates only the models it supplied (``sync_models``); a model another source
supplies, or one the operator created by hand, is never touched by it. What a sync records
(:class:`~modelcatalog.sync.plan.Bookkeeping`) is written in the same transaction as its
version, so a failed write records nothing.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, func, select, update

from modelcatalog.store.schema import sync_models
from modelcatalog.store.store import AfterWrite, Store, Written
from modelcatalog.sync.overrides import write_updates
from modelcatalog.sync.plan import Bookkeeping

__all__ = ["last_synced", "load_owners", "record_sync"]

_BATCH = 500


def load_owners(store: Store) -> dict[str, str]:
    """Model id -> the name of the source that supplies it."""
    query = select(sync_models.c.model_id, sync_models.c.source)
    with store.guard(), store.engine.connect() as conn:
        return {row.model_id: row.source for row in conn.execute(query)}


def record_sync(bookkeeping: Bookkeeping, *also: AfterWrite) -> AfterWrite:
    """An ``after_write`` that records ``bookkeeping`` (then runs ``also``)."""

    def after_write(conn: Connection, written: Written) -> None:
        _record_supplied(conn, bookkeeping.source, bookkeeping.supplied)
        write_updates(conn, bookkeeping.overrides)
        for step in also:
            step(conn, written)

    return after_write


def _record_supplied(conn: Connection, source: str, supplied: tuple[str, ...]) -> None:
    now = time.time_ns() // 1000
    # A row of another source is taken over: the plan skips models another source supplies
    # while the catalog holds them, so such a row names a model that had left the catalog.
    known = set(conn.execute(select(sync_models.c.model_id)).scalars())
    seen = [i for i in supplied if i in known]
    new = [i for i in supplied if i not in known]
    for start in range(0, len(seen), _BATCH):
        batch = seen[start : start + _BATCH]
        conn.execute(
            update(sync_models)
            .where(sync_models.c.model_id.in_(batch))
            .values(source=source, last_seen_us=now)
        )
    if new:
        conn.execute(
            sync_models.insert(),
            [
                {"model_id": i, "source": source, "first_seen_us": now, "last_seen_us": now}
                for i in new
            ],
        )


def last_synced(store: Store, source: str) -> float | None:
    """When a sync of ``source`` last wrote (POSIX seconds), if ever."""
    query = select(func.max(sync_models.c.last_seen_us)).where(sync_models.c.source == source)
    with store.guard(), store.engine.connect() as conn:
        found = conn.execute(query).scalar()
    return None if found is None else found / 1_000_000
