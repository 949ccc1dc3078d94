"""``quote``: the exact cost of a described request for one model record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from modelcatalog.errors import InvalidInstant, InvalidUsage, UnpriceableRequest
from modelcatalog.instants import format_instant, parse_instant
from modelcatalog.pricing.money import LineItem, total
from modelcatalog.pricing.rules import RULES, Rule, upscale_model_items
from modelcatalog.pricing.usage import Usage, parse_usage
from modelcatalog.spec.pricing import ImagePricing
from modelcatalog.spec.record import ModelRecord

__all__ = ["Quote", "decimal_text", "instant_text", "parse_at", "quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """The cost of one request: exact totals and the line items they are the sum of."""

    model_id: str
    usd: Decimal
    diem: Decimal
    items: tuple[LineItem, ...]
    #: The instant whose prices were used, when the caller named one.
    at: datetime | None = None

    def to_json(self, version: str | None = None, *, from_history: bool = False) -> dict[str, Any]:
        """The quote as served, decimals as exact strings (see :func:`decimal_text`).

        ``at`` says which catalog priced it: the instant asked for (``null`` for now), the
        catalog ``version``, and whether that version came from the store's history for that
        instant (``false``: the current catalog was used).
        """
        return {
            "id": self.model_id,
            "usd": decimal_text(self.usd),
            "diem": decimal_text(self.diem),
            "items": [
                {
                    "name": item.name,
                    "quantity": decimal_text(item.quantity),
                    "unit": item.unit,
                    "usd": decimal_text(item.usd),
                    "diem": decimal_text(item.diem),
                }
                for item in self.items
            ],
            "at": {
                "requested": None if self.at is None else instant_text(self.at),
                "version": version,
                "from_history": from_history,
            },
        }


def quote(model: ModelRecord[Any], usage: Usage | Any, at: datetime | None = None) -> Quote:
    """Price ``usage`` with ``model``'s pricing. ``at`` is recorded on the quote as the instant
    whose prices these are; choosing the record as it stood then is the caller's job.

    Raises :class:`~modelcatalog.errors.InvalidUsage` for a malformed usage and
    :class:`~modelcatalog.errors.UnpriceableRequest` for one the pricing cannot price.
    """
    parsed = parse_usage(usage)
    items = tuple(_rule(model)(_pricing(model), model.model_spec, parsed))
    if not items:
        raise UnpriceableRequest(
            f"nothing to price: the usage gives no quantity that model {model.id!r} is priced by"
        )
    usd, diem = total(items)
    return Quote(str(model.id), usd, diem, items, at)


#: Types whose records the wire contract gives a pricing variant.
PRICED_TYPES = frozenset(
    {"text", "embedding", "image", "upscale", "inpaint", "tts", "asr", "music"}
)


def _pricing(model: ModelRecord[Any]) -> Any:
    if model.type not in PRICED_TYPES:
        raise UnpriceableRequest(
            f"model {model.id!r} is of type {model.type!r}, which has no pricing variant in the "
            "wire contract; it cannot be quoted"
        )
    spec = model.model_spec
    pricing = None if spec is None else spec.pricing
    if pricing is None:
        raise UnpriceableRequest(f"model {model.id!r} has no pricing (model_spec.pricing)")
    return pricing


def _rule(model: ModelRecord[Any]) -> Rule:
    pricing = _pricing(model)
    if isinstance(pricing, ImagePricing) and model.type == "upscale":
        return upscale_model_items
    return RULES[type(pricing)]


def parse_at(text: str) -> datetime:
    """The instant of an ``at`` parameter: ISO 8601, ``Z`` or an offset; naive means UTC."""
    try:
        return parse_instant(text, "at")
    except InvalidInstant as exc:
        raise InvalidUsage(
            f"at must be an ISO 8601 instant such as 2026-01-31T12:00:00Z (in years 1 to 9999 "
            f"in UTC), got {text[:80]!r}",
            field="at",
        ) from exc


def instant_text(instant: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, the form the catalog writes its dates in."""
    return format_instant(instant)


def decimal_text(value: Decimal) -> str:
    """A decimal in plain notation without trailing zeros: ``0.0105``, ``3``, never ``1E-7``."""
    # str() is plain notation except for exponents above 0 or far below (it then has an E),
    # and costs a fraction of format(..., "f"); a quote writes a dozen of these.
    text = str(value)
    if "E" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
