"""The base every spec model shares: lossless round trip of catalog JSON.

Catalog data comes from real APIs and hand-written files, so a parse followed by a dump must
give back the same JSON: no added nulls or defaults, integers stay integers, unknown keys are
kept verbatim, and keys come back in the order they were read. Pydantic keeps unknown keys with
``extra="allow"`` and skips unset fields with ``exclude_unset``; this module adds the key order.

Every field of a spec model is optional at parse time. Whether a field is *required* is a rule
(see ``REQUIRED``), checked by :mod:`modelcatalog.catalog.rules` so that a compatible-mode load
of trimmed real data reports a warning instead of failing.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    SerializerFunctionWrapHandler,
    StrictFloat,
    StrictInt,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = ["Number", "SpecModel"]

_KEY_ORDER = "_key_order"
#: Error type of a null value; its context names the key, which pydantic's location omits.
NULL_VALUE = "null_value"

#: A JSON number. Integers stay integers; booleans are not numbers.
Number = StrictInt | StrictFloat


class SpecModel(BaseModel):
    """A JSON object of the wire contract that dumps back exactly as it was read."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    #: Wire names (aliases) of the properties the OpenAPI marks as required.
    REQUIRED: ClassVar[tuple[str, ...]] = ()
    #: Wire name -> allowed values, for properties the OpenAPI gives an ``enum``.
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {}

    # The key order read is kept in pydantic's per-instance private storage, set directly
    # rather than declared as a ``PrivateAttr``: a declared one makes pydantic run a Python
    # post-init hook on every instance, which doubled the cost of loading a large catalog.

    @model_validator(mode="wrap")
    @classmethod
    def _remember_key_order(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        is_object = isinstance(data, dict)
        if is_object and None in data.values():
            wire_names = cls._wire_names()
            for key, value in data.items():
                if value is None and key in wire_names:
                    raise PydanticCustomError(
                        NULL_VALUE, "{key!r} is null; omit the key instead", {"key": key}
                    )
        model = handler(data)
        if is_object:
            object.__setattr__(model, "__pydantic_private__", {_KEY_ORDER: tuple(data)})
        return model

    @model_serializer(mode="wrap")
    def _dump_in_source_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        key_order = self._key_order()
        if not key_order:
            return data
        ordered = {key: data[key] for key in key_order if key in data}
        ordered.update((key, value) for key, value in data.items() if key not in ordered)
        return ordered

    def _key_order(self) -> tuple[str, ...]:
        private = self.__pydantic_private__
        return private.get(_KEY_ORDER, ()) if private else ()

    def read_keys(self) -> tuple[str, ...]:
        """The wire keys of the object this model was parsed from, in the order read.

        Empty for a model built in code rather than parsed.
        """
        return self._key_order()

    @classmethod
    def _wire_names(cls) -> frozenset[str]:
        names: frozenset[str] | None = cls.__dict__.get("_wire_name_cache")
        if names is None:
            names = frozenset(f.alias or n for n, f in cls.model_fields.items())
            cls._wire_name_cache = names  # type: ignore[attr-defined]
        return names

    def to_wire(self) -> dict[str, Any]:
        """The JSON object as it was read (plus any fields set since)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def unknown_keys(self) -> tuple[str, ...]:
        """Keys the wire contract does not define, kept verbatim."""
        return tuple(self.model_extra or ())
