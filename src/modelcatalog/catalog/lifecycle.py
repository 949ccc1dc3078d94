"""When a model is deprecated and when it leaves the listing, and how long a listing holds.

A model's lifecycle comes from ``model_spec.deprecation``:

- **removed** from ``removesAt`` on; an older record that carries only the legacy ``date`` is
  removed from ``date`` on (the live API used ``date`` as the sunset instant before it had
  ``removesAt``).
- **deprecated** (still listed, with warnings) from ``startsAt`` on, or as soon as the record
  carries a deprecation without ``startsAt``.

Listings only change at those instants, so a set of views stays valid for the whole
:class:`Window` between two of them. The clock is a plain callable so that tests and previews
can ask what the catalog looks like at any instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from modelcatalog.catalog.snapshot import CatalogModel
from modelcatalog.instants import as_utc, try_instant

__all__ = [
    "Clock",
    "Lifecycle",
    "Window",
    "frozen_clock",
    "lifecycle_of",
    "next_boundary",
    "parse_instant",
    "system_clock",
    "window_at",
    "wire_lifecycle",
]

#: Returns the current instant (timezone-aware).
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def frozen_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (``modelcatalog serve --now``)."""
    fixed = as_utc(at)
    return lambda: fixed


def parse_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant or date from a record; ``None`` when absent or unreadable.

    A bare date means midnight UTC. Validation reports unreadable dates; here they are
    treated as absent so one bad record (or one at the edge of the calendar) cannot take the
    listing down.
    """
    return try_instant(text) if text else None


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The lifecycle instants of one model, parsed once."""

    deprecated_from: datetime | None
    removed_from: datetime | None
    #: The removal instant as the record spells it (served in headers and 410 bodies).
    removal_text: str | None
    replacement: str | None
    has_deprecation: bool

    def is_removed(self, at: datetime) -> bool:
        return self.removed_from is not None and at >= self.removed_from

    def is_deprecated(self, at: datetime) -> bool:
        """Deprecated and still listed at ``at``."""
        if not self.has_deprecation or self.is_removed(at):
            return False
        return self.deprecated_from is None or at >= self.deprecated_from

    def instants(self) -> Iterable[datetime]:
        return (i for i in (self.deprecated_from, self.removed_from) if i is not None)


_NO_LIFECYCLE = Lifecycle(None, None, None, None, has_deprecation=False)


def lifecycle_of(model: CatalogModel) -> Lifecycle:
    return wire_lifecycle(model.wire)


def wire_lifecycle(wire: Any) -> Lifecycle:
    """The lifecycle of a record as served (a listing entry read by a client, say)."""
    deprecation = _deprecation(wire)
    if deprecation is None:
        return _NO_LIFECYCLE
    removal_text = _text(deprecation.get("removesAt")) or _text(deprecation.get("date"))
    return Lifecycle(
        deprecated_from=parse_instant(_text(deprecation.get("startsAt"))),
        removed_from=parse_instant(removal_text),
        removal_text=removal_text,
        replacement=_text(deprecation.get("replacementModelId")),
        has_deprecation=True,
    )


def _deprecation(wire: Any) -> dict[str, Any] | None:
    spec = wire.get("model_spec")
    deprecation = spec.get("deprecation") if isinstance(spec, dict) else None
    return deprecation if isinstance(deprecation, dict) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time in which no listing changes: ``start <= t < end`` (``None``: unbounded)."""

    start: datetime | None
    end: datetime | None

    def contains(self, at: datetime) -> bool:
        after_start = self.start is None or at >= self.start
        return after_start and (self.end is None or at < self.end)

    def seconds_left(self, at: datetime) -> float | None:
        return None if self.end is None else (self.end - at).total_seconds()


def next_boundary(lifecycles: Iterable[Lifecycle], after: datetime) -> datetime | None:
    """The first lifecycle instant strictly after ``after``, or ``None`` when none is left."""
    later = [i for lc in lifecycles for i in lc.instants() if i > after]
    return min(later, default=None)


def window_at(lifecycles: Iterable[Lifecycle], at: datetime) -> Window:
    """The window of time around ``at`` in which no model changes lifecycle state."""
    instants = [i for lc in lifecycles for i in lc.instants()]
    start = max((i for i in instants if i <= at), default=None)
    end = min((i for i in instants if i > at), default=None)
    return Window(start, end)
