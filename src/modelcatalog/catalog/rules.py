"""Semantic rules: what the OpenAPI cannot express, per record and across the catalog.

This module is the one registry; the rules themselves live in
:mod:`modelcatalog.catalog.record_rules` and :mod:`modelcatalog.catalog.pricing_rules` (one
record at a time) and :mod:`modelcatalog.catalog.catalog_rules` (across records and aliases),
all imported at the end of this module so that importing the registry gives every rule.

A rule is a generator registered with :func:`record_rule` or :func:`catalog_rule`; it yields
``Problem`` s and never raises. Its severity follows the mode (a warning in compatible mode,
an error in strict mode) unless it is registered ``always_error`` -- for the few problems that
make a catalog impossible to serve at all, such as two models with one id.

To add a rule: write a generator here, decorate it, and add a broken catalog file under
``tests/catalog/broken/`` that it rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from modelcatalog.catalog.findings import Origin
from modelcatalog.catalog.sources import AliasEntry
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
    "record_rules_for",
    "rule_names",
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
    #: ``<type>/<id>`` as spelled by the file's place in a catalog directory; None otherwise.
    placement: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule violation at ``path`` (dotted wire names) of a record."""

    path: str
    message: str
    #: The record it is in, for catalog rules; record rules leave it unset.
    origin: Origin | None = None


RecordCheck = Callable[[ModelRecord[Any]], Iterator[Problem]]
CatalogCheck = Callable[[Sequence[Entry], Sequence[AliasEntry]], Iterator[Problem]]


@dataclass(frozen=True, slots=True)
class RecordRule:
    name: str
    check: RecordCheck
    always_error: bool
    #: The model types whose fields the rule reads; None for every type (unknown ones too).
    types: frozenset[str] | None = None

    def applies_to(self, model_type: str | None) -> bool:
        return self.types is None or model_type in self.types

    @property
    def summary(self) -> str:
        """What the rule checks: the first line of its docstring (shown in docs and --help)."""
        return _first_line(self.check.__doc__)


@dataclass(frozen=True, slots=True)
class CatalogRule:
    name: str
    check: CatalogCheck
    always_error: bool

    @property
    def summary(self) -> str:
        """What the rule checks: the first line of its docstring (shown in docs and --help)."""
        return _first_line(self.check.__doc__)


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n")[0].replace("\n", " ")


RECORD_RULES: list[RecordRule] = []
CATALOG_RULES: list[CatalogRule] = []


def record_rule(
    name: str, *, always_error: bool = False, types: Iterable[str] | None = None
) -> Callable[[RecordCheck], RecordCheck]:
    """Register a check of one record.

    ``types`` limits the rule to models of those types, for rules about fields that only those
    types have (another rule reports such a field on any other type). Validation then skips the
    rule for other models, which keeps a large catalog fast to check.
    """
    only = frozenset(types) if types is not None else None

    def register(check: RecordCheck) -> RecordCheck:
        _claim(name)
        RECORD_RULES.append(RecordRule(name, check, always_error, only))
        return check

    return register


def record_rules_for(model_type: str | None) -> tuple[RecordRule, ...]:
    """The record rules that apply to a model of ``model_type``."""
    return tuple(rule for rule in RECORD_RULES if rule.applies_to(model_type))


def catalog_rule(
    name: str, *, always_error: bool = False
) -> Callable[[CatalogCheck], CatalogCheck]:
    """Register a check across all records (and the alias entries)."""

    def register(check: CatalogCheck) -> CatalogCheck:
        _claim(name)
        CATALOG_RULES.append(CatalogRule(name, check, always_error))
        return check

    return register


def _claim(name: str) -> None:
    # A finding's ``rule`` names exactly one check, so operators can look it up in the docs.
    if name in rule_names():
        raise ValueError(f"rule {name!r} is registered twice")


def rule_names() -> list[str]:
    """Every registered rule name, record rules first, in registration order."""
    return [rule.name for rule in RECORD_RULES] + [rule.name for rule in CATALOG_RULES]


# The rule modules register themselves on import; they need the registry above first.
import modelcatalog.catalog.catalog_rules  # noqa: E402
import modelcatalog.catalog.pricing_rules  # noqa: E402
import modelcatalog.catalog.record_rules  # noqa: E402, F401
