"""The last step of every importer: make mapped records valid for the catalog, or say why not.

Each mapped record is parsed as the catalog parses it. Keys the wire contract does not define
are dropped (and reported as lost, since strict mode refuses them). Required fields the source
did not state take the operator's default for that field (:mod:`.options`) and the record is
named in the report; without a default the whole import is refused naming the fields. Then the
records are checked with the catalog's own strict rules, and any record that still breaks one
is skipped with the rule as its reason, so what is returned can be committed as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from modelcatalog.catalog.findings import Mode, Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import ImportRefused
from modelcatalog.importers.numbers import json_number, scaled
from modelcatalog.importers.options import ImportOptions
from modelcatalog.importers.report import ImportResult, ReportBuilder
from modelcatalog.spec.base import SpecModel
from modelcatalog.spec.capabilities import TextCapabilities
from modelcatalog.spec.pricing import DurationTier, Price
from modelcatalog.spec.record import parse_record

__all__ = ["Candidate", "complete"]

_LABEL = "import"
_ANCHOR = re.compile(r"^import:#(\d+)")
#: How many record ids a refusal names per field before "and N more".
_SHOWN_IDS = 3


@dataclass(slots=True)
class Candidate:
    """A mapped record (``data``, changed in place) and the key of its source entry."""

    key: str
    data: dict[str, Any]


@dataclass(slots=True)
class _Needs:
    """Default field -> ids of the records that need it but were given none."""

    missing: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, model_id: str) -> None:
        ids = self.missing.setdefault(name, [])
        if not ids or ids[-1] != model_id:
            ids.append(model_id)


def complete(
    candidates: Sequence[Candidate], options: ImportOptions, report: ReportBuilder
) -> ImportResult:
    """Fill, check and keep the valid ``candidates``; raises ImportRefused for a missing
    default."""
    needs = _Needs()
    parsed: list[Candidate] = []
    for candidate in candidates:
        if _fill(candidate, options, report, needs):
            parsed.append(candidate)
    _check_owners(parsed, options)
    if needs.missing:
        raise _refusal(needs, options)
    kept = _strictly_valid(parsed, options, report)
    models = [c.data for c in kept]
    return ImportResult(models, report.build(models, {str(c.data["id"]): c.key for c in kept}))


def _fill(
    candidate: Candidate, options: ImportOptions, report: ReportBuilder, needs: _Needs
) -> bool:
    data = candidate.data
    data.setdefault("object", "model")  # the one value the contract allows: not an invention
    try:
        record = parse_record(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"][1:])
        report.skip(candidate.key, "invalid: type", f"{where}: {error['msg']}")
        return False
    model_id = str(data.get("id"))
    for path, model, values in _objects(record, data, ()):
        for key in model.model_extra or ():
            del values[key]
            report.lose(candidate.key, f"unknown key {'.'.join((*path, key))}")
        for name in _missing_defaults(model, values, options):
            if name in options.defaults:
                report.default(name, model_id)
            else:
                needs.add(name, model_id)
    return True


def _objects(
    model: SpecModel, values: dict[str, Any], path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], SpecModel, dict[str, Any]]]:
    """Every spec object of a record with the JSON object it was parsed from, outermost last
    (so that a caller may change an inner object before its parent is seen)."""
    fields = model.__dict__
    for name, info in type(model).model_fields.items():
        value, key = fields.get(name), info.alias or name
        if isinstance(value, SpecModel) and isinstance(values.get(key), dict):
            yield from _objects(value, values[key], (*path, key))
        elif isinstance(value, dict) and isinstance(values.get(key), dict):
            for table_key, item in value.items():
                if isinstance(item, SpecModel):
                    yield from _objects(item, values[key][table_key], (*path, key, table_key))
    yield path, model, values


def _missing_defaults(model: SpecModel, values: dict[str, Any], options: ImportOptions) -> set[str]:
    """Set the required keys of ``values`` that the operator's defaults cover; return the
    default fields this object needed (given or not)."""
    needed: set[str] = set()
    for key in model.REQUIRED:
        if key in values:
            continue
        name = _default_field(model, key)
        if name is None:
            continue  # not the operator's to give: the strict check reports it
        needed.add(name)
        value = _default_value(name, values, options)
        if value is not None:
            values[key] = value
    return needed


def _default_field(model: SpecModel, key: str) -> str | None:
    if key == "privacy":
        return "privacy"
    if isinstance(model, TextCapabilities):
        return "quantization" if key == "quantization" else "capabilities"
    if isinstance(model, Price | DurationTier) and key == "diem":
        return "diem"
    return None


def _default_value(name: str, values: dict[str, Any], options: ImportOptions) -> Any:
    given = options.defaults.get(name)
    if given is None:
        return None
    if name == "capabilities":
        return False
    if name == "diem":
        usd = values.get("usd")
        factor = options.diem_factor
        if factor is None or not isinstance(usd, int | float) or isinstance(usd, bool):
            return None
        return json_number(scaled(Decimal(repr(usd)), factor))
    return given


def _check_owners(candidates: list[Candidate], options: ImportOptions) -> None:
    """Refuse owners the catalog does not accept: it would otherwise skip every record."""
    refused = Counter(
        owner
        for c in candidates
        if isinstance(owner := c.data.get("owned_by"), str)
        and owner not in options.accepted_owned_by
    )
    if not refused:
        return
    shown = ", ".join(f"{owner} ({count} records)" for owner, count in refused.most_common(5))
    more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
    accepted = ", ".join(sorted(options.accepted_owned_by))
    raise ImportRefused(
        f"{options.source}: owned_by would be {shown}{more}, but the catalog accepts only "
        f"{accepted}; add them to the owned_by setting or give --owned-by one of those "
        "(see docs/import.md)",
        ["owned_by"],
    )


def _refusal(needs: _Needs, options: ImportOptions) -> ImportRefused:
    lines = []
    for name, ids in needs.missing.items():
        shown = ", ".join(ids[:_SHOWN_IDS])
        more = f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else ""
        lines.append(f"{name} ({len(ids)} records: {shown}{more})")
    hints = " ".join(f"--default {name}=..." for name in needs.missing)
    return ImportRefused(
        f"{options.source}: the source does not state these required fields and no default "
        f"was given: {'; '.join(lines)}; give {hints} (see docs/import.md) or import fewer "
        "entries",
        list(needs.missing),
    )


def _strictly_valid(
    candidates: list[Candidate], options: ImportOptions, report: ReportBuilder
) -> list[Candidate]:
    source = CatalogSource(
        records=[
            SourceRecord(Origin(_LABEL, f"#{index}"), c.data) for index, c in enumerate(candidates)
        ]
    )
    checked = check_catalog(source, Mode.STRICT, owned_by=options.accepted_owned_by)
    broken: dict[int, tuple[str, str]] = {}
    for finding in checked.errors:
        found = _ANCHOR.match(finding.location)
        if found is not None:
            detail = finding.location[found.end() :].lstrip(".") + ": " + finding.message
            broken.setdefault(int(found.group(1)), (finding.rule, detail))
    for index, (rule, detail) in sorted(broken.items()):
        report.skip(candidates[index].key, f"invalid: {rule}", detail)
    return [c for index, c in enumerate(candidates) if index not in broken]
