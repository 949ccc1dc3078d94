"""Semantic rules: what the OpenAPI cannot express, per record and across the catalog.

A rule is a generator registered with :func:`record_rule` or :func:`catalog_rule`; it yields
``Problem`` s and never raises. Its severity follows the mode (a warning in compatible mode,
an error in strict mode) unless it is registered ``always_error`` -- for the few problems that
make a catalog impossible to serve at all, such as two models with one id.

To add a rule: write a generator here, decorate it, and add a broken catalog file under
``tests/catalog/broken/`` that it rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from modelcatalog.catalog.findings import Origin
from modelcatalog.spec.record import ModelRecord

__all__ = [
    "CATALOG_RULES",
    "RECORD_RULES",
    "CatalogRule",
    "Entry",
    "Problem",
    "RecordRule",
    "catalog_rule",
    "record_rule",
]


@dataclass(frozen=True, slots=True)
class Entry:
    """A parsed record with where it came from and the JSON it was parsed from.

    ``data`` is what was read, unchanged; the spec models round-trip exactly, so it is also
    what the record dumps to, and serving it skips a costly re-serialisation.
    """

    origin: Origin
    record: ModelRecord[Any]
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule violation at ``path`` (dotted wire names) of a record."""

    path: str
    message: str
    #: The record it is in, for catalog rules; record rules leave it unset.
    origin: Origin | None = None


RecordCheck = Callable[[ModelRecord[Any]], Iterator[Problem]]
CatalogCheck = Callable[[Sequence[Entry], Sequence[Any]], Iterator[Problem]]


@dataclass(frozen=True, slots=True)
class RecordRule:
    name: str
    check: RecordCheck
    always_error: bool


@dataclass(frozen=True, slots=True)
class CatalogRule:
    name: str
    check: CatalogCheck
    always_error: bool


RECORD_RULES: list[RecordRule] = []
CATALOG_RULES: list[CatalogRule] = []


def record_rule(name: str, *, always_error: bool = False) -> Callable[[RecordCheck], RecordCheck]:
    """Register a check of one record."""

    def register(check: RecordCheck) -> RecordCheck:
        RECORD_RULES.append(RecordRule(name, check, always_error))
        return check

    return register


def catalog_rule(
    name: str, *, always_error: bool = False
) -> Callable[[CatalogCheck], CatalogCheck]:
    """Register a check across all records (and the alias entries)."""

    def register(check: CatalogCheck) -> CatalogCheck:
        CATALOG_RULES.append(CatalogRule(name, check, always_error))
        return check

    return register


@record_rule("identity", always_error=True)
def _has_id_and_type(record: ModelRecord[Any]) -> Iterator[Problem]:
    if not record.id:
        yield Problem("id", "a model needs a non-empty id")
    if not record.type:
        yield Problem("type", "a model needs a type")


@catalog_rule("unique-id", always_error=True)
def _unique_ids(entries: Sequence[Entry], aliases: Sequence[Any]) -> Iterator[Problem]:
    first_seen: dict[str, Origin] = {}
    for entry in entries:
        model_id = entry.record.id
        if not model_id:
            continue
        if model_id in first_seen:
            yield Problem(
                "id",
                f"duplicate id {model_id!r}, first defined at {first_seen[model_id].at()}",
                entry.origin,
            )
        else:
            first_seen[model_id] = entry.origin
