"""The catalog snapshot: an immutable, validated set of models, traits and aliases.

A change never edits a snapshot; it builds a new one (from a store version, a directory or a
dump) and the service swaps its reference. Everything derived from records -- lookups by id,
trait and alias maps -- is computed here once, so readers never recompute it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import orjson

from modelcatalog.catalog.sources import AliasEntry, collection_paused
from modelcatalog.catalog.validation import CheckedCatalog
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY, ModelRecord

__all__ = ["CatalogModel", "CatalogSnapshot", "catalog_model", "content_version"]


@dataclass(frozen=True, slots=True)
class CatalogModel:
    """One model of a snapshot: its typed record, the one source of everything else here.

    ``wire`` is derived from ``record`` (the spec models dump back exactly what they parsed,
    key order and unknown keys included), so that the views and lifecycles that read the JSON
    and the rules and quotes that read the typed record see the same model.
    """

    record: ModelRecord[Any]
    #: Whether ``model_spec.voice_cloning`` is shown to callers who are not staff.
    public_voice_cloning: bool
    id: str = field(init=False)
    type: str = field(init=False)
    #: The record as served: its JSON without operator-only keys.
    wire: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        data = self.record.to_wire()
        data.pop(CATALOG_EXTENSION_KEY, None)
        object.__setattr__(self, "id", str(self.record.id))
        object.__setattr__(self, "type", str(self.record.type))
        object.__setattr__(self, "wire", MappingProxyType(data))


@dataclass(frozen=True)
class CatalogSnapshot:
    """An immutable catalog. ``models`` are in catalog order (see docs/api.md)."""

    version: str
    models: tuple[CatalogModel, ...]
    aliases: Mapping[str, Mapping[str, str]]
    by_id: Mapping[str, CatalogModel] = field(init=False)
    traits: Mapping[str, Mapping[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", MappingProxyType({m.id: m for m in self.models}))
        object.__setattr__(self, "traits", _trait_maps(self.models))

    @classmethod
    def from_checked(cls, checked: CheckedCatalog, version: str | None = None) -> CatalogSnapshot:
        """Build a snapshot from a catalog that passed validation (``checked.ok``)."""
        checked.raise_for_errors()
        with collection_paused():
            return cls._build(checked, version)

    @classmethod
    def _build(cls, checked: CheckedCatalog, version: str | None) -> CatalogSnapshot:
        models = tuple(
            catalog_model(entry.record, from_dump=checked.from_dump) for entry in checked.entries
        )
        return cls.from_models(models, checked.aliases, version)

    @classmethod
    def from_models(
        cls,
        models: tuple[CatalogModel, ...],
        aliases: Iterable[AliasEntry],
        version: str | None = None,
    ) -> CatalogSnapshot:
        """A snapshot of models built from checked records (see :mod:`.reuse`)."""
        by_type: dict[str, dict[str, str]] = {}
        for alias in aliases:
            by_type.setdefault(alias.type, {})[alias.alias] = str(alias.target)
        return cls(version or content_version(models, by_type), models, _freeze(by_type))

    def of_type(self, model_type: str) -> tuple[CatalogModel, ...]:
        return tuple(m for m in self.models if m.type == model_type)


def catalog_model(record: ModelRecord[Any], *, from_dump: bool) -> CatalogModel:
    """The served model of a checked record (``from_dump``: read from a Venice dump)."""
    marked = record.x_catalog is not None and record.x_catalog.publicVoiceCloning is True
    # The live API lists voice_cloning only where cloning is public, so a dump's is public.
    return CatalogModel(record, public_voice_cloning=marked or from_dump)


def _trait_maps(models: tuple[CatalogModel, ...]) -> Mapping[str, Mapping[str, str]]:
    traits: dict[str, dict[str, str]] = {}
    for model in models:
        spec = model.record.model_spec
        for trait in (spec.traits or []) if spec is not None else []:
            traits.setdefault(model.type, {}).setdefault(trait, model.id)
    return _freeze(traits)


def _freeze(maps: dict[str, dict[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: MappingProxyType(v) for k, v in maps.items()})


def content_version(models: tuple[CatalogModel, ...], aliases: Mapping[str, Any]) -> str:
    """A version id derived from content, for catalogs that do not come from the store."""
    digest = hashlib.sha256()
    for model in models:
        digest.update(orjson.dumps(dict(model.wire)))
        digest.update(b"\n")
    digest.update(orjson.dumps(aliases, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()[:16]
