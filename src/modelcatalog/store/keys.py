"""API keys: who may see beta models, staff-only fields, and who may change the catalog.

A key is ``mc_`` followed by 32 random bytes (URL-safe base64). It is shown once, when it is
created; the store keeps only its SHA-256, so a copy of the database does not give anyone a
usable key. Lookups hash the presented key and compare digests in constant time.

Every key change bumps ``catalog_head.keys_serial`` and notifies replicas, which keep an
in-memory :class:`StoredKeys` for public reads; admin requests always ask the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from modelcatalog.errors import AlreadyExists, NotFound, StoreError
from modelcatalog.instants import format_instant, from_microseconds
from modelcatalog.store.engine import writing
from modelcatalog.store.schema import api_keys, catalog_head
from modelcatalog.store.store import Store, notify

__all__ = [
    "KEY_PREFIX",
    "ApiKey",
    "StoredKeys",
    "authenticate",
    "create_key",
    "list_keys",
    "revoke_key",
]

KEY_PREFIX = "mc_"
_SHOWN_PREFIX = 10


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key's name and what it grants; never the key itself."""

    name: str
    prefix: str
    beta: bool
    staff: bool
    admin: bool
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "beta": self.beta,
            "staff": self.staff,
            "admin": self.admin,
            "created_at": _iso(self.created_at),
            "revoked_at": _iso(self.revoked_at) if self.revoked_at else None,
        }


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(
    store: Store, name: str, *, beta: bool = False, staff: bool = False, admin: bool = False
) -> tuple[ApiKey, str]:
    """Create a key; returns it and the secret, which is not stored and cannot be shown again."""
    if not name.strip():
        raise StoreError("a key needs a name")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    now = time.time_ns() // 1000
    row = {
        "name": name,
        "prefix": token[:_SHOWN_PREFIX],
        "sha256": digest(token),
        "beta": beta,
        "staff": staff,
        "admin": admin,
        "created_at_us": now,
        "revoked_at_us": None,
    }
    try:
        with store.guard(), writing(store.engine) as (conn, _, serial):
            conn.execute(api_keys.insert().values(**row))
            _bump(conn, serial)
    except IntegrityError as exc:
        raise AlreadyExists(f"a key named {name!r} already exists") from exc
    return _key(row), token


def revoke_key(store: Store, name: str) -> ApiKey:
    """Revoke a key at once; it stays listed, marked revoked."""
    with store.guard(), writing(store.engine) as (conn, _, serial):
        found = conn.execute(select(api_keys).where(api_keys.c.name == name)).first()
        if found is None:
            raise NotFound(f"no key named {name!r}")
        if found.revoked_at_us is None:
            conn.execute(
                api_keys.update()
                .where(api_keys.c.name == name)
                .values(revoked_at_us=time.time_ns() // 1000)
            )
            _bump(conn, serial)
        row = conn.execute(select(api_keys).where(api_keys.c.name == name)).one()
    return _key(row._mapping)


def list_keys(store: Store) -> list[ApiKey]:
    with store.guard(), store.engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    return [_key(row._mapping) for row in rows]


def authenticate(store: Store, token: str) -> ApiKey | None:
    """The active key ``token`` is, or None (unknown or revoked). Asks the database."""
    wanted = digest(token)
    with store.guard(), store.engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.sha256 == wanted)).first()
    if row is None or not hmac.compare_digest(row.sha256, wanted):
        return None
    key = _key(row._mapping)
    return key if key.active else None


class StoredKeys:
    """The active keys of one moment, held in memory for the public read path."""

    def __init__(self, keys: Iterable[tuple[str, ApiKey]] = ()) -> None:
        self._by_digest: Mapping[str, ApiKey] = dict(keys)

    @classmethod
    def load(cls, store: Store) -> StoredKeys:
        with store.guard(), store.engine.connect() as conn:
            rows = conn.execute(select(api_keys).where(api_keys.c.revoked_at_us.is_(None))).all()
        return cls((row.sha256, _key(row._mapping)) for row in rows)

    def lookup(self, token: str) -> ApiKey | None:
        # A dict lookup by digest: the secret itself is never compared, only its hash.
        return self._by_digest.get(digest(token))

    def __len__(self) -> int:
        return len(self._by_digest)


def _bump(conn: Any, serial: int) -> None:
    conn.execute(catalog_head.update().where(catalog_head.c.id == 1).values(keys_serial=serial + 1))
    notify(conn, "keys")


def _key(row: Any) -> ApiKey:
    revoked = row["revoked_at_us"]
    return ApiKey(
        name=row["name"],
        prefix=row["prefix"],
        beta=bool(row["beta"]),
        staff=bool(row["staff"]),
        admin=bool(row["admin"]),
        created_at=from_microseconds(row["created_at_us"]),
        revoked_at=from_microseconds(revoked) if revoked is not None else None,
    )


def _iso(value: datetime) -> str:
    return format_instant(value)
