"""Importers: start a catalog from the catalogs that already exist.

Each source kind maps its document to Venice wire records that the catalog's strict rules
accept, and reports every entry it could not take whole (:mod:`.report`). One module per
kind: :mod:`.litellm` (LiteLLM's ``model_prices_and_context_window.json``) and :mod:`.venice`
(any ``GET /api/v1/models`` body); :mod:`.fetch` reads a source from a file or an http(s) URL.

    raw = read_source("https://example.com/api/v1/models", timeout=10)
    result = import_catalog("venice", raw, ImportOptions(defaults={"privacy": "anonymized"}))
    result.models        # the data[] items of a listing
    result.report.to_json()

Nothing here writes: the caller commits ``result.models`` (the CLI's ``import --from``, the
admin API's ``POST /admin/v1/import?from=``) like any other import.
"""

from __future__ import annotations

from collections.abc import Callable

from modelcatalog.catalog.sources import collection_paused
from modelcatalog.importers.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, read_source
from modelcatalog.importers.litellm import import_litellm
from modelcatalog.importers.options import (
    DEFAULT_FIELDS,
    SPEC_OWNED_BY,
    ImportOptions,
    parse_defaults,
)
from modelcatalog.importers.report import ImportReport, ImportResult, Lossy, Skipped
from modelcatalog.importers.venice import import_venice

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "IMPORTERS",
    "SPEC_OWNED_BY",
    "ImportOptions",
    "ImportReport",
    "ImportResult",
    "Lossy",
    "Skipped",
    "import_catalog",
    "parse_defaults",
    "read_source",
]

Importer = Callable[[bytes, ImportOptions], ImportResult]

#: Source kind (``--from``) -> its importer.
IMPORTERS: dict[str, Importer] = {"litellm": import_litellm, "venice": import_venice}


def import_catalog(kind: str, raw: bytes, options: ImportOptions) -> ImportResult:
    """Map the source document ``raw`` of ``kind`` to catalog records, with the report."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValueError(f"no importer for {kind!r}; one of {', '.join(IMPORTERS)}")
    with collection_paused():
        return importer(raw, options)
