"""Pydantic models of the wire contract (``ModelResponse`` of the Venice OpenAPI)."""

from modelcatalog.spec.base import Number, SpecModel
from modelcatalog.spec.record import (
    CATALOG_EXTENSION_KEY,
    MODEL_TYPES,
    ModelRecord,
    ModelSpec,
    parse_record,
)

__all__ = [
    "CATALOG_EXTENSION_KEY",
    "MODEL_TYPES",
    "ModelRecord",
    "ModelSpec",
    "Number",
    "SpecModel",
    "parse_record",
]
