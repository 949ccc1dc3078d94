"""Views: what one audience sees of one snapshot during one lifecycle window, as bytes.

A :class:`ViewSet` belongs to one snapshot and one :class:`~modelcatalog.catalog.lifecycle.Window`.
It serializes each (audience, route, type) body once, on first use, together with its ETag and
its gzip and brotli forms; the HTTP layer only picks bytes. Equal bodies (say, the anonymous
and the beta listing of a catalog without beta models) share one :class:`Encoded`.

Listing order is catalog order: the order of the records in a dump, or for a catalog
directory the order of its files (``<type>/<id>.yaml`` sorted by path). Trait and alias maps
are sorted by key. A model is a trait or alias target only where it is listed to the caller,
and a deprecated model names its ``replacementModelId`` (in its record, its warning header and
its 410) only to callers who may see that successor.
"""

from __future__ import annotations

import enum
import gzip
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar, cast

import brotli  # type: ignore[import-untyped]
import orjson

from modelcatalog.catalog.lifecycle import Lifecycle, Window, lifecycle_of, window_at
from modelcatalog.catalog.resolution import Candidate, Index, Resolution, resolve
from modelcatalog.catalog.snapshot import CatalogModel, CatalogSnapshot
from modelcatalog.errors import InvalidRequestParameters, ModelNotFound, ModelRemoved
from modelcatalog.spec.record import MODEL_TYPES

__all__ = [
    "LISTING_TYPES",
    "Audience",
    "Encoded",
    "ModelView",
    "ResolvedView",
    "SnapshotLifecycles",
    "ViewSet",
    "listing_type",
    "map_type",
]

#: Values of ``?type=`` on ``GET /models``: the nine model types, then ``all`` and ``code``.
LISTING_TYPES: tuple[str, ...] = (*MODEL_TYPES, "all", "code")
_DEFAULT_TYPE = "text"
#: Brotli is served only when it saves at least this share over gzip.
_BROTLI_MIN_SAVING = 0.05
#: Quality 6 is within 3 % of 9's size at a fifth of the time, which keeps swaps quick.
_BROTLI_QUALITY = 6
T = TypeVar("T")


class Audience(enum.Enum):
    """Who is asking. Anonymous and plain keys see the same catalog."""

    ANONYMOUS = "anonymous"
    KEY = "key"
    BETA = "beta"
    STAFF = "staff"

    # Members are singletons compared by identity; Enum's own __hash__ is a Python call that
    # hashes the name, a quarter of a microsecond on every prepared read's cache key.
    __hash__ = object.__hash__

    @property
    def sees_beta(self) -> bool:
        return self in (Audience.BETA, Audience.STAFF)

    @property
    def sees_private_voice_cloning(self) -> bool:
        return self is Audience.STAFF


@dataclass(frozen=True, slots=True)
class Encoded:
    """One response body in every encoding worth serving, with strong ETags."""

    identity: bytes
    gzip: bytes
    br: bytes | None
    digest: str

    @classmethod
    def of(cls, body: bytes) -> Encoded:
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        zipped = gzip.compress(body, compresslevel=9, mtime=0)
        squeezed = brotli.compress(body, quality=_BROTLI_QUALITY)
        pays = len(squeezed) <= len(zipped) * (1 - _BROTLI_MIN_SAVING)
        return cls(body, zipped, squeezed if pays else None, digest)


@dataclass(frozen=True, slots=True)
class ModelView:
    """``GET /models/{id}``: the record and, while deprecated, the warning header values."""

    encoded: Encoded
    deprecation_date: str | None
    deprecation_warning: str | None


@dataclass(frozen=True, slots=True)
class ResolvedView:
    """``GET /models/resolve``: the resolution body and the model that serves the name."""

    encoded: Encoded
    model: ModelView
    resolution: Resolution


def listing_type(requested: str | None) -> str:
    """The listing a ``?type=`` value selects; raises :class:`InvalidRequestParameters`."""
    if requested is None:
        return _DEFAULT_TYPE
    if requested in LISTING_TYPES:
        return requested
    raise InvalidRequestParameters(
        _enum_details(requested, MODEL_TYPES, ("all", "code"), listing=True)
    )


def map_type(requested: str | None) -> str:
    """The model type a traits or compatibility ``?type=`` selects (no ``all``/``code``)."""
    if requested is None:
        return _DEFAULT_TYPE
    if requested in MODEL_TYPES:
        return requested
    raise InvalidRequestParameters(_enum_details(requested, MODEL_TYPES, (), listing=False))


def _enum_details(
    received: str, types: tuple[str, ...], extra: tuple[str, ...], *, listing: bool
) -> dict[str, Any]:
    """The live API's zod-style detail: one message per accepted group of values."""
    groups = [types, extra] if listing else [types]
    messages = [
        "Invalid enum value. Expected "
        + " | ".join(f"'{value}'" for value in group)
        + f", received '{received}'"
        for group in groups
    ]
    return {"_errors": [], "type": {"_errors": messages}}


class SnapshotLifecycles:
    """The lifecycle of every model of one snapshot, parsed once."""

    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self.snapshot = snapshot
        self.by_id: Mapping[str, Lifecycle] = MappingProxyType(
            {m.id: lifecycle_of(m) for m in snapshot.models}
        )

    def window_at(self, at: datetime) -> Window:
        return window_at(self.by_id.values(), at)


class ViewSet:
    """All views of one snapshot during one lifecycle window, built on first use.

    ``earlier`` is the view set this one replaces (the previous version's, or the previous
    window's): what it serialized for a model object this snapshot shares (see
    :mod:`~modelcatalog.catalog.reuse`), and every body it encoded, are taken from it instead
    of being serialized and compressed again. Only its two mappings are kept, not the set
    itself, so view sets never form a chain.
    """

    def __init__(
        self, lifecycles: SnapshotLifecycles, at: datetime, earlier: ViewSet | None = None
    ) -> None:
        self.lifecycles = lifecycles
        self.snapshot = lifecycles.snapshot
        self.at = at
        self.window = lifecycles.window_at(at)
        self._listed = tuple(
            m for m in self.snapshot.models if not lifecycles.by_id[m.id].is_removed(at)
        )
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._bodies: dict[bytes, Encoded] = {}
        #: Each model's record as served, by (id, what is hidden), with the model it is of.
        self._fragments: dict[tuple[str, bool, bool], tuple[CatalogModel, bytes]] = {}
        self._earlier_bodies = earlier._bodies if earlier is not None else {}
        self._earlier_fragments = earlier._fragments if earlier is not None else {}

    @property
    def version(self) -> str:
        return self.snapshot.version

    def listed(self, audience: Audience, selection: str = "all") -> tuple[CatalogModel, ...]:
        """The models ``audience`` sees in the ``selection`` listing, in catalog order."""
        return self._memo(
            ("listed", audience.sees_beta, selection), self._select, audience, selection
        )

    def visible(self, audience: Audience) -> tuple[CatalogModel, ...]:
        """Every model of the snapshot ``audience`` may see, removed ones included."""
        return self._memo(("visible", audience.sees_beta), self._visible, audience)

    def record(self, audience: Audience, model: CatalogModel) -> dict[str, Any]:
        """``model``'s record as served to ``audience`` (the JSON of ``GET /models/{id}``)."""
        lifecycle = self.lifecycles.by_id[model.id]
        hide = lifecycle.replacement != self._replacement(audience, lifecycle)
        return _served_record(model, _hides_cloning(model, audience), hide)

    def listing(self, audience: Audience, selection: str) -> Encoded:
        """``GET /models?type=selection``; ``selection`` comes from :func:`listing_type`."""
        return self._memo(
            ("listing", _visibility(audience), selection), self._listing, audience, selection
        )

    def traits(self, audience: Audience, model_type: str) -> Encoded:
        return self._memo(
            ("traits", audience.sees_beta, model_type), self._traits, audience, model_type
        )

    def compatibility_mapping(self, audience: Audience, model_type: str) -> Encoded:
        key = ("aliases", audience.sees_beta, model_type)
        return self._memo(key, self._aliases, audience, model_type)

    def model(self, audience: Audience, model_id: str) -> ModelView:
        """``GET /models/{id}``; raises :class:`ModelNotFound` or :class:`ModelRemoved`."""
        cached: ModelView | None = self._cache.get(("model", _visibility(audience), model_id))
        if cached is not None:
            return cached
        model = self.snapshot.by_id.get(model_id)
        if model is None or (_is_beta(model) and not audience.sees_beta):
            raise ModelNotFound(model_id)
        lifecycle = self.lifecycles.by_id[model_id]
        if lifecycle.is_removed(self.at):
            replacement = self._replacement(audience, lifecycle)
            raise ModelRemoved(model_id, lifecycle.removal_text or "", replacement)
        return self._memo(("model", _visibility(audience), model_id), self._model, audience, model)

    def resolution_index(self, audience: Audience) -> Index:
        """What ``audience`` may resolve (see :mod:`modelcatalog.catalog.resolution`)."""
        return self._memo(("index", audience.sees_beta), self._index, audience)

    def resolve(self, audience: Audience, name: str, model_type: str | None = None) -> Resolution:
        """The one resolution rule over this view; raises ModelNotFound or ModelRemoved."""
        return resolve(self.resolution_index(audience), name, model_type)

    def resolution(
        self, audience: Audience, name: str, model_type: str | None = None
    ) -> ResolvedView:
        """``GET /models/resolve?model=name[&type=]``, kept once resolved (unknown names raise
        first, so only names the catalog resolves are kept)."""
        key = ("resolution", _visibility(audience), model_type, name)
        cached: ResolvedView | None = self._cache.get(key)
        if cached is not None:
            return cached
        found = self.resolve(audience, name, model_type)
        return self._memo(key, self._resolved, audience, found)

    def warm(self) -> None:
        """Build every listing, trait and alias view of every audience now, not on demand."""
        for audience in (Audience.ANONYMOUS, Audience.BETA, Audience.STAFF):
            for selection in LISTING_TYPES:
                self.listing(audience, selection)
            for model_type in MODEL_TYPES:
                self.traits(audience, model_type)
                self.compatibility_mapping(audience, model_type)

    def _memo(self, key: tuple[Any, ...], build: Callable[..., T], *args: Any) -> T:
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = build(*args)
        return cast(T, found)

    def _encoded(self, body: bytes) -> Encoded:
        found = self._bodies.get(body)
        if found is None:
            found = self._earlier_bodies.get(body) or Encoded.of(body)
            self._bodies[body] = found
        return found

    def _visible(self, audience: Audience) -> tuple[CatalogModel, ...]:
        return tuple(m for m in self.snapshot.models if audience.sees_beta or not _is_beta(m))

    def _select(self, audience: Audience, selection: str) -> tuple[CatalogModel, ...]:
        if selection == "all":
            beta = audience.sees_beta
            return tuple(m for m in self._listed if beta or not _is_beta(m))
        visible = self.listed(audience, "all")
        if selection == "code":
            return tuple(m for m in visible if m.type == "text" and _optimized_for_code(m))
        return self._memo(("by type", audience.sees_beta), _by_type, visible).get(selection, ())

    def _fragment(self, audience: Audience, model: CatalogModel) -> bytes:
        lifecycle = self.lifecycles.by_id[model.id]
        hide_replacement = lifecycle.replacement != self._replacement(audience, lifecycle)
        hide_cloning = _hides_cloning(model, audience)
        # Keyed by what is hidden, not by audience: most records read the same to everyone
        # and are serialized once for all of them. A fragment is of one model object: a new
        # version's model (even under the same id) never takes an older one's bytes.
        key = (model.id, hide_cloning, hide_replacement)
        found = self._fragments.get(key) or self._earlier_fragments.get(key)
        if found is None or found[0] is not model:
            found = (model, orjson.dumps(_served_record(model, hide_cloning, hide_replacement)))
        self._fragments[key] = found
        return found[1]

    def _replacement(self, audience: Audience, lifecycle: Lifecycle) -> str | None:
        """The successor the caller may be told of: not a beta model it cannot see."""
        successor = self.snapshot.by_id.get(lifecycle.replacement or "")
        if successor is not None and _is_beta(successor) and not audience.sees_beta:
            return None
        return lifecycle.replacement

    def _served(self, audience: Audience) -> dict[str, bytes]:
        """Every record ``audience`` may see, as served to it, by id: the pieces every listing
        of that audience is joined from, looked up once per model rather than per listing."""
        key = ("served", _visibility(audience))
        return self._memo(
            key, lambda: {m.id: self._fragment(audience, m) for m in self.visible(audience)}
        )

    def _listing(self, audience: Audience, selection: str) -> Encoded:
        served = self._served(audience)
        items = b",".join([served[m.id] for m in self.listed(audience, selection)])
        tail = orjson.dumps({"object": "list", "type": selection})
        return self._encoded(b'{"data":[' + items + b"]," + tail[1:])

    def _traits(self, audience: Audience, model_type: str) -> Encoded:
        return self._map_body(self._trait_map(audience, model_type), model_type)

    def _aliases(self, audience: Audience, model_type: str) -> Encoded:
        return self._map_body(self._alias_map(audience, model_type), model_type)

    def _trait_map(self, audience: Audience, model_type: str) -> dict[str, str]:
        traits: dict[str, str] = {}
        for model in self.listed(audience, model_type):
            for trait in _traits_of(model):
                traits.setdefault(trait, model.id)
        return traits

    def _alias_map(self, audience: Audience, model_type: str) -> dict[str, str]:
        listed = {m.id for m in self.listed(audience, model_type)}
        aliases = self.snapshot.aliases.get(model_type, {})
        return {a: t for a, t in aliases.items() if t in listed}

    def _index(self, audience: Audience) -> Index:
        candidates = (
            Candidate.of(m.wire, self.at, self._replacement(audience, self.lifecycles.by_id[m.id]))
            for m in self.snapshot.models
            if audience.sees_beta or not _is_beta(m)
        )
        traits = {t: self._trait_map(audience, t) for t in MODEL_TYPES}
        aliases = {t: self._alias_map(audience, t) for t in MODEL_TYPES}
        return Index.of(candidates, traits, aliases)

    def _resolved(self, audience: Audience, found: Resolution) -> ResolvedView:
        model = self.model(audience, found.model_id)
        body = orjson.dumps(found.as_json(orjson.Fragment(model.encoded.identity)))
        return ResolvedView(self._encoded(body), model, found)

    def _map_body(self, mapping: Mapping[str, str], model_type: str) -> Encoded:
        data = dict(sorted(mapping.items()))
        return self._encoded(orjson.dumps({"data": data, "object": "list", "type": model_type}))

    def _model(self, audience: Audience, model: CatalogModel) -> ModelView:
        encoded = self._encoded(self._fragment(audience, model))
        lifecycle = self.lifecycles.by_id[model.id]
        if not lifecycle.is_deprecated(self.at):
            return ModelView(encoded, None, None)
        warning = _warning(model.id, lifecycle, self._replacement(audience, lifecycle))
        return ModelView(encoded, lifecycle.removal_text, warning)


def _visibility(audience: Audience) -> tuple[bool, bool]:
    return (audience.sees_beta, audience.sees_private_voice_cloning)


def _spec(model: CatalogModel) -> Mapping[str, Any]:
    spec = model.wire.get("model_spec")
    return spec if isinstance(spec, dict) else {}


def _is_beta(model: CatalogModel) -> bool:
    return _spec(model).get("beta") is True


def _optimized_for_code(model: CatalogModel) -> bool:
    capabilities = _spec(model).get("capabilities")
    return isinstance(capabilities, dict) and capabilities.get("optimizedForCode") is True


def _traits_of(model: CatalogModel) -> Iterable[str]:
    traits = _spec(model).get("traits")
    return (t for t in traits if isinstance(t, str)) if isinstance(traits, list) else ()


def _hides_cloning(model: CatalogModel, audience: Audience) -> bool:
    """Whether ``model_spec.voice_cloning`` is left out of the record ``audience`` is served."""
    return not (model.public_voice_cloning or audience.sees_private_voice_cloning)


def _by_type(models: tuple[CatalogModel, ...]) -> dict[str, tuple[CatalogModel, ...]]:
    """``models`` grouped by type, each group in catalog order."""
    groups: dict[str, list[CatalogModel]] = {}
    for model in models:
        groups.setdefault(model.type, []).append(model)
    return {model_type: tuple(group) for model_type, group in groups.items()}


def _served_record(
    model: CatalogModel, hide_cloning: bool = False, hide_replacement: bool = False
) -> dict[str, Any]:
    record = dict(model.wire)
    spec = _spec(model)
    deprecation = spec.get("deprecation")
    hide_cloning = hide_cloning and "voice_cloning" in spec
    hide_replacement = hide_replacement and isinstance(deprecation, dict)
    if not (hide_cloning or hide_replacement):
        return record
    spec = dict(spec)
    if hide_cloning:
        del spec["voice_cloning"]
    if hide_replacement and isinstance(deprecation, dict):
        # The successor is a beta model the caller cannot see: the record does not name it.
        spec["deprecation"] = {k: v for k, v in deprecation.items() if k != "replacementModelId"}
    record["model_spec"] = spec
    return record


def _warning(model_id: str, lifecycle: Lifecycle, replacement: str | None) -> str:
    message = f"Model {model_id} is deprecated"
    if lifecycle.removal_text:
        message += f" and will be removed on {lifecycle.removal_text}"
    if replacement:
        message += f"; use {replacement} instead"
    return message + "."
