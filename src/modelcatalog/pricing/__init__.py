"""Exact price quotes for every kind of model: a pure library (no I/O).

``quote(record, usage)`` returns a :class:`Quote` whose totals and line items are exact
decimals, or refuses with :class:`~modelcatalog.errors.InvalidUsage` (the usage is malformed)
or :class:`~modelcatalog.errors.UnpriceableRequest` (the pricing cannot price it). The rules
are in docs/pricing.md.
"""

from modelcatalog.pricing.money import MAX_PRICE_DIGITS, LineItem, catalog_decimal
from modelcatalog.pricing.quote import Quote, decimal_text, instant_text, parse_at, quote
from modelcatalog.pricing.usage import USAGE_FIELDS, Usage, parse_usage, parse_usage_json

__all__ = [
    "MAX_PRICE_DIGITS",
    "USAGE_FIELDS",
    "LineItem",
    "Quote",
    "Usage",
    "catalog_decimal",
    "decimal_text",
    "instant_text",
    "parse_at",
    "parse_usage",
    "parse_usage_json",
    "quote",
]
