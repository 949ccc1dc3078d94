"""What changed between two catalog documents: models added and removed, every changed field
with its old and new value, price changes on their own, and alias changes.

Paths use the wire names and the notation of validation findings
(``model_spec.pricing.input.usd``, ``model_spec.traits``). Lists are compared whole: a list of
traits or resolutions is one value to the people reading a diff.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from modelcatalog.store.document import CatalogDocument

__all__ = [
    "AliasChange",
    "CatalogDiff",
    "FieldChange",
    "ModelChange",
    "PriceChange",
    "diff_documents",
    "field_changes",
]

PRICING_PATH = "model_spec.pricing"
_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """``kind`` is ``added``, ``removed`` or ``changed``; an absent side is ``None`` in JSON."""

    path: str
    kind: str
    old: Any = None
    new: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class ModelChange:
    id: str
    kind: str
    fields: tuple[FieldChange, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "fields": [f.as_json() for f in self.fields]}


@dataclass(frozen=True, slots=True)
class PriceChange:
    id: str
    path: str
    old: Any
    new: Any

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class AliasChange:
    type: str
    alias: str
    old: str | None
    new: str | None

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "alias": self.alias, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class CatalogDiff:
    from_version: int
    to_version: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ModelChange, ...] = ()
    aliases: tuple[AliasChange, ...] = ()
    prices: tuple[PriceChange, ...] = field(init=False)

    def __post_init__(self) -> None:
        prices = tuple(
            PriceChange(model.id, f.path, f.old, f.new)
            for model in self.changed
            for f in model.fields
            if f.path == PRICING_PATH or f.path.startswith(PRICING_PATH + ".")
        )
        object.__setattr__(self, "prices", prices)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.aliases)

    def model_changes(self) -> list[ModelChange]:
        """One entry per touched model, as recorded in a version's history."""
        return [
            *(ModelChange(i, "added") for i in self.added),
            *(ModelChange(i, "removed") for i in self.removed),
            *self.changed,
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.from_version,
            "to": self.to_version,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [m.as_json() for m in self.changed],
            "prices": [p.as_json() for p in self.prices],
            "aliases": [a.as_json() for a in self.aliases],
        }


def diff_documents(
    old: CatalogDocument, new: CatalogDocument, from_version: int = 0, to_version: int = 0
) -> CatalogDiff:
    before = {str(r.get("id")): r for r in old.models}
    after = {str(r.get("id")): r for r in new.models}
    changed = tuple(
        ModelChange(model_id, "changed", fields)
        for model_id, record in after.items()
        if model_id in before and (fields := tuple(field_changes(before[model_id], record)))
    )
    return CatalogDiff(
        from_version,
        to_version,
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        changed=changed,
        aliases=tuple(_alias_changes(old.aliases, new.aliases)),
    )


def field_changes(old: Any, new: Any, path: str = "") -> Iterator[FieldChange]:
    """Every leaf that differs between two JSON values (objects recurse, lists do not)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _ordered_keys(old, new):
            child = f"{path}.{key}" if path else str(key)
            yield from _key_change(old.get(key, _ABSENT), new.get(key, _ABSENT), child)
    elif not _same(old, new):
        yield FieldChange(path, "changed", old, new)


def _key_change(old: Any, new: Any, path: str) -> Iterator[FieldChange]:
    if old is _ABSENT:
        yield FieldChange(path, "added", None, new)
    elif new is _ABSENT:
        yield FieldChange(path, "removed", old, None)
    else:
        yield from field_changes(old, new, path)


def _ordered_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [*old, *(k for k in new if k not in old)]


def _same(old: Any, new: Any) -> bool:
    # 1 and 1.0 are the same price, but true is not 1.
    return (type(old) is type(new) and old == new) or (_number(old) and _number(new) and old == new)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _alias_changes(
    old: Mapping[str, Mapping[str, str]], new: Mapping[str, Mapping[str, str]]
) -> Iterator[AliasChange]:
    for model_type in _ordered_keys(dict(old), dict(new)):
        before, after = old.get(model_type, {}), new.get(model_type, {})
        for alias in _ordered_keys(dict(before), dict(after)):
            if before.get(alias) != after.get(alias):
                yield AliasChange(model_type, alias, before.get(alias), after.get(alias))
