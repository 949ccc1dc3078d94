"""Exact money: catalog prices as decimals, and the arithmetic of a line item.

A catalog price is a JSON number, which the spec models hold as ``int`` or ``float``. An
``int`` is exact. A ``float`` is turned into the decimal its ``repr`` spells: Python's repr is
the shortest string that reads back as the same float, so for any price written with at most
15 significant digits it is exactly the literal in the catalog file (``0.07`` gives
``Decimal('0.07')``, not the binary ``0.07000000000000000666...``). A float whose repr needs
more than 15 digits (``0.009200000000000002``) is the residue of binary arithmetic somewhere
upstream; which decimal was meant cannot be known, so such a price is refused.

All arithmetic runs in one decimal context that raises on any rounding, so a quote is exact or
is an error -- never silently rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation, Overflow
from functools import lru_cache

from modelcatalog.errors import UnpriceableRequest
from modelcatalog.pricing.usage import significant_digits
from modelcatalog.spec.pricing import DurationTier, Price

__all__ = [
    "EXACT",
    "MAX_PRICE_DIGITS",
    "LineItem",
    "Rate",
    "catalog_decimal",
    "line_item",
    "rate",
    "total",
]

#: Significant digits beyond which a float price cannot be trusted to be the decimal meant.
MAX_PRICE_DIGITS = 15

#: Wide enough for any product of a bounded quantity and a 15-digit price; traps rounding.
EXACT = Context(prec=80, traps=[Inexact, InvalidOperation, Overflow])


@dataclass(frozen=True, slots=True)
class Rate:
    """One price in both currencies, with where it sits under ``model_spec.pricing``."""

    path: str
    usd: Decimal
    diem: Decimal


@dataclass(frozen=True, slots=True)
class LineItem:
    """One priced part of a request: ``quantity`` ``unit`` at the price at ``name``."""

    name: str
    quantity: Decimal
    unit: str
    usd: Decimal
    diem: Decimal


def catalog_decimal(value: object, path: str, currency: str = "") -> Decimal:
    """The exact decimal a catalog number stands for; refuses what cannot be trusted.

    ``path`` (plus ``currency``) locates the number under ``pricing`` for the error message;
    it is joined only when there is an error, since quoting is on the request path.
    """
    if type(value) is float:
        number, digits = _float_decimal(value)
        if digits <= MAX_PRICE_DIGITS and number >= 0:
            return number
    elif type(value) is int and value >= 0:
        return Decimal(value)
    raise _untrusted(value, f"{path}.{currency}" if currency else path)


@lru_cache(maxsize=4096)
def _float_decimal(value: float) -> tuple[Decimal, int]:
    if not math.isfinite(value):
        return Decimal(0), MAX_PRICE_DIGITS + 1
    number = Decimal(repr(value))
    return number, significant_digits(number)


def _untrusted(value: object, path: str) -> UnpriceableRequest:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return UnpriceableRequest(f"pricing.{path} is not a number: {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return UnpriceableRequest(f"pricing.{path} is not a finite number: {value!r}")
    if value < 0:
        return UnpriceableRequest(f"pricing.{path} is negative ({value!r}); prices must not be")
    digits = _float_decimal(float(value))[1]
    return UnpriceableRequest(
        f"pricing.{path} = {value!r} has {digits} significant digits; a price with more "
        f"than {MAX_PRICE_DIGITS} cannot be told apart from a floating-point artefact, "
        f"so it is not used (write the price the catalog means, e.g. {value:.12g})"
    )


def rate(price: Price | DurationTier | None, path: str) -> Rate:
    """The rate at ``pricing.<path>``; refuses a missing price or currency.

    A record's prices are frozen models that live as long as its snapshot, so the rate of each
    is converted and checked once and kept: quoting a model again costs a lookup per price.
    """
    if price is None:
        raise UnpriceableRequest(f"the model has no price at pricing.{path}")
    key = (id(price), path)
    kept = _rates.get(key)
    if kept is not None and kept[0] is price:
        return kept[1]
    if price.usd is None or price.diem is None:
        currency = "usd" if price.usd is None else "diem"
        raise UnpriceableRequest(f"the model's price at pricing.{path} has no {currency}")
    found = Rate(
        path,
        catalog_decimal(price.usd, path, "usd"),
        catalog_decimal(price.diem, path, "diem"),
    )
    if len(_rates) >= _RATES_KEPT:
        _rates.clear()  # a catalog swap leaves the old records' rates behind: start over
    # The price is kept with its rate, so its id cannot be reused while the entry exists.
    _rates[key] = (price, found)
    return found


#: Rates by (id of the price, path): each price model held with the rate made of it.
_rates: dict[tuple[int, str], tuple[Price | DurationTier, Rate]] = {}
#: Bounded (a few MB at most); the bundled catalog holds some 160 prices, a 10,000-model one
#: tens of thousands, which are then converted again after each clear, as before.
_RATES_KEPT = 16384


def line_item(name: str, quantity: int | Decimal, unit: str, price: Rate, per: int = 1) -> LineItem:
    """``quantity`` at ``price`` per ``per`` units, exactly."""
    amount = Decimal(quantity)
    try:
        usd = EXACT.divide(EXACT.multiply(price.usd, amount), per)
        diem = EXACT.divide(EXACT.multiply(price.diem, amount), per)
    except DecimalException as exc:  # unreachable within the usage bounds; refuse, never round
        raise UnpriceableRequest(f"{name}: {quantity} cannot be priced exactly") from exc
    return LineItem(name, amount, unit, usd, diem)


def total(items: tuple[LineItem, ...]) -> tuple[Decimal, Decimal]:
    """The exact sums of the items' USD and DIEM."""
    usd = diem = Decimal(0)
    for item in items:
        usd = EXACT.add(usd, item.usd)
        diem = EXACT.add(diem, item.diem)
    return usd, diem
