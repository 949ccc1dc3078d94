"""``quote``: the exact cost of a described request for one model record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from modelcatalog.errors import UnpriceableRequest
from modelcatalog.pricing.money import LineItem, total
from modelcatalog.pricing.rules import RULES, Rule, upscale_model_items
from modelcatalog.pricing.usage import Usage, parse_usage
from modelcatalog.spec.pricing import ImagePricing
from modelcatalog.spec.record import ModelRecord

__all__ = ["Quote", "decimal_text", "quote"]


@dataclass(frozen=True, slots=True)
class Quote:
    """The cost of one request: exact totals and the line items they are the sum of."""

    model_id: str
    usd: Decimal
    diem: Decimal
    items: tuple[LineItem, ...]
    #: The instant whose prices were used, when the caller named one.
    at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The quote as JSON, decimals as exact strings (see :func:`decimal_text`)."""
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
            "at": None if self.at is None else self.at.isoformat(),
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


def _pricing(model: ModelRecord[Any]) -> Any:
    spec = model.model_spec
    pricing = None if spec is None else spec.pricing
    if pricing is None:
        raise UnpriceableRequest(f"model {model.id!r} has no pricing (model_spec.pricing)")
    return pricing


def _rule(model: ModelRecord[Any]) -> Rule:
    pricing = _pricing(model)
    if isinstance(pricing, ImagePricing) and model.type == "upscale":
        return upscale_model_items
    rule = RULES.get(type(pricing))
    if rule is None:
        raise UnpriceableRequest(
            f"model {model.id!r} is of type {model.type!r}, which has no pricing variant in the "
            "wire contract; it cannot be quoted"
        )
    return rule


def decimal_text(value: Decimal) -> str:
    """A decimal in plain notation without trailing zeros: ``0.0105``, ``3``, never ``1E-7``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
