"""One sync at a time: a lock held for the whole run.

On PostgreSQL, where several replicas share the store, it is a session advisory lock
(``pg_try_advisory_lock``) on a connection kept open for the run: whichever replica takes it
syncs, the others find it held and skip that round. A crashed holder's session ends and
releases it. On SQLite (one node, possibly several worker processes) it is an exclusive
``flock`` on ``sync.lock`` beside the database file. Neither waits: a held lock is
:class:`~modelcatalog.errors.SyncLocked`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from modelcatalog.errors import SyncLocked
from modelcatalog.store.store import Store

__all__ = ["SYNC_LOCK_KEY", "sync_lock"]

#: The advisory lock key of syncs (schema migrations use 7412001).
SYNC_LOCK_KEY = 7412002
_HELD = "another process is running a sync (the sync lock is held); nothing was done"


@contextmanager
def sync_lock(store: Store) -> Iterator[None]:
    """Hold the sync lock for the block; SyncLocked at once if another process holds it."""
    if store.backend == "postgresql":
        with _advisory_lock(store):
            yield
    else:
        with _file_lock(_lock_path(store.url)):
            yield


@contextmanager
def _advisory_lock(store: Store) -> Iterator[None]:
    with store.guard(), store.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SYNC_LOCK_KEY})
        if not taken.scalar():
            raise SyncLocked(_HELD)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SYNC_LOCK_KEY})


def _lock_path(url: str) -> Path:
    database = make_url(url).database or "catalog.db"
    return Path(database).with_name("sync.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncLocked(_HELD) from exc
        yield
    finally:
        os.close(fd)  # closing releases the lock
