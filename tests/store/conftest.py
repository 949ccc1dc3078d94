"""Fixtures for store tests: a real SQLite file and a real PostgreSQL database.

PostgreSQL tests use one fresh database per test run (``modelcatalog_test_<random>`` on
127.0.0.1:5432, dropped at the end) and one fresh schema per test inside it. When no server
answers they are skipped, except under ``MODELCATALOG_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from modelcatalog.store import Store

PG_SERVER = os.environ.get("MODELCATALOG_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
REQUIRE_PG = os.environ.get("MODELCATALOG_REQUIRE_POSTGRES") == "1"


def _admin_connect() -> psycopg.Connection[Any]:
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """The URL of a database created for this test run."""
    try:
        admin = _admin_connect()
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {PG_SERVER}: {exc}".strip()
        if REQUIRE_PG:
            pytest.fail(f"{reason} (MODELCATALOG_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    name = f"modelcatalog_test_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with _admin_connect() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """A URL whose connections see only a schema of their own (one per test)."""
    schema = f"t_{secrets.token_hex(4)}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_database}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Keyword arguments of Store.open for a fresh, empty store on each backend."""
    if request.param == "sqlite":
        return {"data_dir": tmp_path / "data"}
    return {"database_url": request.getfixturevalue("pg_url")}


@pytest.fixture
def store(store_location: dict[str, Any]) -> Iterator[Store]:
    with Store.open(**store_location) as opened:
        yield opened
