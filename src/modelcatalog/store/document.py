"""The catalog document: what one store version holds, and the import/export formats.

A document is the whole catalog as plain JSON: ``{"models": [record, ...], "aliases":
{type: {alias: model_id}}}``, records in catalog order and exactly as written (operator-only
``x-catalog`` keys included). Traits live in each record's ``model_spec.traits``.

Catalog directories and Venice dumps are the exchange formats: :meth:`CatalogDocument.
from_source` reads what :func:`~modelcatalog.catalog.sources.read_source` returns, and
:func:`export_directory` / :func:`export_dump` write them back. A directory is the lossless
backup format; a dump carries the compatibility aliases in an additive top-level ``"aliases"``
key, so it round-trips too.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import yaml

from modelcatalog.catalog.findings import Origin
from modelcatalog.catalog.sources import (
    ALIASES_DIR,
    AliasEntry,
    CatalogSource,
    SourceRecord,
    collection_paused,
)
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY

__all__ = ["CatalogDocument", "export_directory", "export_dump"]

JsonRecord = dict[str, Any]


@dataclass(frozen=True)
class CatalogDocument:
    """A whole catalog as JSON. Treat it as immutable: the ``with_*`` methods return copies."""

    models: tuple[JsonRecord, ...] = ()
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, content: bytes | str) -> CatalogDocument:
        with collection_paused():  # a large document is many small objects and no cycles
            raw = orjson.loads(content)
        aliases = {t: dict(m) for t, m in raw.get("aliases", {}).items()}
        return cls(tuple(raw["models"]), aliases)

    def to_json(self) -> bytes:
        return orjson.dumps({"models": list(self.models), "aliases": self.aliases})

    @classmethod
    def from_source(cls, source: CatalogSource) -> CatalogDocument:
        """The document of a read directory or dump (validate ``source`` first)."""
        models = tuple(_keep_dump_visibility(r.data, source.from_dump) for r in source.records)
        aliases: dict[str, dict[str, str]] = {}
        for entry in source.aliases:
            aliases.setdefault(entry.type, {})[entry.alias] = str(entry.target)
        return cls(models, aliases)

    @classmethod
    def from_records(cls, models: Sequence[JsonRecord], *, from_dump: bool) -> CatalogDocument:
        """A catalog of ``models`` and no aliases: an importer's result. ``from_dump`` says
        they are a live listing's records (as a Venice listing's are)."""
        return cls(tuple(_keep_dump_visibility(record, from_dump) for record in models))

    def to_source(self, label: str = "catalog") -> CatalogSource:
        """The document as a source to validate; findings read ``label:models[3](id).path``."""
        records = [
            SourceRecord(Origin(label, _anchor(index, record)), record)
            for index, record in enumerate(self.models)
        ]
        aliases = [
            AliasEntry(Origin(label, f"aliases.{model_type}"), model_type, alias, target)
            for model_type, mapping in self.aliases.items()
            for alias, target in mapping.items()
        ]
        return CatalogSource(records, aliases)

    def index_of(self, model_id: str) -> int | None:
        for index, record in enumerate(self.models):
            if record.get("id") == model_id:
                return index
        return None

    def model(self, model_id: str) -> JsonRecord | None:
        index = self.index_of(model_id)
        return None if index is None else copy.deepcopy(self.models[index])

    def with_model(self, record: JsonRecord) -> CatalogDocument:
        """Replace the model with ``record``'s id in place, or append it."""
        index = self.index_of(str(record.get("id")))
        models = list(self.models)
        if index is None:
            models.append(record)
        else:
            models[index] = record
        return CatalogDocument(tuple(models), self.aliases)

    def with_aliases(self, model_type: str, mapping: Mapping[str, str]) -> CatalogDocument:
        aliases = {t: dict(m) for t, m in self.aliases.items()}
        if mapping:
            aliases[model_type] = dict(mapping)
        else:
            aliases.pop(model_type, None)
        return CatalogDocument(self.models, aliases)


def _anchor(index: int, record: Any) -> str:
    model_id = record.get("id") if isinstance(record, dict) else None
    return f"models[{index}]({model_id})" if isinstance(model_id, str) else f"models[{index}]"


def _keep_dump_visibility(record: Any, from_dump: bool) -> Any:
    # The live API lists voice_cloning only where it is public; once stored, a record no longer
    # says it came from a dump, so the public flag is written down explicitly.
    if not from_dump or not isinstance(record, dict):
        return record
    spec = record.get("model_spec")
    if not isinstance(spec, dict) or "voice_cloning" not in spec:
        return record
    extension = record.get(CATALOG_EXTENSION_KEY)
    if extension is not None and not isinstance(extension, dict):
        return record  # not an object: the strict check refuses it by name
    if isinstance(extension, dict) and extension.get("publicVoiceCloning") is False:
        # What export_dump marks; stored, an absent flag already means staff-only, so the
        # record goes back exactly as it was exported.
        return _without_private_mark(record, extension)
    if isinstance(extension, dict) and "publicVoiceCloning" in extension:
        return record
    marked = dict(record)
    marked[CATALOG_EXTENSION_KEY] = {**(extension or {}), "publicVoiceCloning": True}
    return marked


def _without_private_mark(record: JsonRecord, extension: dict[str, Any]) -> JsonRecord:
    rest = {k: v for k, v in extension.items() if k != "publicVoiceCloning"}
    unmarked = dict(record)
    if rest:
        unmarked[CATALOG_EXTENSION_KEY] = rest
    else:
        del unmarked[CATALOG_EXTENSION_KEY]
    return unmarked


def _mark_private_cloning(record: JsonRecord) -> JsonRecord:
    spec = record.get("model_spec")
    extension = record.get(CATALOG_EXTENSION_KEY)
    if not isinstance(spec, dict) or "voice_cloning" not in spec:
        return record
    if isinstance(extension, dict) and "publicVoiceCloning" in extension:
        return record
    return {**record, CATALOG_EXTENSION_KEY: {**(extension or {}), "publicVoiceCloning": False}}


def export_directory(document: CatalogDocument, root: Path) -> int:
    """Write ``<root>/<type>/<id>.yaml`` and ``<root>/aliases/<type>.yaml``; returns files."""
    written = 0
    for record in document.models:
        path = root / _file_part(record.get("type")) / f"{_id_path(record.get('id'))}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(record), encoding="utf-8")
        written += 1
    for model_type, mapping in document.aliases.items():
        path = root / ALIASES_DIR / f"{_file_part(model_type)}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(dict(mapping)), encoding="utf-8")
        written += 1
    return written


def export_dump(document: CatalogDocument, path: Path) -> None:
    """Write the catalog as a Venice ``GET /models?type=all`` body plus ``"aliases"``.

    Operator-only ``x-catalog`` keys are kept, staff-only voice cloning is marked as such,
    traits stay in each record's ``model_spec.traits``, and the compatibility aliases go in a
    top-level ``"aliases"`` key (Venice clients ignore it), so that importing the dump again
    restores the same catalog.
    """
    body: dict[str, Any] = {
        "data": [_mark_private_cloning(r) for r in document.models],
        "object": "list",
        "type": "all",
    }
    if document.aliases:
        body["aliases"] = {t: dict(m) for t, m in document.aliases.items()}
    path.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))


def _file_part(value: Any) -> str:
    return quote(str(value), safe="-_.:+@ ")


def _id_path(value: Any) -> str:
    # A catalog directory places ``org/model`` at ``<type>/org/model.yaml``; any other
    # character a path cannot hold safely is escaped.
    return "/".join(
        _file_part(part) if part not in {"", ".", ".."} else quote(part, safe="") or "%00"
        for part in str(value).split("/")
    )


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False)
