"""Upstream sync: keep a catalog current with a LiteLLM price map or a Venice-compatible API
without ever losing an operator's work.

    from modelcatalog.sync import run_sync
    report = run_sync(store, settings.sync)          # every source, under the sync lock
    for source in report.sources:
        print(source.source, source.status, source.message)

fetch -> map (:mod:`modelcatalog.importers`) -> plan (:mod:`.plan`: merge with the catalog,
keep the operator's fields, deprecate what upstream dropped, apply the guardrails) -> one new
version, or a pending change set an admin approves or rejects (:mod:`.changesets`). Modules:
``paths`` (wire paths in records), ``overrides`` (the operator's fields and "upstream changed"
flags), ``plan``, ``ledger`` (which source supplies which model), ``changesets``, ``lock``
(one sync at a time), ``runner``, ``schedule`` (the interval ``serve`` runs it on).
"""

from modelcatalog.sync.runner import SourceReport, SyncReport, run_sync

__all__ = ["SourceReport", "SyncReport", "run_sync"]
