"""The catalog store: immutable versions of the whole catalog, on SQLite or PostgreSQL.

Every version holds the complete catalog document (see :mod:`.document`). We store the whole
document rather than per-model rows with version ranges: loading a version is one read of one
row with no reassembly, "as of T" is one indexed lookup, a version can never be half-written,
and 10 000 models are a few megabytes. What each version changed is recorded beside it
(``version_changes``) so that a model's history does not have to replay documents.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.reuse import SnapshotBuilder
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import CatalogSource, read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import DestructiveWrite, NotFound, StoreUnavailable, VersionConflict
from modelcatalog.instants import format_instant, from_microseconds, to_microseconds
from modelcatalog.store import schema
from modelcatalog.store.diff import CatalogDiff, FieldChange, ModelChange, diff_documents
from modelcatalog.store.document import CatalogDocument
from modelcatalog.store.engine import create_store_engine, resolve_url, writing
from modelcatalog.store.schema import catalog_head, catalog_versions, version_changes

__all__ = [
    "MAX_VERSION",
    "NOTIFY_CHANNEL",
    "AfterWrite",
    "HistoryEntry",
    "Store",
    "VersionInfo",
    "Written",
    "check_removals",
]

#: PostgreSQL channel on which every commit announces its version (and key changes ``keys``).
NOTIFY_CHANNEL = "modelcatalog"
SEED_AUTHOR = "modelcatalog"
_CHANGE_BATCH = 500
#: The largest version id the store can hold (a signed 64-bit integer, SQL BIGINT).
MAX_VERSION = 2**63 - 1

Change = Callable[[CatalogDocument], CatalogDocument]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Written:
    """What one commit did, for bookkeeping written in the same transaction (``after_write``).

    ``version`` is the new version, or the current one when the change altered nothing
    (``delta`` is then empty).
    """

    before: CatalogDocument
    after: CatalogDocument
    delta: CatalogDiff
    version: int


AfterWrite = Callable[[Connection, Written], None]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One catalog version: its id, when it was committed, by whom and why."""

    id: int
    created_at: datetime
    author: str
    message: str
    model_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.id,
            "created_at": format_instant(self.created_at),
            "author": self.author,
            "message": self.message,
            "models": self.model_count,
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A version in which one model was added, changed or removed, effective from ``at``."""

    version: VersionInfo
    change: ModelChange

    def as_json(self) -> dict[str, Any]:
        info = self.version.as_json()
        return {
            "version": self.version.id,
            "effective_at": info["created_at"],
            "author": self.version.author,
            "message": self.version.message,
            "kind": self.change.kind,
            "fields": [f.as_json() for f in self.change.fields],
        }


def _now_us() -> int:
    return time.time_ns() // 1000


class Store:
    """A catalog store. Thread-safe; close it (or use ``with``) to release its connections."""

    def __init__(self, engine: Engine, url: str, owned_by: frozenset[str] | None = None) -> None:
        self.engine = engine
        self.url = url
        #: What a record's owned_by may be (the owned_by setting); None: the contract's enum.
        self.owned_by = owned_by
        self._snapshots: OrderedDict[int, CatalogSnapshot] = OrderedDict()
        #: Builds each version's snapshot, reusing the records the last build checked.
        self.builder = SnapshotBuilder(Mode.COMPATIBLE)
        self._cache_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        *,
        seed: Path | None = None,
        initialise: bool = True,
        application_name: str = "modelcatalog",
        owned_by: frozenset[str] | None = None,
    ) -> Store:
        """Open the store, creating an empty database's tables when ``initialise``.

        Raises :class:`~modelcatalog.errors.SchemaOutOfDate` on a schema that is behind, and
        :class:`~modelcatalog.errors.StoreUnavailable` when the database cannot be reached.
        With ``seed``, a store that has no version yet gets one read from that catalog.
        ``owned_by`` is what writes accept as a record's owner (the ``owned_by`` setting).
        """
        url = resolve_url(data_dir, database_url)
        engine = create_store_engine(url, application_name=application_name)
        store = cls(engine, url, owned_by)
        try:
            with store.guard():
                if initialise and schema.is_empty(store.engine):
                    schema.initialise(store.engine)
                schema.check(store.engine)
            if seed is not None:
                store.seed(seed)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @staticmethod
    def guard() -> _Guard:
        """Turn database connection failures into :class:`StoreUnavailable`."""
        return _Guard()

    # -- reading -------------------------------------------------------------------------

    def head(self) -> int:
        """The current version id (0 for a store that has none yet)."""
        return self.head_state()[0]

    def head_state(self) -> tuple[int, int]:
        """(current version, keys serial): the one cheap read replicas poll."""
        with self.guard(), self.engine.connect() as conn:
            row = conn.execute(select(catalog_head.c.version, catalog_head.c.keys_serial)).one()
        return int(row.version), int(row.keys_serial)

    def version(self, version_id: int) -> VersionInfo:
        _version_in_range(version_id)
        with self.guard(), self.engine.connect() as conn:
            row = conn.execute(_info_query().where(catalog_versions.c.id == version_id)).first()
        if row is None:
            raise NotFound(f"no catalog version {version_id}")
        return _info(row)

    def versions(self, *, limit: int = 50, before: int | None = None) -> list[VersionInfo]:
        """Versions newest first; page with ``before`` (the smallest id of the last page)."""
        query = _info_query().order_by(catalog_versions.c.id.desc()).limit(max(limit, 0))
        if before is not None:
            before = min(before, MAX_VERSION)  # every version is before a larger number
            query = query.where(catalog_versions.c.id < before)
        with self.guard(), self.engine.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def document(self, version_id: int | None = None) -> tuple[VersionInfo, CatalogDocument]:
        """A version's document (the current one by default)."""
        if version_id is not None:
            _version_in_range(version_id)
        with self.guard(), self.engine.connect() as conn:
            wanted = version_id if version_id is not None else _head(conn)
            row = conn.execute(
                select(catalog_versions).where(catalog_versions.c.id == wanted)
            ).first()
        if row is None:
            raise NotFound(f"no catalog version {wanted}")
        return _info(row), CatalogDocument.from_json(row.document)

    def snapshot(self, version_id: int | None = None) -> CatalogSnapshot:
        """A version as a servable snapshot; raises CatalogInvalid if it cannot be served.

        Loading checks in compatible mode: every write was checked strictly, so only what
        makes a catalog impossible to serve (a bad JSON type, a duplicate id) stops a load --
        a rule added by a later release does not take a running catalog down.
        """
        if version_id is not None and (cached := self._cached(version_id)) is not None:
            return cached
        info, document = self.document(version_id)
        # Versions mostly share their records: those the last load checked are not checked
        # again (catalog/reuse.py), which keeps a replica's reload short.
        snapshot = self.builder.build(document.to_source(f"version {info.id}"), str(info.id))
        self._remember(info.id, snapshot)
        return snapshot

    def version_at(self, instant: datetime) -> int:
        """The id of the version that was current at ``instant``."""
        query = select(func.max(catalog_versions.c.id)).where(
            catalog_versions.c.created_at_us <= to_microseconds(instant)
        )
        with self.guard(), self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        if found is None:
            raise NotFound(f"the catalog has no version as early as {format_instant(instant)}")
        return int(found)

    def snapshot_at(self, instant: datetime) -> CatalogSnapshot:
        """The catalog as it stood at ``instant`` (for ``?at=`` reads and dated quotes)."""
        return self.snapshot(self.version_at(instant))

    def diff(self, from_version: int, to_version: int) -> CatalogDiff:
        _, old = self.document(from_version)
        _, new = self.document(to_version)
        return diff_documents(old, new, from_version, to_version)

    def history(self, model_id: str) -> list[HistoryEntry]:
        """The versions in which ``model_id`` was added, changed or removed, oldest first."""
        query = (
            select(*_info_columns(), version_changes.c.kind, version_changes.c.fields)
            .join(version_changes, version_changes.c.version_id == catalog_versions.c.id)
            .where(version_changes.c.model_id == model_id)
            .order_by(catalog_versions.c.id)
        )
        with self.guard(), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise NotFound(f"model {model_id!r} has never been in the catalog")
        return [HistoryEntry(_info(row), _model_change(model_id, row)) for row in rows]

    def _cached(self, version_id: int) -> CatalogSnapshot | None:
        with self._cache_lock:
            snapshot = self._snapshots.get(version_id)
            if snapshot is not None:
                self._snapshots.move_to_end(version_id)
            return snapshot

    def _remember(self, version_id: int, snapshot: CatalogSnapshot) -> None:
        with self._cache_lock:
            self._snapshots[version_id] = snapshot
            while len(self._snapshots) > 8:
                self._snapshots.popitem(last=False)

    # -- writing -------------------------------------------------------------------------

    def commit(
        self,
        change: Change,
        *,
        author: str,
        message: str,
        expected: int | None = None,
        validated: bool = False,
        progress: Progress | None = None,
        max_removed_share: float | None = None,
        after_write: AfterWrite | None = None,
    ) -> VersionInfo:
        """Apply ``change`` to the current document and commit the result as a new version.

        The whole resulting catalog is checked in strict mode first (skipped only when the
        caller checked exactly this document, ``validated``); a rejected change raises
        :class:`~modelcatalog.errors.CatalogInvalid` with every finding and writes nothing.
        ``expected`` is the version the caller based its change on: if another commit came
        first, :class:`~modelcatalog.errors.VersionConflict`. A change that alters nothing
        commits nothing and returns the current version. With ``max_removed_share``, a change
        that removes more than that share of the models, or leaves none, raises
        :class:`~modelcatalog.errors.DestructiveWrite` (callers pass None to force it).
        ``after_write`` runs in the same transaction once the version is written (or found
        unchanged), so what it records stands or falls with the version.
        """
        with self.guard(), writing(self.engine) as (conn, head, _):
            if expected is not None and expected != head:
                raise VersionConflict(expected, head)
            current = _load_document(conn, head) if head else CatalogDocument()
            new = change(current)
            if max_removed_share is not None:
                check_removals(current, new, max_removed_share)
            if not validated:
                check_catalog(
                    new.to_source(), Mode.STRICT, owned_by=self.owned_by
                ).raise_for_errors()
            if head and new.to_json() == current.to_json():
                row = conn.execute(_info_query().where(catalog_versions.c.id == head)).one()
                if after_write is not None:
                    after_write(conn, Written(current, new, CatalogDiff(head, head), head))
                return _info(row)
            delta = diff_documents(current, new, head, head + 1)
            info = self._write_version(conn, head, new, delta, author, message, progress)
            if after_write is not None:
                after_write(conn, Written(current, new, delta, info.id))
            return info

    def import_source(
        self,
        source: CatalogSource,
        *,
        author: str,
        message: str,
        expected: int | None = None,
        progress: Progress | None = None,
        max_removed_share: float | None = None,
    ) -> VersionInfo:
        """Replace the whole catalog with ``source`` (a directory or dump) as one version.

        Findings are located in the source's own files. Nothing is written unless all of it
        is valid in strict mode (and, with ``max_removed_share``, removes few enough models).
        """
        check_catalog(source, Mode.STRICT, owned_by=self.owned_by).raise_for_errors()
        document = CatalogDocument.from_source(source)
        return self.commit(
            lambda _current: document,
            author=author,
            message=message,
            expected=expected,
            validated=True,
            progress=progress,
            max_removed_share=max_removed_share,
        )

    def rollback(
        self,
        to_version: int,
        *,
        author: str,
        message: str | None = None,
        expected: int | None = None,
        max_removed_share: float | None = None,
    ) -> VersionInfo:
        """Commit a new version whose catalog equals version ``to_version``'s; its message
        says so (``rollback to version N``, then ``message`` if given).

        History stays append-only: the versions after ``to_version`` remain readable and
        diffable. Raises NotFound for an unknown version; the new version is checked strictly
        like any write, so a version a later rule rejects cannot be brought back unchanged.
        """
        _, document = self.document(to_version)
        return self.commit(
            lambda _current: document,
            author=author,
            message=f"rollback to version {to_version}" + (f": {message}" if message else ""),
            expected=expected,
            max_removed_share=max_removed_share,
        )

    def seed(self, path: Path) -> VersionInfo | None:
        """Give a store without versions its first one, read from ``path``.

        Several replicas may start on one empty database at once; exactly one seeds it.
        """
        if self.head():
            return None
        try:
            return self.import_source(
                read_source(path),
                author=SEED_AUTHOR,
                message=f"initial catalog from {path.name}",
                expected=0,
            )
        except VersionConflict:
            return None

    def _write_version(
        self,
        conn: Connection,
        head: int,
        document: CatalogDocument,
        delta: CatalogDiff,
        author: str,
        message: str,
        progress: Progress | None,
    ) -> VersionInfo:
        new_id = head + 1
        # Versions are ordered by id; keep their times ordered too, whatever the clocks say.
        last = conn.execute(
            select(catalog_versions.c.created_at_us).where(catalog_versions.c.id == head)
        ).scalar()
        created = max(_now_us(), (last or 0) + 1)
        conn.execute(
            catalog_versions.insert().values(
                id=new_id,
                created_at_us=created,
                author=author,
                message=message,
                model_count=len(document.models),
                document=document.to_json().decode(),
            )
        )
        _insert_changes(conn, new_id, delta.model_changes(), progress)
        conn.execute(catalog_head.update().where(catalog_head.c.id == 1).values(version=new_id))
        notify(conn, str(new_id))
        return VersionInfo(
            new_id, from_microseconds(created), author, message, len(document.models)
        )


def check_removals(current: CatalogDocument, new: CatalogDocument, max_share: float) -> None:
    """Refuse a change that removes more than ``max_share`` of the models, or all of them."""
    before = len(current.models)
    if before == 0:
        return
    # Runs before validation: the new document may hold anything (ids that are lists, records
    # that are numbers); only string ids can match the current, valid catalog's.
    kept = {r.get("id") for r in new.models if isinstance(r, dict) and isinstance(r.get("id"), str)}
    removed = sum(1 for r in current.models if r.get("id") not in kept)
    after = len(new.models)
    if after == 0 or removed > max_share * before:
        raise DestructiveWrite(removed, before, after, max_share)


def notify(conn: Connection, payload: str) -> None:
    """Tell every replica listening on PostgreSQL; delivered only if the transaction commits."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": payload})


def _insert_changes(
    conn: Connection, version_id: int, changes: list[ModelChange], progress: Progress | None
) -> None:
    total = len(changes)
    for start in range(0, total, _CHANGE_BATCH):
        batch = changes[start : start + _CHANGE_BATCH]
        conn.execute(
            version_changes.insert(),
            [
                {
                    "version_id": version_id,
                    "model_id": change.id,
                    "kind": change.kind,
                    "fields": orjson.dumps([f.as_json() for f in change.fields]).decode(),
                }
                for change in batch
            ],
        )
        if progress is not None:
            progress(min(start + _CHANGE_BATCH, total), total)


def _version_in_range(version_id: int) -> None:
    # Ids are BIGINTs: a larger number names no version, and the drivers would overflow on it.
    if not 0 <= version_id <= MAX_VERSION:
        raise NotFound(f"no catalog version {version_id}")


def _head(conn: Connection) -> int:
    return int(conn.execute(select(catalog_head.c.version)).scalar_one())


def _load_document(conn: Connection, version_id: int) -> CatalogDocument:
    content = conn.execute(
        select(catalog_versions.c.document).where(catalog_versions.c.id == version_id)
    ).scalar_one()
    return CatalogDocument.from_json(content)


def _info_columns() -> tuple[Any, ...]:
    c = catalog_versions.c
    return (c.id, c.created_at_us, c.author, c.message, c.model_count)


def _info_query() -> Any:
    return select(*_info_columns())


def _info(row: Any) -> VersionInfo:
    return VersionInfo(
        int(row.id),
        from_microseconds(int(row.created_at_us)),
        row.author,
        row.message,
        row.model_count,
    )


def _model_change(model_id: str, row: Any) -> ModelChange:
    fields = tuple(FieldChange(**f) for f in orjson.loads(row.fields))
    return ModelChange(model_id, row.kind, fields)


class _Guard:
    """Context manager mapping driver-level connection errors to StoreUnavailable."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> None:
        if isinstance(exc, DBAPIError) and _is_outage(exc):
            raise StoreUnavailable(f"the catalog database is unreachable: {_reason(exc)}") from exc


def _is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) or bool(getattr(exc, "connection_invalidated", False))


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


def iter_versions(store: Store, page: int = 200) -> Iterator[VersionInfo]:
    """Every version, newest first."""
    before: int | None = None
    while batch := store.versions(limit=page, before=before):
        yield from batch
        before = batch[-1].id
