"""Where the store lives, and database connections that behave the same on both backends.

SQLite is the default: one file, ``catalog.db``, in the data directory (``--data-dir``,
``MODELCATALOG_DATA_DIR``, else ``$XDG_DATA_HOME/modelcatalog``, else
``~/.local/share/modelcatalog``). PostgreSQL is chosen by a ``postgresql://`` URL
(``--database``, ``MODELCATALOG_DATABASE_URL``).

Writers are serialised the same way on both: :func:`writing` opens a transaction that holds
the head row (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two
commits can never both build on the same version.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url

from modelcatalog.store.schema import WRITE_OPTION, catalog_head

__all__ = [
    "DATABASE_FILE",
    "create_store_engine",
    "default_data_dir",
    "resolve_url",
    "shown_url",
    "writing",
]

DATABASE_FILE = "catalog.db"
#: How long a connection attempt may take before the store counts as unreachable.
CONNECT_TIMEOUT_S = 3


def default_data_dir() -> Path:
    """``MODELCATALOG_DATA_DIR``, else the platform's per-user data directory."""
    configured = os.environ.get("MODELCATALOG_DATA_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "modelcatalog"


def resolve_url(data_dir: Path | str | None = None, database_url: str | None = None) -> str:
    """The SQLAlchemy URL of the store: the PostgreSQL URL if given, else the SQLite file."""
    url = database_url or os.environ.get("MODELCATALOG_DATABASE_URL")
    if url:
        return _with_driver(url)
    directory = Path(data_dir) if data_dir else default_data_dir()
    return f"sqlite:///{(directory / DATABASE_FILE).resolve()}"


def _with_driver(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def shown_url(url: str) -> str:
    """A store URL as it may appear in a log or a message: without password or driver."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)


def libpq_url(url: str) -> str:
    """The URL as psycopg (for LISTEN) and libpq tools accept it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_store_engine(url: str, *, application_name: str = "modelcatalog") -> Engine:
    """An engine for ``url``; the caller disposes it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"unsupported database URL {parsed.render_as_string()!r}")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=8,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": application_name,
        },
    )


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[tuple[Connection, int, int]]:
    """A transaction that excludes every other writer; yields (conn, head version, keys serial).

    Commits when the block ends normally, rolls back when it raises.
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        query = select(catalog_head.c.version, catalog_head.c.keys_serial).where(
            catalog_head.c.id == 1
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one()
        yield conn, int(row.version), int(row.keys_serial)
