"""What the client returns: the project's record type, and typed answers of the extensions.

Every model keeps the fields this release does not know (``extra="allow"``), so a newer server
or another Venice-compatible endpoint loses nothing on the way through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from modelcatalog.spec.record import ModelRecord, parse_record

__all__ = [
    "Freshness",
    "HistoryEntry",
    "QuoteAnswer",
    "QuoteItem",
    "ResolutionStep",
    "Resolved",
    "parse_record",
]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


def _typed_record(value: Any) -> ModelRecord[Any]:
    return value if isinstance(value, ModelRecord) else parse_record(value)


class ResolutionStep(_Open):
    """One hop from a requested name to a model: ``id``, ``trait``, ``alias`` or ``remap``."""

    kind: str
    source: str = Field(alias="from")
    target: str = Field(alias="to")


class Resolved(_Open):
    """``GET /models/resolve``: the model that serves ``requested`` and how it was reached."""

    object: str = "model.resolution"
    requested: str
    type: str
    #: Of the record class its ``type`` selects (``TextModel``, ``ImageModel``, ...).
    model: Annotated[ModelRecord[Any], PlainValidator(_typed_record)]
    via: list[ResolutionStep]
    warnings: list[dict[str, Any]] = []

    @property
    def model_id(self) -> str:
        return str(self.model.id)


class QuoteItem(_Open):
    name: str
    quantity: Decimal
    unit: str
    usd: Decimal
    diem: Decimal


class QuoteAnswer(_Open):
    """``POST /models/{name}/quote``: exact totals (decimals, never floats) and line items."""

    id: str
    usd: Decimal
    diem: Decimal
    items: list[QuoteItem]
    at: dict[str, Any] = {}
    requested: str | None = None
    via: list[ResolutionStep] = []


class HistoryEntry(_Open):
    """One version of ``GET /models/{id}/history`` that concerned the model."""

    version: int
    effective_at: str | None = None
    message: str | None = None
    kind: str
    fields: list[dict[str, Any]] = []


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old an answer is. ``from_copy`` is true when the service could not be asked (down,
    unreachable, a 5xx) and the last good copy was served instead; ``error`` says why."""

    fetched_at: datetime
    from_copy: bool = False
    error: str | None = None

    @property
    def age(self) -> timedelta:
        """Time since the service last confirmed this answer (200 or 304)."""
        return datetime.now(UTC) - self.fetched_at
