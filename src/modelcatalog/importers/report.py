"""What an import did: how many records of each type, and every entry it did not take whole.

Nothing is dropped silently. An entry that is not imported is *skipped* with a reason (a short
category such as ``mode rerank`` or ``no mode``, counted by :meth:`ImportReport.by_reason`, and
a detail); an imported entry that lost information is *lossy* with what it lost; a record that
took an operator default is named under that default's field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImportReport", "ImportResult", "Lossy", "ReportBuilder", "Skipped"]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source entry that was not imported: ``key`` names it in the source."""

    key: str
    reason: str
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Lossy:
    """An imported entry whose source said more than the record holds: ``lost`` says what."""

    key: str
    lost: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "lost": list(self.lost)}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import, for the operator (``--json`` prints :meth:`to_json`)."""

    source: str
    kind: str
    #: Entries in the source, before filters.
    entries: int
    imported: int
    by_type: dict[str, int]
    #: Entries left out by ``--provider`` / ``--mode`` (asked for, so not listed one by one).
    filtered: int
    skipped: tuple[Skipped, ...]
    lossy: tuple[Lossy, ...]
    #: Default field -> the ids of the records that took the operator's value for it.
    defaulted: dict[str, tuple[str, ...]]
    #: Imported records without a price: quotes for them are refused, never priced at 0.
    price_unknown: tuple[str, ...] = ()

    def by_reason(self) -> dict[str, int]:
        """Skipped entries counted by reason, most frequent first."""
        return dict(Counter(s.reason for s in self.skipped).most_common())

    def lost_fields(self) -> dict[str, int]:
        """How many imported entries lost each piece of information, most frequent first."""
        return dict(Counter(item for entry in self.lossy for item in entry.lost).most_common())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "entries": self.entries,
            "imported": self.imported,
            "by_type": dict(sorted(self.by_type.items())),
            "filtered": self.filtered,
            "skipped_by_reason": self.by_reason(),
            "skipped": [s.as_json() for s in self.skipped],
            "lost_by_field": self.lost_fields(),
            "lossy": [entry.as_json() for entry in self.lossy],
            "defaulted": {name: list(ids) for name, ids in sorted(self.defaulted.items())},
            "price_unknown": list(self.price_unknown),
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Venice wire records (``data[]`` items of a listing), valid for the catalog's strict
    rules, and the report of how they were made."""

    models: list[dict[str, Any]]
    report: ImportReport

    @property
    def from_listing(self) -> bool:
        """Whether the records are a live ``/models`` listing's (public voice cloning, ...)."""
        return self.report.kind == "venice"


@dataclass(slots=True)
class ReportBuilder:
    """Collects what an importer notices while it maps entries."""

    source: str
    kind: str
    entries: int = 0
    filtered: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    lossy: dict[str, list[str]] = field(default_factory=dict)
    defaulted: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, key: str, reason: str, detail: str = "") -> None:
        self.skipped.append(Skipped(key, reason, detail))

    def lose(self, key: str, what: str) -> None:
        self.lossy.setdefault(key, []).append(what)

    def default(self, name: str, model_id: str) -> None:
        ids = self.defaulted.setdefault(name, [])
        if not ids or ids[-1] != model_id:
            ids.append(model_id)

    def build(self, models: list[dict[str, Any]], keys: dict[str, str]) -> ImportReport:
        """The report for ``models``; ``keys`` maps each model id to its source key, so that
        entries skipped after mapping lose their "lossy" line with them."""
        kept = set(keys.values())
        by_type = Counter(str(model["type"]) for model in models)
        unknown = [str(m["id"]) for m in models if "pricing" not in m.get("model_spec", {})]
        return ImportReport(
            source=self.source,
            kind=self.kind,
            entries=self.entries,
            imported=len(models),
            by_type=dict(by_type),
            filtered=self.filtered,
            skipped=tuple(self.skipped),
            lossy=tuple(Lossy(k, tuple(v)) for k, v in self.lossy.items() if k in kept),
            defaulted={
                name: tuple(i for i in ids if i in keys) for name, ids in self.defaulted.items()
            },
            price_unknown=tuple(unknown),
        )
