"""What a request used: one vocabulary for every kind of model.

Quantities are exact: whole numbers for counts, :class:`~decimal.Decimal` for seconds. JSON
bodies are parsed with ``parse_float=Decimal`` so that ``0.1`` stays one tenth, and a Python
``float`` is refused outright rather than converted, because a float has already lost the
number the caller meant.

Validation here does not depend on the model: an unknown field, a negative or non-numeric
quantity, a fraction of a token or an upscale factor other than ``2x``/``4x`` is
:class:`~modelcatalog.errors.InvalidUsage`. Whether the model can price the usage is decided
by :func:`modelcatalog.pricing.quote`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from modelcatalog.errors import InvalidUsage

__all__ = [
    "COUNT_FIELDS",
    "MAX_QUANTITY",
    "SECOND_FIELDS",
    "SELECTOR_FIELDS",
    "UPSCALE_FACTORS",
    "USAGE_FIELDS",
    "Usage",
    "parse_usage",
    "parse_usage_json",
    "significant_digits",
]

#: Whole-number quantities.
COUNT_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "images",
    "characters",
    "generations",
)
#: Durations, which may be fractional.
SECOND_FIELDS = ("audio_seconds", "seconds")
#: Choices rather than quantities.
SELECTOR_FIELDS = ("resolution", "quality", "upscale")
UPSCALE_FACTORS = ("2x", "4x")
#: A quantity above this is refused: no real request is that large, and the bound keeps every
#: product exact in the quote's decimal context.
MAX_QUANTITY = Decimal(10) ** 18
#: Significant digits a quantity may carry; with a 15-digit price the product stays exact.
MAX_QUANTITY_DIGITS = 30
#: The largest whole quantity, as an int (it has 19 digits, well within the digit limit).
_MAX_COUNT = int(MAX_QUANTITY)


@dataclass(frozen=True, slots=True)
class Usage:
    """What one request used. A field left ``None`` was not given."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    images: int | None = None
    resolution: str | None = None
    quality: str | None = None
    upscale: str | None = None
    characters: int | None = None
    audio_seconds: Decimal | None = None
    seconds: Decimal | None = None
    generations: int | None = None

    def __post_init__(self) -> None:
        for name in COUNT_FIELDS:
            value = getattr(self, name)
            # A plain int in range is already what _count returns; quotes take this path.
            if value is not None and not (type(value) is int and 0 <= value <= _MAX_COUNT):
                object.__setattr__(self, name, _count(name, value))
        for name in SECOND_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _seconds(name, value))
        for name in SELECTOR_FIELDS:
            _selector(name, getattr(self, name))

    def given(self) -> Iterator[tuple[str, Any]]:
        """The fields the caller gave, in vocabulary order."""
        for name in USAGE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                yield name, value

    def to_json_text(self) -> str:
        """The given fields as a JSON object, decimals written as exact number literals."""
        parts = (
            f"{json.dumps(name)}: {json.dumps(value) if isinstance(value, str) else value}"
            for name, value in self.given()
        )
        return "{" + ", ".join(parts) + "}"


USAGE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Usage))


def parse_usage(data: Any) -> Usage:
    """Validate a usage mapping (JSON already parsed with ``parse_float=Decimal``)."""
    if isinstance(data, Usage):
        return data
    if not isinstance(data, Mapping):
        raise InvalidUsage(
            f"usage must be a JSON object with fields {', '.join(USAGE_FIELDS)}; "
            f"got {_describe(data)}"
        )
    for key in data:
        if key not in USAGE_FIELDS:
            raise InvalidUsage(
                f"unknown usage field {key!r}; the fields are {', '.join(USAGE_FIELDS)}",
                field=str(key),
            )
    return Usage(**{str(key): value for key, value in data.items() if value is not None})


def parse_usage_json(body: bytes | str) -> Usage:
    """Parse a JSON usage body. Numbers become ``int`` or ``Decimal``, never ``float``."""
    try:
        if isinstance(body, bytes):
            # What json.loads does with bytes, with one decoder made once rather than per call.
            text = body.decode(json.detect_encoding(body), "surrogatepass")
            data = _DECODER.decode(text)
        else:
            data = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidUsage(f"the usage body is not valid JSON: {exc}") from exc
    return parse_usage(data)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    number = _number(name, value)
    if number != number.to_integral_value():
        raise InvalidUsage(f"{name} must be a whole number, got {value}", field=name)
    return int(number)


def _seconds(name: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    return _number(name, value)


def _number(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        hint = " (pass a Decimal or an int: a float has already lost digits)" * isinstance(
            value, float
        )
        raise InvalidUsage(f"{name} must be a number, got {_describe(value)}{hint}", field=name)
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidUsage(f"{name} must be a finite number, got {value}", field=name)
    if number < 0:
        raise InvalidUsage(f"{name} must not be negative, got {value}", field=name)
    if number > MAX_QUANTITY or significant_digits(number) > MAX_QUANTITY_DIGITS:
        raise InvalidUsage(
            f"{name} is out of range: at most 10^18 with {MAX_QUANTITY_DIGITS} significant "
            f"digits, got {value}",
            field=name,
        )
    return number


def significant_digits(number: Decimal) -> int:
    """Digits from the first non-zero to the last non-zero (``normalize`` would round)."""
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return max(len(digits), 1)


def _selector(name: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value:
        raise InvalidUsage(f"{name} must be a non-empty string, got {_describe(value)}", field=name)
    if name == "upscale" and value not in UPSCALE_FACTORS:
        raise InvalidUsage(f"upscale must be '2x' or '4x', got {value!r}", field=name)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"
