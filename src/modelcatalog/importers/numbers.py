"""Exact prices as catalog JSON numbers.

The catalog holds prices as JSON numbers and reads a fractional one as the decimal its
shortest form spells, up to 15 significant digits (:mod:`modelcatalog.pricing.money`). An
imported price is computed as a :class:`~decimal.Decimal` and written as the number that reads
back as exactly that decimal, or refused when there is none.
"""

from __future__ import annotations

from decimal import Decimal

from modelcatalog.pricing.money import EXACT, MAX_PRICE_DIGITS
from modelcatalog.pricing.usage import significant_digits

__all__ = ["MILLION", "json_number", "scaled"]

MILLION = Decimal(1_000_000)


def json_number(value: Decimal) -> int | float | None:
    """The JSON number the catalog reads back as exactly ``value``; None if there is none
    (more than 15 significant digits, negative, not finite)."""
    if not value.is_finite() or value < 0:
        return None
    if value == value.to_integral_value():
        return int(value)
    if significant_digits(value) > MAX_PRICE_DIGITS:
        return None
    number = float(value)
    return number if Decimal(repr(number)) == value else None


def scaled(value: Decimal, factor: Decimal) -> Decimal:
    """``value * factor`` exactly (a decimal product never needs rounding at this precision)."""
    return EXACT.multiply(value, factor)
