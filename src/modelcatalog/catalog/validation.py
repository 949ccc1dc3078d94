"""Parse and check a catalog source: the ``parse -> rules`` steps of the data flow.

:func:`check_catalog` never raises on bad data; it returns a :class:`CheckedCatalog` holding
what parsed and every finding. Callers that need a valid catalog call
:meth:`CheckedCatalog.raise_for_errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from modelcatalog.catalog.findings import Finding, Mode, Severity
from modelcatalog.catalog.rules import CATALOG_RULES, Entry, RecordRule, record_rules_for
from modelcatalog.catalog.sources import (
    AliasEntry,
    CatalogSource,
    SourceRecord,
    collection_paused,
)
from modelcatalog.catalog.structure import structure_findings, type_error_findings
from modelcatalog.errors import CatalogInvalid
from modelcatalog.spec.record import parse_record

__all__ = ["CheckedCatalog", "catalog_rule_findings", "check_catalog", "check_record"]


@dataclass(frozen=True, slots=True)
class CheckedCatalog:
    """The records that parsed, the aliases, and everything validation found."""

    mode: Mode
    entries: tuple[Entry, ...]
    aliases: tuple[AliasEntry, ...]
    findings: tuple[Finding, ...]
    from_dump: bool

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if not self.ok:
            raise CatalogInvalid(self.findings)


def check_catalog(
    source: CatalogSource, mode: Mode = Mode.COMPATIBLE, *, owned_by: frozenset[str] | None = None
) -> CheckedCatalog:
    """Parse every record of ``source`` and run every rule over the result.

    ``owned_by`` is what a record's ``owned_by`` may be (the ``owned_by`` setting); None keeps
    the wire contract's enum.
    """
    with collection_paused():
        return _check(source, mode, owned_by)


def _check(source: CatalogSource, mode: Mode, owned_by: frozenset[str] | None) -> CheckedCatalog:
    findings: list[Finding] = []
    entries: list[Entry] = []
    rules_by_type: dict[str | None, tuple[RecordRule, ...]] = {}
    for item in source.records:
        entry, found = check_record(item, mode, owned_by, rules_by_type)
        findings.extend(found)
        if entry is not None:
            entries.append(entry)
    findings.extend(catalog_rule_findings(entries, source.aliases, mode))
    return CheckedCatalog(
        mode, tuple(entries), tuple(source.aliases), tuple(findings), source.from_dump
    )


def check_record(
    item: SourceRecord,
    mode: Mode,
    owned_by: frozenset[str] | None,
    rules_by_type: dict[str | None, tuple[RecordRule, ...]],
) -> tuple[Entry | None, list[Finding]]:
    """Parse one record and run the structure checks and record rules over it.

    Returns the entry (None when it does not parse) and what was found in this record alone;
    ``rules_by_type`` memoizes the rules of each type across calls.
    """
    if not isinstance(item.data, dict):
        return None, [Finding(Severity.ERROR, item.origin.at(), "expected an object", "type")]
    try:
        record = parse_record(item.data)
    except ValidationError as exc:
        return None, type_error_findings(exc, item.origin)
    entry = Entry(item.origin, record, item.data, item.placement)
    findings = structure_findings(record, item.origin, mode, owned_by)
    kind = record.type
    rules = rules_by_type.get(kind)
    if rules is None:
        rules = rules_by_type[kind] = record_rules_for(kind)
    findings.extend(_record_rule_findings(entry, rules, mode))
    return entry, findings


def _severity(mode: Mode, always_error: bool) -> Severity:
    return Severity.ERROR if always_error or mode is Mode.STRICT else Severity.WARNING


def _record_rule_findings(entry: Entry, rules: Sequence[RecordRule], mode: Mode) -> list[Finding]:
    return [
        Finding(_severity(mode, rule.always_error), entry.origin.at(p.path), p.message, rule.name)
        for rule in rules
        for p in rule.check(entry.record)
    ]


def catalog_rule_findings(
    entries: Sequence[Entry], aliases: Sequence[AliasEntry], mode: Mode
) -> list[Finding]:
    """What the catalog rules (ids, replacements, traits, aliases across records) find."""
    findings = []
    for rule in CATALOG_RULES:
        for problem in rule.check(entries, aliases):
            assert problem.origin is not None, f"catalog rule {rule.name} must name the record"
            severity = _severity(mode, rule.always_error)
            findings.append(
                Finding(severity, problem.origin.at(problem.path), problem.message, rule.name)
            )
    return findings
