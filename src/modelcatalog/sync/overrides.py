"""Fields an operator set by hand, kept across upstream syncs, and "upstream changed" flags.

Every admin write that changes a model (create, replace, patch, retire, delete, traits) records
the wire paths it changed as the operator's (:func:`record_hand_edits`, run in the write's
transaction). A sync then takes each such field from the current catalog instead of from
upstream (:func:`keep_overrides`). When upstream's own value of an overridden field moves, the
field is flagged -- ``upstream changed: model_spec.pricing.input.usd 2.5 → 3.0`` -- until an
admin acknowledges the flag (keeping their value) or clears the override (giving the field back
to upstream from the next sync). A deleted model is overridden as a whole (path ``""``): sync
does not bring it back. Imports and rollbacks replace the whole catalog and record nothing.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update

from modelcatalog.instants import format_instant, from_microseconds
from modelcatalog.store.schema import model_overrides, sync_models
from modelcatalog.store.store import AfterWrite, Store, Written
from modelcatalog.sync.paths import (
    ABSENT,
    UNKNOWN,
    decode,
    encode,
    get_path,
    leaf_paths,
    set_path,
    shown,
)

__all__ = [
    "WHOLE_MODEL",
    "Flag",
    "Override",
    "OverrideUpdate",
    "acknowledge_flags",
    "clear_overrides",
    "keep_overrides",
    "list_flags",
    "load_overrides",
    "record_hand_edits",
    "upstream_updates",
    "write_updates",
]

#: The path of an override that covers a whole model (one the operator deleted).
WHOLE_MODEL = ""


def _now_us() -> int:
    return time.time_ns() // 1000


def _instant(us: int) -> str:
    return format_instant(from_microseconds(us))


@dataclass(frozen=True, slots=True)
class Flag:
    """Upstream moved an overridden field from ``old`` to ``new`` (ABSENT: not there)."""

    model_id: str
    path: str
    old: Any
    new: Any
    source: str
    flagged_at_us: int

    @property
    def message(self) -> str:
        return f"upstream changed: {self.path or '(model)'} {shown(self.old)} → {shown(self.new)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "path": self.path,
            "old": None if self.old is ABSENT else self.old,
            "new": None if self.new is ABSENT else self.new,
            "old_absent": self.old is ABSENT,
            "new_absent": self.new is ABSENT,
            "source": self.source,
            "flagged_at": _instant(self.flagged_at_us),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Override:
    """One field of one model that is the operator's; ``upstream`` is the upstream value last
    seen there (UNKNOWN before any sync saw it)."""

    model_id: str
    path: str
    author: str
    set_at_us: int
    upstream: Any
    flag: Flag | None

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "path": self.path,
            "author": self.author,
            "set_at": _instant(self.set_at_us),
            "upstream_known": self.upstream is not UNKNOWN,
            "upstream": None if self.upstream in (ABSENT, UNKNOWN) else self.upstream,
            "flag": None if self.flag is None else self.flag.as_json(),
        }


@dataclass(frozen=True, slots=True)
class OverrideUpdate:
    """What a sync records of one override: the upstream value seen, and a flag if it moved."""

    model_id: str
    path: str
    upstream: Any
    flag: Flag | None

    def as_json(self) -> dict[str, Any]:
        flag = self.flag
        return {
            "model": self.model_id,
            "path": self.path,
            "upstream": encode(self.upstream),
            "flag": None
            if flag is None
            else {
                "old": encode(flag.old),
                "new": encode(flag.new),
                "source": flag.source,
                "at": flag.flagged_at_us,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OverrideUpdate:
        model_id, path, raw = data["model"], data["path"], data["flag"]
        flag = None
        if raw is not None:
            old, new = decode(raw["old"]), decode(raw["new"])
            flag = Flag(model_id, path, old, new, raw["source"], raw["at"])
        return cls(model_id, path, decode(data["upstream"]), flag)


# -- recording hand edits ------------------------------------------------------------------


def hand_edited_paths(written: Written) -> dict[str, list[str]]:
    """The wire paths each model had changed by a write (``""``: the model was deleted)."""
    paths: dict[str, list[str]] = {}
    for change in written.delta.changed:
        paths[change.id] = [f.path for f in change.fields]
    for model_id in written.delta.added:
        paths[model_id] = list(leaf_paths(written.after.model(model_id) or {}))
    for model_id in written.delta.removed:
        paths[model_id] = [WHOLE_MODEL]
    return paths


def record_hand_edits(author: str) -> AfterWrite:
    """An ``after_write`` for admin writes: what they changed becomes the operator's."""

    def after_write(conn: Connection, written: Written) -> None:
        edited = hand_edited_paths(written)
        if not edited:
            return
        supplied = _supplied(conn, list(edited))
        existing = {(o.model_id, o.path) for o in _overrides(conn, list(edited))}
        now = _now_us()
        rows = []
        for model_id, paths in edited.items():
            before = written.before.model(model_id)
            for path in paths:
                if (model_id, path) in existing:
                    continue
                # The value the operator replaced is upstream's when a sync supplied the model.
                known = model_id in supplied and before is not None and path != WHOLE_MODEL
                upstream = get_path(before, path) if known else UNKNOWN
                rows.append(
                    {
                        "model_id": model_id,
                        "path": path,
                        "author": author,
                        "set_at_us": now,
                        "upstream": encode(upstream),
                    }
                )
        if rows:
            conn.execute(model_overrides.insert(), rows)

    return after_write


def _supplied(conn: Connection, model_ids: Sequence[str]) -> set[str]:
    query = select(sync_models.c.model_id).where(sync_models.c.model_id.in_(model_ids))
    return set(conn.execute(query).scalars())


# -- reading and clearing ------------------------------------------------------------------


def _overrides(conn: Connection, model_ids: Sequence[str] | None = None) -> list[Override]:
    query = select(model_overrides).order_by(model_overrides.c.model_id, model_overrides.c.path)
    if model_ids is not None:
        query = query.where(model_overrides.c.model_id.in_(model_ids))
    return [_override(row) for row in conn.execute(query)]


def _override(row: Any) -> Override:
    flag = None
    if row.flagged_at_us is not None:
        flag = Flag(
            row.model_id,
            row.path,
            decode(row.flag_old),
            decode(row.flag_new),
            row.flag_source or "",
            row.flagged_at_us,
        )
    return Override(row.model_id, row.path, row.author, row.set_at_us, decode(row.upstream), flag)


def load_overrides(store: Store, model_id: str | None = None) -> dict[str, list[Override]]:
    """Every override (or one model's), by model id."""
    with store.guard(), store.engine.connect() as conn:
        found = _overrides(conn, None if model_id is None else [model_id])
    grouped: dict[str, list[Override]] = {}
    for override in found:
        grouped.setdefault(override.model_id, []).append(override)
    return grouped


def list_flags(store: Store, model_id: str | None = None) -> list[Flag]:
    """Every unacknowledged "upstream changed" flag (or one model's)."""
    overrides = load_overrides(store, model_id)
    return [o.flag for group in overrides.values() for o in group if o.flag is not None]


def _matching(model_id: str, path: str | None) -> Any:
    condition = model_overrides.c.model_id == model_id
    if path is not None:
        condition = condition & (model_overrides.c.path == path)
    return condition


def clear_overrides(store: Store, model_id: str, path: str | None = None) -> int:
    """Give a model's fields (or one field) back to upstream from the next sync; how many."""
    with store.guard(), store.engine.begin() as conn:
        done = conn.execute(delete(model_overrides).where(_matching(model_id, path)))
    return int(done.rowcount or 0)


def acknowledge_flags(store: Store, model_id: str, path: str | None = None) -> int:
    """Dismiss "upstream changed" flags, keeping the operator's values; how many."""
    cleared = {"flag_old": None, "flag_new": None, "flag_source": None, "flagged_at_us": None}
    condition = _matching(model_id, path) & model_overrides.c.flagged_at_us.is_not(None)
    with store.guard(), store.engine.begin() as conn:
        done = conn.execute(update(model_overrides).where(condition).values(**cleared))
    return int(done.rowcount or 0)


# -- what a sync does with them --------------------------------------------------------------


def keep_overrides(
    upstream: dict[str, Any], current: dict[str, Any] | None, overrides: Iterable[Override]
) -> dict[str, Any]:
    """Upstream's record with every overridden field as the current catalog has it."""
    merged = copy.deepcopy(upstream)
    for override in overrides:
        if override.path != WHOLE_MODEL:
            set_path(merged, override.path, get_path(current or {}, override.path))
    return merged


def upstream_updates(
    upstream: dict[str, Any], overrides: Iterable[Override], source: str, now_us: int
) -> list[OverrideUpdate]:
    """The upstream values a sync saw at overridden paths, flagged where they moved."""
    updates = []
    for override in overrides:
        if override.path == WHOLE_MODEL:
            continue
        seen = get_path(upstream, override.path)
        before = override.upstream
        if before is UNKNOWN:
            updates.append(OverrideUpdate(override.model_id, override.path, seen, None))
        elif not _same(before, seen):
            # A flag keeps the value upstream moved away from until it is acknowledged.
            old = override.flag.old if override.flag is not None else before
            flag = Flag(override.model_id, override.path, old, seen, source, now_us)
            updates.append(OverrideUpdate(override.model_id, override.path, seen, flag))
    return updates


def _same(old: Any, new: Any) -> bool:
    if old is ABSENT or new is ABSENT:
        return old is new
    return encode(old) == encode(new) or (_number(old) and _number(new) and old == new)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def write_updates(conn: Connection, updates: Iterable[OverrideUpdate]) -> None:
    """Record what a sync saw at overridden paths, in the sync's transaction."""
    for item in updates:
        values: dict[str, Any] = {"upstream": encode(item.upstream)}
        if item.flag is not None:
            values |= {
                "flag_old": encode(item.flag.old),
                "flag_new": encode(item.flag.new),
                "flag_source": item.flag.source,
                "flagged_at_us": item.flag.flagged_at_us,
            }
        conn.execute(
            update(model_overrides).where(_matching(item.model_id, item.path)).values(**values)
        )
