"""Snapshots of successive versions that reuse what the previous build already checked.

A replica following a store rebuilds its snapshot on every new version, and most versions
change one model or a few: parsing, checking and building the other 9,999 records of a
10,000-model catalog again would hold the GIL for seconds while requests wait (see
docs/performance.md, "Reloading under load"). A :class:`SnapshotBuilder` remembers, by the
record's canonical bytes (``orjson.dumps`` of the JSON read: key order, number spelling and
all), the :class:`~modelcatalog.catalog.snapshot.CatalogModel` it built from every record that
passed its own checks without a finding. A record whose bytes it has seen is not parsed or
checked again; its model object is reused as it is, so the views can also reuse what they
serialized for it (:class:`~modelcatalog.catalog.views.ViewSet` keys fragments by the model
object). The catalog rules, which look across records (ids, replacements, traits, aliases),
run over the whole catalog every time.

Equal bytes parse to equal records, and a record's checks read only the record, the mode and
the ``owned_by`` setting, which are fixed per builder: a reused model is exactly what a full
build would make (tests/catalog/test_reuse.py compares both, views included).
"""

from __future__ import annotations

from typing import Any

import orjson

from modelcatalog.catalog.findings import Finding, Mode
from modelcatalog.catalog.rules import Entry, RecordRule
from modelcatalog.catalog.snapshot import CatalogModel, CatalogSnapshot, catalog_model
from modelcatalog.catalog.sources import CatalogSource, SourceRecord, collection_paused
from modelcatalog.catalog.validation import (
    CheckedCatalog,
    catalog_rule_findings,
    check_record,
)

__all__ = ["SnapshotBuilder"]


class SnapshotBuilder:
    """Builds snapshots in one mode, reusing the models the previous build checked clean.

    Safe to share between threads: a build reads the remembered models and replaces them with
    its own when done, never changing a mapping another build may be reading.
    """

    def __init__(self, mode: Mode = Mode.COMPATIBLE, owned_by: frozenset[str] | None = None):
        self.mode = mode
        self.owned_by = owned_by
        #: The clean models of the last build, by record key (see :func:`_key`).
        self._models: dict[bytes, CatalogModel] = {}
        #: How many records the last build reused and how many it checked (for tests, logs).
        self.reused = 0
        self.checked = 0

    def build(self, source: CatalogSource, version: str | None = None) -> CatalogSnapshot:
        """The snapshot of ``source``; raises CatalogInvalid as ``check_catalog`` would."""
        with collection_paused():
            return self._build(source, version)

    def _build(self, source: CatalogSource, version: str | None) -> CatalogSnapshot:
        known = self._models
        kept: dict[bytes, CatalogModel] = {}
        entries: list[Entry] = []
        models: list[CatalogModel | None] = []
        findings: list[Finding] = []
        fresh: list[tuple[bytes | None, int]] = []
        rules: dict[str | None, tuple[RecordRule, ...]] = {}
        for item in source.records:
            key = _key(item, source.from_dump)
            model = known.get(key) if key is not None else None
            if model is not None:
                kept[key] = model  # type: ignore[index]  # a found model has a key
                entries.append(Entry(item.origin, model.record, item.data, item.placement))
                models.append(model)
                continue
            entry, found = check_record(item, self.mode, self.owned_by, rules)
            findings.extend(found)
            if entry is not None:
                fresh.append((None if found else key, len(entries)))
                entries.append(entry)
                models.append(None)
        findings.extend(catalog_rule_findings(entries, source.aliases, self.mode))
        CheckedCatalog(
            self.mode, tuple(entries), tuple(source.aliases), tuple(findings), source.from_dump
        ).raise_for_errors()
        for key, index in fresh:
            model = models[index] = catalog_model(entries[index].record, from_dump=source.from_dump)
            if key is not None:  # only records without a finding of their own are reused
                kept[key] = model
        self._models = kept
        self.reused, self.checked = len(entries) - len(fresh), len(fresh)
        built = tuple(m for m in models if m is not None)
        return CatalogSnapshot.from_models(built, source.aliases, version)


def _key(item: SourceRecord, from_dump: bool) -> bytes | None:
    """The record's canonical bytes, prefixed by whether it was read from a dump (which
    decides whether its voice cloning is public); None for what orjson cannot write."""
    data: Any = item.data
    if not isinstance(data, dict):
        return None
    try:
        return (b"d" if from_dump else b"c") + orjson.dumps(data)
    except orjson.JSONEncodeError:
        return None
