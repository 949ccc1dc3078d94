"""Pending change sets: syncs a guardrail held for an admin to approve or reject.

A held sync is stored whole -- the catalog it would write, its diff, why it is held and the
version it was built on -- and nothing of it is written. Approving commits that catalog as one
version, only if the catalog is still at the version the set was built on (else
:class:`~modelcatalog.errors.VersionConflict`, a 409: run the sync again). Rejecting closes it.
A newer held sync of the same source supersedes the open one, and so does a sync of that
source that applies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from modelcatalog.errors import ChangeSetClosed, NotFound, StaleChangeSet, VersionConflict
from modelcatalog.instants import format_instant, from_microseconds
from modelcatalog.store.document import CatalogDocument
from modelcatalog.store.schema import sync_change_sets
from modelcatalog.store.store import AfterWrite, Store, VersionInfo, Written
from modelcatalog.sync.ledger import record_sync
from modelcatalog.sync.plan import Bookkeeping, Plan

__all__ = [
    "STATUSES",
    "ChangeSet",
    "approve",
    "change_set",
    "change_sets",
    "hold",
    "reject",
    "supersede",
]

OPEN = "open"
STATUSES = (OPEN, "approved", "rejected", "superseded")
_SUMMARY = (
    sync_change_sets.c.id,
    sync_change_sets.c.source,
    sync_change_sets.c.created_at_us,
    sync_change_sets.c.base_version,
    sync_change_sets.c.status,
    sync_change_sets.c.reasons,
    sync_change_sets.c.decided_by,
    sync_change_sets.c.decided_at_us,
    sync_change_sets.c.version,
)


def _instant(us: int | None) -> str | None:
    return None if us is None else format_instant(from_microseconds(us))


@dataclass(frozen=True)
class ChangeSet:
    id: int
    source: str
    created_at_us: int
    base_version: int
    status: str
    reasons: tuple[str, ...]
    decided_by: str | None
    decided_at_us: int | None
    version: int | None
    #: The diff against the base version (loaded by :func:`change_set` only).
    diff: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "created_at": _instant(self.created_at_us),
            "base_version": self.base_version,
            "status": self.status,
            "reasons": list(self.reasons),
            "decided_by": self.decided_by,
            "decided_at": _instant(self.decided_at_us),
            "version": self.version,
        }
        if self.diff is not None:
            body["diff"] = self.diff
        return body


def _from_row(row: Any, diff: dict[str, Any] | None = None) -> ChangeSet:
    return ChangeSet(
        int(row.id),
        row.source,
        int(row.created_at_us),
        int(row.base_version),
        row.status,
        tuple(orjson.loads(row.reasons)),
        row.decided_by,
        row.decided_at_us,
        row.version,
        diff,
    )


def _now_us() -> int:
    return time.time_ns() // 1000


def supersede(conn: Connection, source: str) -> None:
    """Close the open change sets of ``source`` (a newer sync of it has spoken)."""
    conn.execute(
        update(sync_change_sets)
        .where((sync_change_sets.c.source == source) & (sync_change_sets.c.status == OPEN))
        .values(status="superseded", decided_by="sync", decided_at_us=_now_us())
    )


def hold(store: Store, plan: Plan) -> ChangeSet:
    """Store ``plan`` as an open change set; an identical open one is returned instead."""
    document = plan.after.to_json().decode()
    with store.guard(), store.engine.begin() as conn:
        same = conn.execute(
            select(*_SUMMARY).where(
                (sync_change_sets.c.source == plan.source)
                & (sync_change_sets.c.status == OPEN)
                & (sync_change_sets.c.base_version == plan.base_version)
                & (sync_change_sets.c.document == document)
            )
        ).first()
        if same is not None:
            return _from_row(same)
        supersede(conn, plan.source)
        created = _now_us()
        inserted = conn.execute(
            sync_change_sets.insert().values(
                source=plan.source,
                created_at_us=created,
                base_version=plan.base_version,
                status=OPEN,
                reasons=orjson.dumps(list(plan.held)).decode(),
                diff=orjson.dumps(plan.delta.as_json()).decode(),
                document=document,
                bookkeeping=orjson.dumps(plan.bookkeeping.as_json()).decode(),
            )
        )
        (new_id,) = inserted.inserted_primary_key or (0,)
    return change_set(store, int(new_id), with_diff=False)


def change_sets(store: Store, status: str | None = OPEN, limit: int = 50) -> list[ChangeSet]:
    """Change sets, newest first; ``status`` None lists every status."""
    query = select(*_SUMMARY).order_by(sync_change_sets.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(sync_change_sets.c.status == status)
    with store.guard(), store.engine.connect() as conn:
        return [_from_row(row) for row in conn.execute(query)]


def change_set(store: Store, set_id: int, *, with_diff: bool = True) -> ChangeSet:
    columns = (*_SUMMARY, sync_change_sets.c.diff) if with_diff else _SUMMARY
    with store.guard(), store.engine.connect() as conn:
        row = conn.execute(select(*columns).where(sync_change_sets.c.id == set_id)).first()
    if row is None:
        raise NotFound(f"no sync change set {set_id}")
    return _from_row(row, orjson.loads(row.diff) if with_diff else None)


def _decide(conn: Connection, set_id: int, status: str, author: str, version: int | None) -> None:
    done = conn.execute(
        update(sync_change_sets)
        .where((sync_change_sets.c.id == set_id) & (sync_change_sets.c.status == OPEN))
        .values(status=status, decided_by=author, decided_at_us=_now_us(), version=version)
    )
    if done.rowcount != 1:
        raise ChangeSetClosed(f"sync change set {set_id} is no longer open")


def _open(store: Store, set_id: int) -> tuple[ChangeSet, CatalogDocument, Bookkeeping]:
    with store.guard(), store.engine.connect() as conn:
        row = conn.execute(
            select(*_SUMMARY, sync_change_sets.c.document, sync_change_sets.c.bookkeeping).where(
                sync_change_sets.c.id == set_id
            )
        ).first()
    if row is None:
        raise NotFound(f"no sync change set {set_id}")
    found = _from_row(row)
    if found.status != OPEN:
        raise ChangeSetClosed(f"sync change set {set_id} was {found.status} already")
    bookkeeping = Bookkeeping.from_json(orjson.loads(row.bookkeeping))
    return found, CatalogDocument.from_json(row.document), bookkeeping


def approve(store: Store, set_id: int, author: str) -> tuple[ChangeSet, VersionInfo]:
    """Commit the held catalog as one version, if the catalog is still at its base version."""
    found, document, bookkeeping = _open(store, set_id)

    def mark(conn: Connection, written: Written) -> None:
        _decide(conn, set_id, "approved", author, written.version)

    after: AfterWrite = record_sync(bookkeeping, mark)
    try:
        info = store.commit(
            lambda _current: document,
            author=author,
            message=f"sync {found.source}: change set {set_id} approved",
            expected=found.base_version,
            after_write=after,
        )
    except VersionConflict as exc:
        raise StaleChangeSet(set_id, exc.expected, exc.current) from exc
    return change_set(store, set_id, with_diff=False), info


def reject(store: Store, set_id: int, author: str) -> ChangeSet:
    """Close the change set without writing anything."""
    _open(store, set_id)
    with store.guard(), store.engine.begin() as conn:
        _decide(conn, set_id, "rejected", author, None)
    return change_set(store, set_id, with_diff=False)
