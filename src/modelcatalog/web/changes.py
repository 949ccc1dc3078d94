"""The catalog's versions as a changelog, as one caller may see them.

Each version is compared with the one before it through the records as served to the caller
(:meth:`~modelcatalog.catalog.views.ViewSet.record`, the JSON of ``GET /models/{id}``): a beta
model is absent for a caller without a beta key (its release reads ``added``), a staff-only
voice cloning is left out, and a replacement the caller may not see is not named. Field
differences come from :func:`modelcatalog.store.diff.field_changes`, the store's own diff.

Changes of a version are immutable, so they are computed once per (version, visibility) and
kept (a bounded number). Version messages and authors are not shown: they are written by
admins and may name what a caller may not see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from modelcatalog.catalog.views import Audience, SnapshotLifecycles, ViewSet
from modelcatalog.store import Store
from modelcatalog.store.diff import FieldChange, field_changes
from modelcatalog.store.store import VersionInfo

__all__ = ["Changelog", "ModelEntry", "VersionChanges"]

PRICING = "model_spec.pricing"
DEPRECATION = "model_spec.deprecation"
_KEPT = 512
#: Ids listed per kind for one version; a seed version of thousands says how many more.
MAX_LISTED = 100


@dataclass(frozen=True, slots=True)
class ModelEntry:
    id: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionChanges:
    version: int
    created_at: datetime
    first: bool
    added: tuple[ModelEntry, ...] = ()
    removed: tuple[ModelEntry, ...] = ()
    repriced: tuple[ModelEntry, ...] = ()
    deprecated: tuple[ModelEntry, ...] = ()
    changed: tuple[ModelEntry, ...] = ()
    #: How many models a kind had beyond the ones listed, by kind.
    more: Mapping[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.repriced or self.deprecated or self.changed)

    def counts(self) -> dict[str, int]:
        kinds = ("added", "removed", "repriced", "deprecated", "changed")
        found = {k: len(getattr(self, k)) + self.more.get(k, 0) for k in kinds}
        return {k: n for k, n in found.items() if n}

    def summary(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.counts().items()) or "no changes"


class Changelog:
    """Pages of versions, newest first, with each version's changes for one caller."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: OrderedDict[tuple[int, bool, bool], VersionChanges] = OrderedDict()
        self._lock = threading.Lock()

    def page(
        self, audience: Audience, limit: int, before: int | None = None
    ) -> tuple[list[VersionChanges], int | None]:
        """Up to ``limit`` versions below ``before`` and the ``before`` of the next page."""
        infos = self.store.versions(limit=limit + 1, before=before)
        shown = [
            self.changes(audience, info, infos[i + 1] if i + 1 < len(infos) else None)
            for i, info in enumerate(infos[:limit])
        ]
        following = infos[limit - 1].id if len(infos) > limit else None
        return shown, following

    def changes(
        self, audience: Audience, info: VersionInfo, previous: VersionInfo | None
    ) -> VersionChanges:
        if previous is None and info.id > 1:
            older = self.store.versions(limit=1, before=info.id)
            previous = older[0] if older else None
        key = (info.id, audience.sees_beta, audience.sees_private_voice_cloning)
        with self._lock:
            found = self._kept.get(key)
        if found is None:
            found = self._compute(audience, info, previous)
            with self._lock:
                self._kept[key] = found
                while len(self._kept) > _KEPT:
                    self._kept.popitem(last=False)
        return found

    def _records(self, audience: Audience, version: int) -> dict[str, Mapping[str, Any]]:
        snapshot = self.store.snapshot(version)
        # Which models a caller sees and how their records read do not depend on the instant.
        views = ViewSet(SnapshotLifecycles(snapshot), datetime.now(UTC))
        return {m.id: views.record(audience, m) for m in views.visible(audience)}

    def _compute(
        self, audience: Audience, info: VersionInfo, previous: VersionInfo | None
    ) -> VersionChanges:
        after = self._records(audience, info.id)
        before = self._records(audience, previous.id) if previous is not None else {}
        kinds: dict[str, list[ModelEntry]] = {
            k: [] for k in ("added", "removed", "repriced", "deprecated", "changed")
        }
        kinds["added"] = [ModelEntry(i) for i in after if i not in before]
        kinds["removed"] = [ModelEntry(i) for i in before if i not in after]
        for model_id, record in after.items():
            if model_id in before:
                _classify(model_id, list(field_changes(before[model_id], record)), kinds)
        more = {k: max(0, len(v) - MAX_LISTED) for k, v in kinds.items()}
        listed = {k: tuple(v[:MAX_LISTED]) for k, v in kinds.items()}
        return VersionChanges(
            info.id,
            info.created_at,
            previous is None,
            **listed,
            more={k: n for k, n in more.items() if n},
        )


def _classify(model_id: str, fields: list[FieldChange], kinds: dict[str, list[ModelEntry]]) -> None:
    def under(prefix: str) -> tuple[FieldChange, ...]:
        return tuple(f for f in fields if f.path == prefix or f.path.startswith(prefix + "."))

    prices, deprecation = under(PRICING), under(DEPRECATION)
    rest = tuple(f for f in fields if f not in prices and f not in deprecation)
    for kind, found in (("repriced", prices), ("deprecated", deprecation), ("changed", rest)):
        if found:
            kinds[kind].append(ModelEntry(model_id, found))
