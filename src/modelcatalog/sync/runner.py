"""Run a sync: fetch -> map (importer) -> plan against the current catalog -> apply or hold.

Each source is synced on its own; a source that fails writes nothing and is reported, and the
others still run. An applied sync is one new version authored ``sync`` whose message names the
source (``sync litellm: 3 added, 12 changed, 1 deprecated, 4 price changes``). The whole run
holds the sync lock (:mod:`.lock`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import (
    CatalogInvalid,
    ImportRefused,
    InvalidSettings,
    ModelCatalogError,
    SourceError,
    UpstreamRefused,
    VersionConflict,
)
from modelcatalog.importers import ImportOptions, ImportReport, import_catalog, read_source
from modelcatalog.settings import SyncSettings, SyncSource
from modelcatalog.store.document import CatalogDocument
from modelcatalog.store.store import Store
from modelcatalog.sync.changesets import hold, supersede
from modelcatalog.sync.ledger import load_owners, record_sync
from modelcatalog.sync.lock import sync_lock
from modelcatalog.sync.overrides import load_overrides
from modelcatalog.sync.plan import Plan, plan_sync

__all__ = ["SYNC_AUTHOR", "SourceReport", "SyncReport", "chosen_sources", "run_sync"]

SYNC_AUTHOR = "sync"


@dataclass
class SourceReport:
    """What a sync did with one source. ``status``: applied, unchanged, held, failed, or
    planned (a dry run)."""

    source: str
    status: str
    message: str
    version: int | None = None
    change_set: int | None = None
    added: int = 0
    changed: int = 0
    deprecated: int = 0
    price_changes: int = 0
    held: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    import_report: dict[str, Any] | None = None
    diff: dict[str, Any] | None = None
    error: ModelCatalogError | None = None

    def as_json(self) -> dict[str, Any]:
        body = {
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "version": self.version,
            "change_set": self.change_set,
            "added": self.added,
            "changed": self.changed,
            "deprecated": self.deprecated,
            "price_changes": self.price_changes,
            "held": list(self.held),
            "flags": list(self.flags),
            "skipped": self.skipped,
            "import": self.import_report,
        }
        if self.diff is not None:
            body["diff"] = self.diff
        if self.error is not None:
            body["error"] = type(self.error).__name__
        return body


@dataclass
class SyncReport:
    sources: list[SourceReport]

    @property
    def failures(self) -> list[ModelCatalogError]:
        return [r.error for r in self.sources if r.error is not None]

    def as_json(self) -> dict[str, Any]:
        return {"sources": [r.as_json() for r in self.sources]}


AfterCommit = Callable[[], Any]


def run_sync(
    store: Store,
    settings: SyncSettings,
    *,
    only: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    accepted_owned_by: frozenset[str] | None = None,
    after_commit: AfterCommit | None = None,
) -> SyncReport:
    """Sync every configured source (or ``only`` that one) under the sync lock.

    Raises SyncLocked when another process is syncing, InvalidSettings for an unknown
    ``only`` or no source at all. Failures of one source are in its report.
    """
    sources = chosen_sources(settings.sources, only)
    reports = []
    with sync_lock(store):
        for source in sources:
            run = _SourceRun(store, settings, source, dry_run, accepted_owned_by)
            report = run.report(now or datetime.now(UTC))
            if report.version is not None and after_commit is not None:
                after_commit()
            reports.append(report)
    return SyncReport(reports)


def chosen_sources(sources: Sequence[SyncSource], only: str | None) -> list[SyncSource]:
    if not sources:
        raise InvalidSettings(["sync.sources is empty: configure a source (docs/sync.md)"])
    if only is None:
        return list(sources)
    found = [s for s in sources if s.name == only]
    if not found:
        names = ", ".join(s.name for s in sources)
        raise InvalidSettings([f"--source {only}: no such sync source; the sources are: {names}"])
    return found


@dataclass
class _SourceRun:
    store: Store
    settings: SyncSettings
    source: SyncSource
    dry_run: bool
    accepted_owned_by: frozenset[str] | None

    def report(self, now: datetime) -> SourceReport:
        name = self.source.name
        try:
            records, imported = self._fetch()
            plan = self._plan(records, imported, now)
            return self._finish(plan, imported)
        except (SourceError, ImportRefused, UpstreamRefused, CatalogInvalid) as exc:
            return SourceReport(name, "failed", f"nothing written: {_first_line(exc)}", error=exc)
        except VersionConflict as exc:
            message = f"nothing written: the catalog changed during the sync ({exc}); run again"
            return SourceReport(name, "failed", message, error=exc)

    def _fetch(self) -> tuple[list[dict[str, Any]], ImportReport]:
        raw = read_source(
            self.source.url, timeout=self.settings.timeout, max_bytes=self.settings.max_bytes
        )
        options = self._options()
        try:
            result = import_catalog(self.source.kind, raw, options)
        except ValueError as exc:  # a body that is not the kind's format
            raise UpstreamRefused(f"source {self.source.name}: {exc}") from exc
        # A listing's records say who sees voice cloning as an import of it would.
        mapped = CatalogDocument.from_records(result.models, from_dump=result.from_listing)
        return list(mapped.models), result.report

    def _options(self) -> ImportOptions:
        s = self.source
        accepted = self.accepted_owned_by
        extra = {} if accepted is None else {"accepted_owned_by": accepted}
        return ImportOptions(
            providers=None if s.providers is None else frozenset(s.providers),
            modes=None if s.modes is None else frozenset(s.modes),
            defaults=dict(s.defaults),
            owned_by=s.owned_by,
            source=s.name,
            **extra,
        )

    def _plan(self, records: list[dict[str, Any]], imported: ImportReport, now: datetime) -> Plan:
        info, current = self.store.document() if self.store.head() else (None, None)
        return plan_sync(
            self.source.name,
            records,
            current or CatalogDocument(),
            info.id if info is not None else 0,
            owners=load_owners(self.store),
            overrides=load_overrides(self.store),
            rules=self.settings.rules,
            now=now,
            unmapped=unmapped_ids(imported),
        )

    def _finish(self, plan: Plan, imported: ImportReport) -> SourceReport:
        report = SourceReport(
            plan.source,
            "planned",
            "",
            added=len(plan.delta.added),
            changed=len(plan.delta.changed),
            deprecated=len(plan.deprecated),
            price_changes=len(plan.delta.prices),
            held=plan.held,
            flags=tuple(u.flag.message for u in plan.flags if u.flag is not None),
            skipped=dict(plan.skipped),
            import_report=imported.to_json(),
        )
        if self.dry_run:
            report.diff = plan.delta.as_json()
            report.message = f"dry run: {plan.summary()}" + (
                " (would be held)" if plan.held else ""
            )
            return report
        if plan.held:
            return self._hold(plan, report)
        return self._apply(plan, report)

    def _hold(self, plan: Plan, report: SourceReport) -> SourceReport:
        # Held only if it could be applied: an admin approves a catalog, not a broken one.
        owners = self.store.owned_by
        check_catalog(plan.after.to_source(), Mode.STRICT, owned_by=owners).raise_for_errors()
        held = hold(self.store, plan)
        report.status, report.change_set = "held", held.id
        report.message = (
            f"held for an admin as change set {held.id} ({plan.summary()}): "
            + "; ".join(plan.held[:3])
            + (f"; and {len(plan.held) - 3} more" if len(plan.held) > 3 else "")
        )
        return report

    def _apply(self, plan: Plan, report: SourceReport) -> SourceReport:
        source = plan.source
        info = self.store.commit(
            lambda _current: plan.after,
            author=SYNC_AUTHOR,
            message=f"sync {source}: {plan.summary()}",
            expected=plan.base_version,
            # Nothing changed: the catalog is the one its last write checked strictly.
            validated=plan.delta.empty,
            after_write=record_sync(plan.bookkeeping, lambda conn, _w: supersede(conn, source)),
        )
        if plan.delta.empty:
            report.status, report.message = "unchanged", f"no change (version {info.id})"
            return report
        report.status, report.version = "applied", info.id
        report.message = f"version {info.id}: {plan.summary()}"
        return report


_LISTING_KEY = re.compile(r"^data\[\d+\]\((.+)\)$")


def unmapped_ids(report: ImportReport) -> dict[str, str]:
    """Model ids upstream lists that the importer left out, with why: a Venice listing's
    entries are named ``data[3](id)``, a LiteLLM map's by their key."""
    found: dict[str, str] = {}
    for skipped in report.skipped:
        named = _LISTING_KEY.match(skipped.key)
        found[named.group(1) if named else skipped.key] = skipped.reason
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
