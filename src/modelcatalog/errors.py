"""Every exception modelcatalog raises on purpose, in one tree.

    ModelCatalogError                 base; never raised itself
    ├── SourceError                   catalog data cannot be read (missing file, bad YAML/JSON)
    ├── CatalogInvalid                a catalog has errors; carries every Finding
    └── QuoteError                    a price quote cannot be given
        ├── InvalidUsage              the usage itself is malformed (unknown field, negative,
        │                             not a number); names the field
        └── UnpriceableRequest        the model's pricing cannot price this usage; names the
                                      usage field and the missing price

Library code raises these; the HTTP layer and the CLI map them to status codes and exit codes
in one place each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelcatalog.catalog.findings import Finding

__all__ = [
    "CatalogInvalid",
    "InvalidUsage",
    "ModelCatalogError",
    "QuoteError",
    "SourceError",
    "UnpriceableRequest",
]


class ModelCatalogError(Exception):
    """Base of every error modelcatalog raises on purpose."""


class SourceError(ModelCatalogError):
    """Catalog data could not be read at all: a missing file, bad YAML or JSON."""


class CatalogInvalid(ModelCatalogError):
    """A catalog failed validation; ``findings`` lists every error and warning."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        errors = [f for f in self.findings if f.severity == "error"]
        super().__init__(
            f"catalog has {len(errors)} error(s); first: {errors[0] if errors else '-'}"
        )


class QuoteError(ModelCatalogError):
    """A price quote cannot be given; ``field`` is the usage field at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class InvalidUsage(QuoteError):
    """The usage is malformed whatever the model: an unknown field, a negative or non-numeric
    quantity, an unknown upscale factor."""


class UnpriceableRequest(QuoteError):
    """The model's pricing cannot price this usage: the message names the missing price."""
