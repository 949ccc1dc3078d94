"""Every exception modelcatalog raises on purpose, in one tree.

    ModelCatalogError                 base; never raised itself
    ├── SourceError                   catalog data cannot be read (missing file, bad YAML/JSON)
    ├── CatalogInvalid                a catalog has errors; carries every Finding
    ├── StoreError                    the catalog store cannot do what was asked
    │   ├── StoreUnavailable          the database cannot be reached
    │   ├── SchemaOutOfDate           the database schema is not the one this release uses
    │   ├── VersionConflict           a write expected a version that is no longer current
    │   ├── AlreadyExists             a model or key of that name exists already
    │   ├── DestructiveWrite          a write would remove too many models; needs force
    │   ├── NotFound                  no such version, model or key
    │   ├── PreconditionFailed        If-Match named a catalog version that is not current
    │   ├── Unauthenticated           an admin request without a valid, unrevoked key
    │   └── Forbidden                 a valid key that may not do this (not an admin key)
    ├── RequestError                  an HTTP request cannot be answered as asked
    │   ├── InvalidRequestParameters  a query parameter has a value the route does not accept
    │   ├── InvalidInstant            a value is not an ISO 8601 instant representable in UTC;
    │   │                             names the field
    │   ├── ModelNotFound             no model of that id is listed to the caller
    │   ├── ModelRemoved              the model was listed once and is past its removal instant
    │   ├── RouteNotFound             no route at that path
    │   └── MethodNotAllowed          the route exists but not for that HTTP method
    └── QuoteError                    a price quote cannot be given
        ├── InvalidUsage              the usage itself is malformed (unknown field, negative,
        │                             not a number); names the field
        └── UnpriceableRequest        the model's pricing cannot price this usage; names the
                                      usage field and the missing price

Library code raises these; the HTTP layer and the CLI map them to status codes and exit codes
in one place each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelcatalog.catalog.findings import Finding

__all__ = [
    "AlreadyExists",
    "CatalogInvalid",
    "DestructiveWrite",
    "Forbidden",
    "InvalidInstant",
    "InvalidRequestParameters",
    "InvalidUsage",
    "MethodNotAllowed",
    "ModelCatalogError",
    "ModelNotFound",
    "ModelRemoved",
    "NotFound",
    "PreconditionFailed",
    "QuoteError",
    "RequestError",
    "RouteNotFound",
    "SchemaOutOfDate",
    "SourceError",
    "StoreError",
    "StoreUnavailable",
    "Unauthenticated",
    "UnpriceableRequest",
    "VersionConflict",
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


class StoreError(ModelCatalogError):
    """The catalog store cannot do what was asked."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or answered with an error."""


class SchemaOutOfDate(StoreError):
    """The database schema is behind this release (run ``modelcatalog db upgrade``) or ahead."""


class VersionConflict(StoreError):
    """A write expected catalog version ``expected`` but ``current`` is the head."""

    def __init__(self, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(f"expected catalog version {expected}, but the current one is {current}")


class NotFound(StoreError):
    """No such catalog version, model or key."""


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


class RequestError(ModelCatalogError):
    """An HTTP request cannot be answered as asked; ``details`` is machine-readable context."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        self.message = message
        self.details = details
        super().__init__(message)


class InvalidRequestParameters(RequestError):
    """A query parameter has a value the route does not accept; ``details`` names them all."""

    def __init__(self, details: Mapping[str, Any]) -> None:
        super().__init__("Invalid request parameters", details)


class InvalidInstant(RequestError):
    """``field`` is not an ISO 8601 instant, or names one that cannot be held in UTC."""

    def __init__(
        self, field: str, value: object, reason: str = "is not an ISO 8601 instant"
    ) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field} {reason}; expected e.g. 2026-03-01T00:00:00Z", {"field": field})


class ModelNotFound(RequestError):
    """No model of this id is listed to the caller (ids are case-sensitive)."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        super().__init__(f"Model not found: {model_id}", {"id": model_id})


class ModelRemoved(RequestError):
    """The model is past its removal instant; ``replacement`` is its successor, if any."""

    def __init__(self, model_id: str, removed_at: str, replacement: str | None) -> None:
        self.model_id = model_id
        self.replacement = replacement
        details: dict[str, Any] = {"id": model_id, "removedAt": removed_at}
        message = f"Model {model_id} was removed on {removed_at}"
        if replacement is not None:
            details["replacementModelId"] = replacement
            message += f"; use {replacement} instead"
        super().__init__(message, details)


class RouteNotFound(RequestError):
    """No route at this path."""

    def __init__(self, path: str) -> None:
        super().__init__(f"Not found: {path}")


class MethodNotAllowed(RequestError):
    """The route exists but does not answer this HTTP method; ``allowed`` lists those it does."""

    def __init__(self, method: str, allowed: Sequence[str]) -> None:
        self.allowed = tuple(allowed)
        super().__init__(f"Method {method} not allowed; allowed: {', '.join(self.allowed)}")


class AlreadyExists(StoreError):
    """A model or key of that name exists already."""


class DestructiveWrite(StoreError):
    """A write would remove ``removed`` of ``before`` models (more than ``share`` of them, or
    all of them); it is refused unless the caller forces it."""

    def __init__(self, removed: int, before: int, after: int, share: float) -> None:
        self.removed = removed
        self.before = before
        self.after = after
        self.share = share
        what = "every model" if after == 0 else f"more than {share:.0%} of the models"
        super().__init__(
            f"this write would remove {removed} of {before} models ({what}); "
            "repeat it with force (?force=true, --force) if that is intended"
        )

    def as_json(self) -> dict[str, float | int]:
        return {
            "removed": self.removed,
            "before": self.before,
            "after": self.after,
            "max_removed_share": self.share,
        }


class PreconditionFailed(VersionConflict):
    """An HTTP write's ``If-Match`` named a catalog version that is no longer current."""


class Unauthenticated(StoreError):
    """An admin request carried no key, an unknown key or a revoked key."""


class Forbidden(StoreError):
    """A valid key that is not allowed to do this (not an admin key)."""
