"""Changes to one part of a catalog document, as functions the store commits.

Each function here returns a :data:`~modelcatalog.store.store.Change`: given the current
document it returns the new one, or raises :class:`~modelcatalog.errors.NotFound` /
:class:`~modelcatalog.errors.AlreadyExists` when the change does not apply. The store then
checks the whole resulting catalog and commits it (or rejects it) as one version.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from modelcatalog.errors import AlreadyExists, NotFound
from modelcatalog.instants import format_instant
from modelcatalog.spec.record import MODEL_TYPES
from modelcatalog.store.document import CatalogDocument, JsonRecord
from modelcatalog.store.store import Change

__all__ = [
    "create_model",
    "delete_model",
    "merge_patch",
    "patch_model",
    "remove_alias",
    "remove_trait",
    "replace_model",
    "retire_model",
    "set_alias",
    "set_aliases",
    "set_trait",
    "set_traits",
    "trait_map",
]


def create_model(record: JsonRecord) -> Change:
    def change(document: CatalogDocument) -> CatalogDocument:
        model_id = record.get("id")
        if isinstance(model_id, str) and document.index_of(model_id) is not None:
            raise AlreadyExists(f"model {model_id!r} already exists; use PUT to replace it")
        return document.with_model(record)

    return change


def replace_model(model_id: str, record: JsonRecord) -> Change:
    def change(document: CatalogDocument) -> CatalogDocument:
        _existing(document, model_id)
        return document.with_model({**record, "id": model_id})

    return change


def patch_model(model_id: str, patch: Any) -> Change:
    """Apply a JSON Merge Patch (RFC 7396) to one model; the id cannot be patched away."""

    def change(document: CatalogDocument) -> CatalogDocument:
        patched = merge_patch(_existing(document, model_id), patch)
        if not isinstance(patched, dict):
            raise ValueError("a merge patch of a model must be a JSON object")
        return document.with_model({**patched, "id": model_id})

    return change


def retire_model(
    model_id: str,
    removes_at: datetime,
    *,
    starts_at: datetime | None = None,
    replacement: str | None = None,
    auto_remap: bool = False,
) -> Change:
    """Deprecate a model from ``starts_at`` (default now) and remove it at ``removes_at``."""

    def change(document: CatalogDocument) -> CatalogDocument:
        record = _existing(document, model_id)
        spec = record.setdefault("model_spec", {})
        deprecation: dict[str, Any] = {
            "autoRemap": auto_remap,
            "date": _instant(removes_at),
            "removesAt": _instant(removes_at),
            "startsAt": _instant(starts_at or datetime.now(UTC)),
        }
        if replacement is not None:
            deprecation["replacementModelId"] = replacement
        spec["deprecation"] = deprecation
        return document.with_model(record)

    return change


def delete_model(model_id: str) -> Change:
    """Drop a model from the catalog at once (retiring it keeps its history readable)."""

    def change(document: CatalogDocument) -> CatalogDocument:
        _existing(document, model_id)
        models = tuple(r for r in document.models if r.get("id") != model_id)
        return CatalogDocument(models, document.aliases)

    return change


def set_aliases(model_type: str, mapping: Mapping[str, str]) -> Change:
    """Replace the compatibility aliases of one model type: aliases not in ``mapping`` go."""
    return lambda document: document.with_aliases(model_type, mapping)


def set_traits(model_type: str, traits: Mapping[str, str]) -> Change:
    """Make ``traits`` (trait -> model id) the whole trait map of ``model_type``."""

    def change(document: CatalogDocument) -> CatalogDocument:
        if model_type not in MODEL_TYPES:
            # Traits live on the records, so a trait "of" an unknown type would silently land
            # on a model of some other type; refuse it by name instead.
            raise NotFound(f"{model_type[:40]!r} is not a model type ({', '.join(MODEL_TYPES)})")
        wanted: dict[str, list[str]] = {}
        for trait, model_id in traits.items():
            wanted.setdefault(model_id, []).append(trait)
        missing = [m for m in wanted if document.index_of(m) is None]
        if missing:
            raise NotFound(f"no model {', '.join(map(repr, missing))} to carry traits")
        models = tuple(_with_traits(r, model_type, wanted) for r in document.models)
        return CatalogDocument(models, document.aliases)

    return change


def set_alias(model_type: str, alias: str, model_id: str) -> Change:
    """Add or change one compatibility alias of ``model_type``, keeping the others."""

    def change(document: CatalogDocument) -> CatalogDocument:
        mapping = dict(document.aliases.get(model_type, {}))
        mapping[alias] = model_id
        return document.with_aliases(model_type, mapping)

    return change


def remove_alias(model_type: str, alias: str) -> Change:
    """Drop one compatibility alias; NotFound when ``model_type`` has no such alias."""

    def change(document: CatalogDocument) -> CatalogDocument:
        mapping = dict(document.aliases.get(model_type, {}))
        if mapping.pop(alias, None) is None:
            raise NotFound(f"no {model_type} alias {alias!r}")
        return document.with_aliases(model_type, mapping)

    return change


def trait_map(document: CatalogDocument, model_type: str) -> dict[str, str]:
    """The trait -> model id map of ``model_type``, read from the records' ``traits``."""
    found: dict[str, str] = {}
    for record in document.models:
        spec = record.get("model_spec")
        traits = spec.get("traits") if isinstance(spec, dict) else None
        if record.get("type") == model_type and isinstance(traits, list):
            found.update((str(t), str(record.get("id"))) for t in traits)
    return found


def set_trait(model_type: str, trait: str, model_id: str) -> Change:
    """Give ``trait`` to ``model_id`` (taking it from whichever model held it)."""

    def change(document: CatalogDocument) -> CatalogDocument:
        return set_traits(model_type, {**trait_map(document, model_type), trait: model_id})(
            document
        )

    return change


def remove_trait(model_type: str, trait: str) -> Change:
    """Drop one trait of ``model_type``; NotFound when no model of that type holds it."""

    def change(document: CatalogDocument) -> CatalogDocument:
        traits = trait_map(document, model_type)
        if traits.pop(trait, None) is None:
            raise NotFound(f"no {model_type} model holds the trait {trait!r}")
        return set_traits(model_type, traits)(document)

    return change


def _with_traits(record: JsonRecord, model_type: str, wanted: dict[str, list[str]]) -> JsonRecord:
    model_id = record.get("id")
    spec = record.get("model_spec")
    has_traits = isinstance(spec, dict) and bool(spec.get("traits"))
    if record.get("type") != model_type and model_id not in wanted:
        return record
    if not has_traits and model_id not in wanted:
        return record
    updated = copy.deepcopy(record)
    updated_spec = updated.setdefault("model_spec", {})
    # Traits of other types on this record are not ours to drop; a wrong type is a rule error.
    keep = [] if record.get("type") == model_type else list(updated_spec.get("traits") or [])
    updated_spec["traits"] = keep + wanted.get(str(model_id), [])
    return updated


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge recursively, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _existing(document: CatalogDocument, model_id: str) -> JsonRecord:
    record = document.model(model_id)
    if record is None:
        raise NotFound(f"no model {model_id!r}")
    return record


def _instant(value: datetime) -> str:
    return format_instant(value)
