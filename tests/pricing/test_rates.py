"""Each price's rate is converted once and kept; decimals are written in plain notation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelcatalog.errors import UnpriceableRequest
from modelcatalog.pricing import decimal_text, money
from modelcatalog.spec.pricing import Price


def test_a_price_is_converted_once_per_path() -> None:
    price = Price(usd=0.07, diem=0.07)
    first = money.rate(price, "input")
    assert first == money.Rate("input", Decimal("0.07"), Decimal("0.07"))
    assert money.rate(price, "input") is first
    assert money.rate(price, "cache_input").path == "cache_input"


def test_an_equal_price_elsewhere_gets_its_own_rate() -> None:
    # Kept by identity, not by value: nothing about one record leaks into another's answer.
    one, other = Price(usd=1, diem=2), Price(usd=1, diem=2)
    assert money.rate(one, "output") is not money.rate(other, "output")
    assert money.rate(one, "output") == money.rate(other, "output")


def test_refusals_are_never_kept() -> None:
    price = Price(usd=0.009200000000000002, diem=1)
    for _ in range(2):
        with pytest.raises(UnpriceableRequest, match="significant digits"):
            money.rate(price, "input")
    assert all(kept is not price for kept, _ in money._rates.values())


def test_the_kept_rates_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(money, "_RATES_KEPT", 4)
    money._rates.clear()
    prices = [Price(usd=n, diem=n) for n in range(10)]
    for price in prices:
        money.rate(price, "input")
        assert len(money._rates) <= 4
    assert money.rate(prices[0], "input").usd == 0


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_is_plain_notation_without_trailing_zeros(value: Decimal) -> None:
    text = format(value, "f")  # plain notation, every digit
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    assert decimal_text(value) == ("0" if text in ("", "-0") else text)
    assert Decimal(decimal_text(value)) == value
