"""Every exception modelcatalog raises on purpose, in one tree.

    ModelCatalogError                 base; never raised itself
    ├── SourceError                   catalog data cannot be read (missing file, bad YAML/JSON)
    │   ├── SourceTooLarge            an import source is over its byte limit
    │   └── UpstreamUnavailable       an import source URL cannot be fetched: unreachable, timed
    │                                 out, or answered with an HTTP error
    ├── ImportRefused                 a source was read but cannot be imported as asked: a
    │                                 required field it lacks has no operator default; names it
    ├── CatalogInvalid                a catalog has errors; carries every Finding
    ├── StoreError                    the catalog store cannot do what was asked
    │   ├── StoreUnavailable          the database cannot be reached
    │   ├── SchemaOutOfDate           the database schema is not the one this release uses
    │   ├── VersionConflict           a write expected a version that is no longer current
    │   │   └── StaleChangeSet        a sync change set was built on an older version
    │   ├── AlreadyExists             a model or key of that name exists already
    │   ├── DestructiveWrite          a write would remove too many models; needs force
    │   ├── NotFound                  no such version, model or key
    │   └── ChangeSetClosed           a pending sync change set was already approved, rejected
    │                                 or superseded
    ├── AccessError                   the caller may not do what it asked
    │   ├── Unauthenticated           an admin request without a valid, unrevoked key
    │   └── Forbidden                 a valid key that may not do this (not an admin key)
    ├── RequestError                  an HTTP request cannot be answered as asked
    │   ├── InvalidRequestParameters  a query parameter has a value the route does not accept
    │   ├── InvalidInstant            a value is not an ISO 8601 instant representable in UTC;
    │   │                             names the field
    │   ├── ModelNotFound             no model of that id is listed to the caller
    │   ├── ModelRemoved              the model was listed once and is past its removal instant
    │   ├── RouteNotFound             no route at that path
    │   ├── MethodNotAllowed          the route exists but not for that HTTP method
    │   ├── PreconditionFailed        If-Match named a catalog version that is not current
    │   └── LimitExceeded             a request is over a limit (api/limits.py); names it
    │       ├── PayloadTooLarge       the body is over the route's limit (413)
    │       ├── HeadersTooLarge       the header section is over its size or count limit (431)
    │       ├── URITooLong            the request target is over its limit (414)
    │       ├── TooManyParameters     the query string has more parameters than allowed
    │       └── JSONTooDeep           a JSON body nests deeper than allowed
    ├── QuoteError                    a price quote cannot be given
    │   ├── InvalidUsage              the usage itself is malformed (unknown field, negative,
    │   │                             not a number); names the field
    │   └── UnpriceableRequest        the model's pricing cannot price this usage; names the
    │                                 usage field and the missing price
    ├── SyncError                     an upstream sync wrote nothing (reported per source)
    │   ├── UpstreamRefused           the source answered, but with no or far fewer models, or
    │   │                             with nothing that maps to a catalog record
    │   └── SyncLocked                another process is running a sync (the sync lock is held)
    ├── InvalidSettings               a setting has a value it does not accept; names the
    │                                 setting, the value and what is accepted
    ├── CannotListen                  ``serve`` cannot listen on its address (in use, not allowed)
    ├── ServiceUnavailable            a modelcatalog service (``--url``) cannot be reached or
    │                                 answered with a server error
    └── ServiceRefused                a modelcatalog service (``--url``) refused the request (4xx)

Library code raises these; the HTTP layer and the CLI map them to status codes and exit codes
in one place each (``api/errors.py``, ``cli/exits.py``). tests/test_error_tree.py holds this
drawing to the classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelcatalog.catalog.findings import Finding

__all__ = [
    "AccessError",
    "AlreadyExists",
    "CannotListen",
    "CatalogInvalid",
    "ChangeSetClosed",
    "DestructiveWrite",
    "Forbidden",
    "HeadersTooLarge",
    "ImportRefused",
    "InvalidInstant",
    "InvalidRequestParameters",
    "InvalidSettings",
    "InvalidUsage",
    "JSONTooDeep",
    "LimitExceeded",
    "MethodNotAllowed",
    "ModelCatalogError",
    "ModelNotFound",
    "ModelRemoved",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "QuoteError",
    "RequestError",
    "RouteNotFound",
    "SchemaOutOfDate",
    "ServiceRefused",
    "ServiceUnavailable",
    "SourceError",
    "SourceTooLarge",
    "StaleChangeSet",
    "StoreError",
    "StoreUnavailable",
    "SyncError",
    "SyncLocked",
    "TooManyParameters",
    "URITooLong",
    "Unauthenticated",
    "UnpriceableRequest",
    "UpstreamRefused",
    "UpstreamUnavailable",
    "VersionConflict",
]


class ModelCatalogError(Exception):
    """Base of every error modelcatalog raises on purpose."""


class SourceError(ModelCatalogError):
    """Catalog data could not be read at all: a missing file, bad YAML or JSON."""


class SourceTooLarge(SourceError):
    """An import source is larger than ``limit`` bytes; nothing past the limit was read."""

    def __init__(self, source: str, limit: int) -> None:
        self.limit = limit
        super().__init__(f"{source}: larger than the limit of {limit} bytes")


class UpstreamUnavailable(SourceError):
    """An import source URL could not be fetched: no answer, a timeout or an HTTP error."""


class ImportRefused(ModelCatalogError):
    """A source was read but cannot be imported as asked; ``fields`` names the required Venice
    fields the source does not know and no operator default covers."""

    def __init__(self, message: str, fields: Sequence[str] = ()) -> None:
        self.fields = tuple(fields)
        super().__init__(message)


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


class StaleChangeSet(VersionConflict):
    """A pending sync change set was built on version ``expected``; the head is ``current``."""

    def __init__(self, set_id: int, expected: int, current: int) -> None:
        super().__init__(expected, current)
        self.args = (
            f"sync change set {set_id} was built on catalog version {expected}, but the "
            f"current one is {current}; reject it and run the sync again",
        )


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

    def __init__(self, model_id: str, suggestions: Sequence[str] | None = None) -> None:
        self.model_id = model_id
        details: dict[str, Any] = {"id": model_id}
        if suggestions is not None:
            # Names close to the one asked for (a resolution's 404), among those the caller sees.
            details["suggestions"] = list(suggestions)
        super().__init__(f"Model not found: {model_id}", details)


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


class LimitExceeded(RequestError):
    """A request is over one of the service's limits; ``details`` names the limit."""

    def __init__(self, message: str, limit: int) -> None:
        self.limit = limit
        super().__init__(message, {"limit": limit})


class PayloadTooLarge(LimitExceeded):
    """The request body is larger than the route accepts (counted as it arrives)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over this route's limit of {limit} bytes", limit)


class HeadersTooLarge(LimitExceeded):
    """The request's header section is over its limit in bytes or in number of fields."""

    def __init__(self, limit: int, what: str = "bytes") -> None:
        super().__init__(f"the request headers are over the limit of {limit} {what}", limit)


class URITooLong(LimitExceeded):
    """The request target (path and query) is longer than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request target is over the limit of {limit} bytes", limit)


class TooManyParameters(LimitExceeded):
    """The query string holds more parameters than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the query string has more than {limit} parameters", limit)


class JSONTooDeep(LimitExceeded):
    """A JSON (or YAML) body nests arrays and objects deeper than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body nests deeper than {limit} levels", limit)


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


class PreconditionFailed(RequestError):
    """An HTTP write's ``If-Match`` named catalog version ``expected``; ``current`` is the head."""

    def __init__(self, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"expected catalog version {expected}, but the current one is {current}",
            {"expected": expected, "current": current},
        )


class AccessError(ModelCatalogError):
    """The caller may not do what it asked: who it is is unknown, or not allowed to."""


class Unauthenticated(AccessError):
    """An admin request carried no key, an unknown key or a revoked key."""


class Forbidden(AccessError):
    """A valid key that is not allowed to do this (not an admin key)."""


class SyncError(ModelCatalogError):
    """An upstream sync of one source wrote nothing; the message says why."""


class UpstreamRefused(SyncError):
    """The source answered, but what it gave is refused: no models, far fewer than it gave
    before, or nothing that maps to a catalog record."""


class SyncLocked(SyncError):
    """Another process holds the sync lock (one sync runs at a time, on one replica)."""


class ChangeSetClosed(StoreError):
    """A pending sync change set that was already approved, rejected or superseded."""


class InvalidSettings(ModelCatalogError):
    """Settings that cannot be used: each problem names the setting, where its value came from,
    the value and what is accepted (one per line)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(f"invalid settings: {self.problems[0]}")
        else:
            super().__init__("invalid settings:" + "".join(f"\n  {p}" for p in self.problems))


class CannotListen(ModelCatalogError):
    """``serve`` cannot listen on its host and port: in use by another process, or not allowed."""


class ServiceUnavailable(ModelCatalogError):
    """A modelcatalog service cannot be reached, answered with a server error or without JSON."""


class ServiceRefused(ModelCatalogError):
    """A modelcatalog service answered a request with a client error (``status`` 4xx)."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)
