"""``Resolver``: the service's resolution rule, in process, over listings a client fetched.

A gateway resolves every request; asking the service each time would put it on the hot path.
A :class:`Resolver` is built from one ``type=all`` listing and the trait and alias maps of
each type (what :meth:`Resolver.fetch` asks for, revalidated and kept like every answer), and
answers with :func:`modelcatalog.catalog.resolution.resolve`, the very function behind
``GET /models/resolve``, so both answer alike for every id, trait and alias.

One difference follows from what listings hold: a removed model is in no listing, so a removed
id is unknown to a Resolver (``ModelNotFound``) where the service remaps it (``autoRemap``) or
answers 410. Ask :meth:`Catalog.resolve <modelcatalog.client.Catalog.resolve>` for names the
Resolver does not know, when it matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from modelcatalog.catalog.resolution import Candidate, Index, resolve
from modelcatalog.client._core import Call
from modelcatalog.client.catalog import AsyncCatalog, Catalog
from modelcatalog.client.models import Resolved
from modelcatalog.spec.record import MODEL_TYPES

__all__ = ["Resolver"]


class Resolver:
    """Resolves names in process. ``records`` is a ``type=all`` listing's ``data``; ``traits``
    and ``aliases`` map each type to its served map; ``at`` is the instant deprecation warnings
    are judged at (default: now, when the resolver is built)."""

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]],
        traits: Mapping[str, Mapping[str, str]],
        aliases: Mapping[str, Mapping[str, str]],
        at: datetime | None = None,
    ) -> None:
        instant = at or datetime.now(UTC)
        self.records = {str(r.get("id")): r for r in records}
        candidates = (Candidate.of(r, instant, _replacement(r)) for r in self.records.values())
        self.index = Index.of(candidates, traits, aliases)
        self._answers: dict[tuple[str, str | None], Resolved] = {}

    @classmethod
    def fetch(cls, catalog: Catalog, at: datetime | None = None) -> Resolver:
        """A resolver over what ``catalog``'s service lists now (or its kept copies)."""
        listing = catalog.raw(_listing())
        traits = {t: catalog.raw(_map("traits", t))["data"] for t in MODEL_TYPES}
        aliases = {t: catalog.raw(_map("compatibility_mapping", t))["data"] for t in MODEL_TYPES}
        return cls(listing["data"], traits, aliases, at)

    @classmethod
    async def fetch_async(cls, catalog: AsyncCatalog, at: datetime | None = None) -> Resolver:
        """:meth:`fetch` for an :class:`AsyncCatalog`."""
        listing = await catalog.raw(_listing())
        traits = {t: (await catalog.raw(_map("traits", t)))["data"] for t in MODEL_TYPES}
        aliases = {
            t: (await catalog.raw(_map("compatibility_mapping", t)))["data"] for t in MODEL_TYPES
        }
        return cls(listing["data"], traits, aliases, at)

    def resolve(self, name: str, type: str | None = None) -> Resolved:
        """As ``GET /models/resolve?model=name[&type=type]``; raises ``ModelNotFound`` (with
        suggestions) for a name no step knows."""
        key = (name, type)
        answer = self._answers.get(key)
        if answer is None:
            found = resolve(self.index, name, type)  # an unknown name raises: never kept
            answer = Resolved.model_validate(found.as_json(self.records[found.model_id]))
            # Bounded by what resolves: ids, traits and aliases, each with or without a type.
            self._answers[key] = answer
        return answer


def _listing() -> Call:
    return Call("GET", "/models", (("type", "all"),))


def _map(route: str, model_type: str) -> Call:
    return Call("GET", f"/models/{route}", (("type", model_type),))


def _replacement(record: Mapping[str, Any]) -> str | None:
    # A listing names a successor only to callers who may see it: what it names is visible.
    spec = record.get("model_spec")
    deprecation = spec.get("deprecation") if isinstance(spec, Mapping) else None
    value = deprecation.get("replacementModelId") if isinstance(deprecation, Mapping) else None
    return value if isinstance(value, str) and value else None
