"""Filter, search, sort and count the models one caller sees: the catalog browser's queries.

The rows come from a :class:`~modelcatalog.catalog.views.ViewSet` (``listed``: what the JSON
listing of ``?type=all`` holds for the audience, in catalog order), so a page shows exactly
the models the API lists to the same caller. Each row is read once per view set and audience
visibility; a query is then a pass over plain attributes.

Facets: ``type`` (any of), ``capability`` (all of), ``privacy``, ``quantization``, ``beta``
and ``deprecated``; counts per facet value are taken over the models that match every *other*
facet and the search, so a count says how many models choosing that value would show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from modelcatalog.catalog.snapshot import CatalogModel
from modelcatalog.catalog.views import Audience, ViewSet

__all__ = [
    "CAPABILITIES",
    "SORTS",
    "CatalogQuery",
    "Facets",
    "ModelRow",
    "QueryResult",
    "rows_of",
    "run_query",
]

#: Capability filter value -> (``model_spec.capabilities`` key, label).
CAPABILITIES: Mapping[str, tuple[str, str]] = {
    "vision": ("supportsVision", "Vision"),
    "function-calling": ("supportsFunctionCalling", "Function calling"),
    "reasoning": ("supportsReasoning", "Reasoning"),
    "reasoning-effort": ("supportsReasoningEffort", "Reasoning effort"),
    "code": ("optimizedForCode", "Optimized for code"),
    "web-search": ("supportsWebSearch", "Web search"),
    "x-search": ("supportsXSearch", "X search"),
    "response-schema": ("supportsResponseSchema", "Response schema"),
    "multiple-images": ("supportsMultipleImages", "Multiple images"),
    "audio-input": ("supportsAudioInput", "Audio input"),
    "video-input": ("supportsVideoInput", "Video input"),
    "logprobs": ("supportsLogProbs", "Log probabilities"),
    "e2ee": ("supportsE2EE", "End-to-end encryption"),
    "tee": ("supportsTeeAttestation", "TEE attestation"),
}

#: Sort value -> label; a leading ``-`` sorts descending. Models without the key sort last.
SORTS: Mapping[str, str] = {
    "catalog": "Catalog order",
    "name": "Name",
    "input-price": "Input price, lowest first",
    "-input-price": "Input price, highest first",
    "output-price": "Output price, lowest first",
    "-output-price": "Output price, highest first",
    "context": "Context length, smallest first",
    "-context": "Context length, largest first",
    "created": "Created, oldest first",
    "-created": "Created, newest first",
}


@dataclass(frozen=True, slots=True)
class ModelRow:
    """What the queries read of one model, taken from its served record once."""

    model: CatalogModel
    record: Mapping[str, Any]
    name: str
    capabilities: frozenset[str]
    privacy: str | None
    quantization: str | None
    beta: bool
    deprecated: bool
    input_price: float | None
    output_price: float | None
    context: float | None
    created: float | None
    #: Casefolded id, name, description, traits and the aliases that lead to the model.
    haystack: str

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def type(self) -> str:
        return self.model.type


@dataclass(frozen=True, slots=True)
class CatalogQuery:
    """A filtered, searched and sorted view of the catalog; empty filters match everything."""

    types: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    privacy: str | None = None
    quantization: str | None = None
    beta: bool | None = None
    deprecated: bool | None = None
    search: str = ""
    sort: str = "catalog"


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts per facet value (see the module docstring)."""

    types: Mapping[str, int] = field(default_factory=dict)
    capabilities: Mapping[str, int] = field(default_factory=dict)
    privacy: Mapping[str, int] = field(default_factory=dict)
    quantization: Mapping[str, int] = field(default_factory=dict)
    beta: Mapping[bool, int] = field(default_factory=dict)
    deprecated: Mapping[bool, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueryResult:
    rows: tuple[ModelRow, ...]
    facets: Facets
    #: Models the caller sees before any filter.
    total: int


K = TypeVar("K")

_ROWS: WeakKeyDictionary[ViewSet, dict[bool, tuple[ModelRow, ...]]] = WeakKeyDictionary()


def rows_of(views: ViewSet, audience: Audience) -> tuple[ModelRow, ...]:
    """The rows of every model ``views`` lists to ``audience`` (``?type=all``), kept per view."""
    kept = _ROWS.setdefault(views, {})
    found = kept.get(audience.sees_beta)
    if found is None:
        found = kept[audience.sees_beta] = _build_rows(views, audience)
    return found


def _build_rows(views: ViewSet, audience: Audience) -> tuple[ModelRow, ...]:
    aliases: dict[str, list[str]] = {}
    for by_name in views.resolution_index(audience).aliases.values():
        for alias, target in by_name.items():
            aliases.setdefault(target, []).append(alias)
    return tuple(
        _row(views, model, views.record(audience, model), aliases.get(model.id, ()))
        for model in views.listed(audience, "all")
    )


def _row(
    views: ViewSet, model: CatalogModel, record: Mapping[str, Any], aliases: Iterable[str]
) -> ModelRow:
    spec = _dict(record.get("model_spec"))
    capabilities = _dict(spec.get("capabilities"))
    pricing = _dict(spec.get("pricing"))
    traits = [t for t in spec.get("traits") or () if isinstance(t, str)]
    name = spec.get("name") if isinstance(spec.get("name"), str) else model.id
    description = spec.get("description") if isinstance(spec.get("description"), str) else ""
    words = [model.id, str(name), str(description), *traits, *aliases]
    quantization = capabilities.get("quantization")
    return ModelRow(
        model=model,
        record=record,
        name=str(name),
        capabilities=frozenset(
            value for value, (key, _) in CAPABILITIES.items() if capabilities.get(key) is True
        ),
        privacy=spec.get("privacy") if isinstance(spec.get("privacy"), str) else None,
        quantization=quantization if isinstance(quantization, str) else None,
        beta=spec.get("beta") is True,
        deprecated=views.lifecycles.by_id[model.id].is_deprecated(views.at),
        input_price=_number(_dict(pricing.get("input")).get("usd")),
        output_price=_number(_dict(pricing.get("output")).get("usd")),
        context=_number(spec.get("availableContextTokens")),
        created=_number(record.get("created")),
        haystack="\n".join(words).casefold(),
    )


def run_query(rows: tuple[ModelRow, ...], query: CatalogQuery) -> QueryResult:
    """The rows ``query`` selects, sorted, and the counts of every facet value."""
    terms = query.search.casefold().split()
    searched = [r for r in rows if all(t in r.haystack for t in terms)] if terms else list(rows)
    selected = tuple(r for r in searched if _matches(r, query))
    facets = Facets(
        types=_count(searched, replace(query, types=frozenset()), lambda r: (r.type,)),
        capabilities=_count(selected, query, lambda r: r.capabilities),
        privacy=_count(searched, replace(query, privacy=None), lambda r: _present(r.privacy)),
        quantization=_count(
            searched, replace(query, quantization=None), lambda r: _present(r.quantization)
        ),
        beta=_count(searched, replace(query, beta=None), lambda r: (r.beta,)),
        deprecated=_count(searched, replace(query, deprecated=None), lambda r: (r.deprecated,)),
    )
    return QueryResult(_sorted(selected, query.sort), facets, len(rows))


def _matches(row: ModelRow, query: CatalogQuery) -> bool:
    return (
        (not query.types or row.type in query.types)
        and query.capabilities <= row.capabilities
        and (query.privacy is None or row.privacy == query.privacy)
        and (query.quantization is None or row.quantization == query.quantization)
        and (query.beta is None or row.beta is query.beta)
        and (query.deprecated is None or row.deprecated is query.deprecated)
    )


def _count(
    rows: Iterable[ModelRow], query: CatalogQuery, values: Callable[[ModelRow], Iterable[K]]
) -> dict[K, int]:
    counts: dict[K, int] = {}
    for row in rows:
        if _matches(row, query):
            for value in values(row):
                counts[value] = counts.get(value, 0) + 1
    return counts


def _sorted(rows: tuple[ModelRow, ...], sort: str) -> tuple[ModelRow, ...]:
    key = sort.removeprefix("-")
    if key == "catalog":
        return rows
    if key == "name":
        return tuple(sorted(rows, key=lambda r: (r.name.casefold(), r.id)))
    attribute = {
        "input-price": "input_price",
        "output-price": "output_price",
        "context": "context",
        "created": "created",
    }[key]
    sign = -1 if sort.startswith("-") else 1
    known = [r for r in rows if getattr(r, attribute) is not None]
    unknown = [r for r in rows if getattr(r, attribute) is None]
    # A stable sort on the value alone keeps catalog order among equal values.
    known.sort(key=lambda r: sign * getattr(r, attribute))
    return (*known, *unknown)


def _present(value: str | None) -> tuple[str, ...]:
    return () if value is None else (value,)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
