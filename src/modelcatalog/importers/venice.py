"""Import a Venice-compatible ``GET /api/v1/models`` body: Venice itself or a service that
speaks its dialect (another modelcatalog, say).

The records are Venice's already, so nothing is mapped: ``--mode`` keeps the records of those
``type`` s, ``--provider`` those whose ``owned_by`` is one of the names given, and ``--owned-by``
replaces ``owned_by``. What the live API leaves out of a record that the contract requires
(``privacy`` in every ``type=all`` listing, the newer capability flags) takes the operator's
default, as for any source (:mod:`.complete`).
"""

from __future__ import annotations

from typing import Any

import orjson

from modelcatalog.errors import SourceError
from modelcatalog.importers.complete import Candidate, complete
from modelcatalog.importers.options import ImportOptions
from modelcatalog.importers.report import ImportResult, ReportBuilder

__all__ = ["import_venice"]


def import_venice(raw: bytes, options: ImportOptions) -> ImportResult:
    """The records of a Venice ``/models`` body (``{"data": [...]}`` or a bare list)."""
    items = _listing(raw, options.source)
    report = ReportBuilder(options.source, "venice", entries=len(items))
    candidates: list[Candidate] = []
    for index, item in enumerate(items):
        key = _key(item, index)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            report.skip(key, "not a model record", "expected an object with a string id")
        elif not _wanted(item, options):
            report.filtered += 1
        else:
            if options.owned_by is not None:
                item["owned_by"] = options.owned_by
            candidates.append(Candidate(key, item))
    return complete(candidates, options, report)


def _listing(raw: bytes, source: str) -> list[Any]:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{source}: not JSON: {exc}") from exc
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return list(document["data"])
    if isinstance(document, list):
        return document
    raise SourceError(
        f'{source}: not a Venice /api/v1/models body: expected {{"data": [...]}} or a list'
    )


def _key(item: Any, index: int) -> str:
    model_id = item.get("id") if isinstance(item, dict) else None
    return f"data[{index}]({model_id})" if isinstance(model_id, str) else f"data[{index}]"


def _wanted(item: dict[str, Any], options: ImportOptions) -> bool:
    if options.modes is not None and item.get("type") not in options.modes:
        return False
    return options.providers is None or item.get("owned_by") in options.providers
