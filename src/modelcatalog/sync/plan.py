"""What one sync of one source would do to the catalog, decided before anything is written.

:func:`plan_sync` takes the records upstream lists now and the current catalog and builds the
new catalog: upstream's records (adopted when the catalog already holds that id and no other
source supplies it), the operator's overridden fields kept, the models this source supplied and
no longer lists deprecated with a grace period (never deleted). Then the guardrails:

- too few models (fewer than ``min_models``, or than ``min_share`` of those the source supplied
  before): :class:`~modelcatalog.errors.UpstreamRefused`, nothing is written;
- a price moving more than ``max_price_factor`` times, crossing zero or disappearing, and more
  than ``max_removals`` models deprecated at once: the plan is ``held`` for an admin.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from modelcatalog.errors import UpstreamRefused
from modelcatalog.instants import format_instant
from modelcatalog.settings import SyncRules
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY
from modelcatalog.store.diff import CatalogDiff, PriceChange, diff_documents
from modelcatalog.store.document import CatalogDocument, JsonRecord
from modelcatalog.sync.overrides import (
    WHOLE_MODEL,
    Override,
    OverrideUpdate,
    keep_overrides,
    upstream_updates,
)

__all__ = ["Bookkeeping", "Plan", "plan_sync", "price_reasons"]


@dataclass(frozen=True)
class Bookkeeping:
    """What applying a plan records beside the version: who supplies which models, and what
    upstream said at the operator's fields."""

    source: str
    supplied: tuple[str, ...]
    overrides: tuple[OverrideUpdate, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "supplied": list(self.supplied),
            "overrides": [u.as_json() for u in self.overrides],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bookkeeping:
        updates = tuple(OverrideUpdate.from_json(u) for u in data["overrides"])
        return cls(data["source"], tuple(data["supplied"]), updates)


@dataclass(frozen=True)
class Plan:
    source: str
    base_version: int
    before: CatalogDocument
    after: CatalogDocument
    delta: CatalogDiff
    deprecated: tuple[str, ...]
    bookkeeping: Bookkeeping
    #: Why an admin must decide (empty: apply at once).
    held: tuple[str, ...] = ()
    #: Upstream ids left alone, with why (another source supplies them, the operator deleted).
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def flags(self) -> list[OverrideUpdate]:
        return [u for u in self.bookkeeping.overrides if u.flag is not None]

    def summary(self) -> str:
        d = self.delta
        return (
            f"{len(d.added)} added, {len(d.changed)} changed, "
            f"{len(self.deprecated)} deprecated, {len(d.prices)} price changes"
        )


@dataclass(frozen=True)
class _Inputs:
    source: str
    upstream: dict[str, JsonRecord]
    owners: Mapping[str, str]
    overrides: Mapping[str, Sequence[Override]]
    removes_at: str
    now: str
    now_us: int


def plan_sync(
    source: str,
    upstream: Sequence[JsonRecord],
    current: CatalogDocument,
    base_version: int,
    *,
    owners: Mapping[str, str],
    overrides: Mapping[str, Sequence[Override]],
    rules: SyncRules,
    now: datetime,
    unmapped: Mapping[str, str] | None = None,
) -> Plan:
    """The plan of syncing ``upstream`` (source ``source``) into ``current``.

    ``owners`` maps model ids to the source that supplies them; ``overrides`` lists the
    operator's fields by model id; ``unmapped`` the ids upstream lists but the importer could
    not map (left alone, never deprecated), with why. Raises UpstreamRefused when upstream
    gave too few models.
    """
    now = now.replace(microsecond=0)
    by_id: dict[str, JsonRecord] = {}
    for record in upstream:
        by_id.setdefault(str(record.get("id")), record)
    _check_count(source, len(by_id), current, owners, rules)
    inputs = _Inputs(
        source,
        by_id,
        owners,
        overrides,
        format_instant(now + timedelta(days=rules.grace_days)),
        format_instant(now),
        int(now.timestamp() * 1_000_000),
    )
    models, deprecated, skipped, updates = _merge(current, inputs, unmapped or {})
    after = CatalogDocument(tuple(models), current.aliases)
    delta = diff_documents(current, after, base_version, base_version + 1)
    held = [*price_reasons(delta.prices, rules.max_price_factor)]
    if len(deprecated) > rules.max_removals:
        held.append(
            f"{len(deprecated)} models would be deprecated, more than max_removals "
            f"({rules.max_removals}): {', '.join(deprecated[:10])}"
            + (" ..." if len(deprecated) > 10 else "")
        )
    supplied = tuple(i for i in by_id if i not in skipped)
    return Plan(
        source,
        base_version,
        current,
        after,
        delta,
        tuple(deprecated),
        Bookkeeping(source, supplied, tuple(updates)),
        tuple(held),
        skipped,
    )


def _check_count(
    source: str, count: int, current: CatalogDocument, owners: Mapping[str, str], rules: SyncRules
) -> None:
    if count < rules.min_models:
        raise UpstreamRefused(
            f"source {source} gave {count} models, fewer than min_models ({rules.min_models}); "
            "nothing was written"
        )
    present = {str(r.get("id")) for r in current.models}
    before = sum(1 for i, s in owners.items() if s == source and i in present)
    if before and count < rules.min_share * before:
        raise UpstreamRefused(
            f"source {source} gave {count} models where it gave {before} before, fewer than "
            f"min_share ({rules.min_share:g}) of them; nothing was written"
        )


def _merge(
    current: CatalogDocument, inputs: _Inputs, unmapped: Mapping[str, str]
) -> tuple[list[JsonRecord], list[str], dict[str, str], list[OverrideUpdate]]:
    models: list[JsonRecord] = []
    deprecated: list[str] = []
    skipped: dict[str, str] = {}
    updates: list[OverrideUpdate] = []
    present: set[str] = set()
    for record in current.models:
        model_id = str(record.get("id"))
        present.add(model_id)
        owner = inputs.owners.get(model_id)
        found = inputs.upstream.get(model_id)
        if found is not None and owner not in (None, inputs.source):
            skipped[model_id] = f"supplied by source {owner}"
            models.append(record)
        elif found is not None:
            kept = inputs.overrides.get(model_id, ())
            if any(o.path == WHOLE_MODEL for o in kept):
                skipped[model_id] = "the whole model is the operator's"
                models.append(record)
                continue
            models.append(_operator_extension(keep_overrides(found, record, kept), record))
            updates += upstream_updates(found, kept, inputs.source, inputs.now_us)
        elif model_id in unmapped:
            skipped[model_id] = f"listed upstream but not mapped: {unmapped[model_id]}"
            models.append(record)
        elif owner == inputs.source and _deprecate(record):
            deprecated.append(model_id)
            models.append(_deprecated(record, inputs))
        else:
            models.append(record)
    for model_id, found in inputs.upstream.items():
        if model_id in present:
            continue
        if any(o.path == WHOLE_MODEL for o in inputs.overrides.get(model_id, ())):
            skipped[model_id] = "deleted by the operator"
            continue
        models.append(found)
    return models, deprecated, skipped, updates


def _operator_extension(merged: JsonRecord, current: JsonRecord) -> JsonRecord:
    # x-catalog holds the operator's settings (who sees voice cloning): never upstream's to
    # change on a model the catalog already holds.
    merged.pop(CATALOG_EXTENSION_KEY, None)
    if CATALOG_EXTENSION_KEY in current:
        merged[CATALOG_EXTENSION_KEY] = copy.deepcopy(current[CATALOG_EXTENSION_KEY])
    return merged


def _deprecate(record: JsonRecord) -> bool:
    spec = record.get("model_spec")
    # A model already retiring keeps its dates (the operator's or an earlier sync's).
    return not (isinstance(spec, dict) and spec.get("deprecation"))


def _deprecated(record: JsonRecord, inputs: _Inputs) -> JsonRecord:
    updated = copy.deepcopy(record)
    spec = updated.setdefault("model_spec", {})
    spec["deprecation"] = {
        "autoRemap": False,
        "date": inputs.removes_at,
        "removesAt": inputs.removes_at,
        "startsAt": inputs.now,
    }
    return updated


def price_reasons(prices: Sequence[PriceChange], max_factor: float) -> list[str]:
    """Why price changes need an admin: moved more than ``max_factor`` times, crossed zero,
    or a known price disappeared."""
    reasons = []
    for change in prices:
        old, new = change.old, change.new
        where = f"{change.id} {change.path}"
        if new is None and _holds_price(old):
            reasons.append(f"{where}: price {old} removed")
        elif _price(old) and _price(new):
            if (old == 0) != (new == 0):
                reasons.append(f"{where}: price {old} → {new} crosses zero")
            elif old and new and max(old / new, new / old) > max_factor:
                reasons.append(f"{where}: price {old} → {new} moves more than {max_factor:g} times")
    return reasons


def _holds_price(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_price(v) for v in value.values())
    return _price(value)


def _price(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
