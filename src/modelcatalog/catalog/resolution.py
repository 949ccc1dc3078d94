"""Resolution: which model serves a requested name, by the one rule every route and client uses.

A gateway is asked for ``gpt-4o``, ``default``, a deprecated id or an id in the wrong case. The
rule, over what one caller may see (an :class:`Index`), in this order:

1. **id**: a model of that exact id (case-sensitive), of any type unless a type is asked for;
2. **trait**: the model that holds that trait among models of the type (default ``text``);
3. **alias**: the model a compatibility alias of the type names;
4. **remap**: a removed model whose deprecation has ``autoRemap`` and a replacement the caller
   may see, followed from replacement to replacement until a listed model is reached.

A removed model met without ``autoRemap`` (or without a successor the caller may see) is
:class:`~modelcatalog.errors.ModelRemoved`; a name that none of the steps knows is
:class:`~modelcatalog.errors.ModelNotFound` with up to five close ids the caller may see
(the same id in another case first, then the nearest by edit distance). Traits and aliases
count only where their target is listed to the caller, as in the trait and alias maps.

The module is pure: the service builds an :class:`Index` per view (``ViewSet.resolution``),
and :class:`modelcatalog.client.Resolver` builds one from the listings it fetched, so both
answer alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from modelcatalog.catalog.lifecycle import wire_lifecycle
from modelcatalog.errors import ModelNotFound, ModelRemoved

__all__ = [
    "Candidate",
    "Index",
    "Resolution",
    "Step",
    "close_ids",
    "resolve",
]

DEFAULT_TYPE = "text"
_SUGGESTIONS = 5
#: Longer names are not compared by edit distance: nothing that long is a typo of an id.
_LONGEST_COMPARED = 256


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the rule knows of one model the caller may see, at one instant."""

    id: str
    type: str
    removed: bool
    deprecated: bool
    auto_remap: bool
    #: The removal instant as the record spells it.
    removes_at: str | None
    #: The successor the caller may be told of (never a model hidden from it).
    replacement: str | None

    @classmethod
    def of(cls, wire: Mapping[str, Any], at: datetime, replacement: str | None) -> Candidate:
        """A model from its served record; ``replacement`` as the caller may see it."""
        lifecycle = wire_lifecycle(wire)
        spec = wire.get("model_spec")
        deprecation = spec.get("deprecation") if isinstance(spec, dict) else None
        auto = isinstance(deprecation, dict) and deprecation.get("autoRemap") is True
        return cls(
            id=str(wire.get("id")),
            type=str(wire.get("type")),
            removed=lifecycle.is_removed(at),
            deprecated=lifecycle.is_deprecated(at),
            auto_remap=auto,
            removes_at=lifecycle.removal_text,
            replacement=replacement,
        )


@dataclass(frozen=True, slots=True)
class Index:
    """Everything one caller may resolve: its models (removed ones too), traits and aliases.

    ``traits`` and ``aliases`` map a type to its served map (name -> listed model id).
    """

    models: Mapping[str, Candidate]
    traits: Mapping[str, Mapping[str, str]]
    aliases: Mapping[str, Mapping[str, str]]

    @classmethod
    def of(
        cls,
        candidates: Iterable[Candidate],
        traits: Mapping[str, Mapping[str, str]],
        aliases: Mapping[str, Mapping[str, str]],
    ) -> Index:
        return cls({c.id: c for c in candidates}, traits, aliases)


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a resolution: ``kind`` is ``id``, ``trait``, ``alias`` or ``remap``."""

    kind: str
    source: str
    target: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "from": self.source, "to": self.target}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The model that serves ``requested`` and how it was reached."""

    requested: str
    model: Candidate
    via: tuple[Step, ...]

    @property
    def model_id(self) -> str:
        return self.model.id

    @property
    def type(self) -> str:
        return self.model.type

    def warnings(self) -> list[dict[str, str]]:
        """``deprecated`` while the model that serves the name is deprecated."""
        if not self.model.deprecated:
            return []
        warning = {"code": "deprecated"}
        if self.model.removes_at:
            warning["removesAt"] = self.model.removes_at
        if self.model.replacement:
            warning["replacementModelId"] = self.model.replacement
        return [warning]

    def as_json(self, record: Any) -> dict[str, Any]:
        """The response, with ``record`` (the model as served to the caller) as ``model``."""
        return {
            "object": "model.resolution",
            "requested": self.requested,
            "type": self.type,
            "model": record,
            "via": [step.as_json() for step in self.via],
            "warnings": self.warnings(),
        }


def resolve(index: Index, name: str, model_type: str | None = None) -> Resolution:
    """Resolve ``name`` for the caller ``index`` describes; ``model_type`` restricts the
    exact-id step to that type and selects the trait and alias maps (default ``text``).

    Raises :class:`ModelNotFound` (with suggestions) or :class:`ModelRemoved`.
    """
    maps_type = model_type or DEFAULT_TYPE
    found = index.models.get(name)
    if found is not None and (model_type is None or found.type == model_type):
        if found.removed:
            return _remap(index, name, found)
        return Resolution(name, found, (Step("id", name, name),))
    for kind, maps in (("trait", index.traits), ("alias", index.aliases)):
        target = maps.get(maps_type, {}).get(name)
        if target is not None and target in index.models:
            return Resolution(name, index.models[target], (Step(kind, name, target),))
    raise ModelNotFound(name, close_ids(index, name, model_type))


def _remap(index: Index, name: str, model: Candidate) -> Resolution:
    """Follow ``autoRemap`` replacements from a removed model to a listed one."""
    steps: list[Step] = []
    seen = {model.id}
    while model.removed:
        successor = index.models.get(model.replacement or "")
        if not model.auto_remap or successor is None or successor.id in seen:
            raise ModelRemoved(model.id, model.removes_at or "", model.replacement)
        steps.append(Step("remap", model.id, successor.id))
        seen.add(successor.id)
        model = successor
    return Resolution(name, model, tuple(steps))


def close_ids(index: Index, name: str, model_type: str | None = None) -> list[str]:
    """Up to five listed ids the caller may see that are close to ``name``: equal ignoring
    case first, then by edit distance (at most a third of the name, at least 2), then by id."""
    listed = [
        c.id
        for c in index.models.values()
        if not c.removed and (model_type is None or c.type == model_type)
    ]
    folded = name.casefold()
    same_case = sorted(i for i in listed if i.casefold() == folded)
    if len(name) > _LONGEST_COMPARED:
        return same_case[:_SUGGESTIONS]
    limit = max(2, len(name) // 3)
    scored = []
    for model_id in listed:
        if model_id in same_case or abs(len(model_id) - len(name)) > limit:
            continue
        distance = _distance(folded, model_id.casefold(), limit)
        if distance <= limit:
            scored.append((distance, model_id))
    return (same_case + [i for _, i in sorted(scored)])[:_SUGGESTIONS]


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it must exceed ``limit``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = 0 if char == other else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
