"""Rules about a model's prices: the variant of its type, what each price covers, its range.

Like the other record rules, each is registered on :mod:`modelcatalog.catalog.rules`, reads
fields that may be absent, and documents itself in its docstring's first paragraph.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from modelcatalog.catalog.record_rules import PRICING, dig, is_number, listed
from modelcatalog.catalog.rules import Problem, record_rule
from modelcatalog.pricing.money import MAX_PRICE_DIGITS
from modelcatalog.pricing.usage import significant_digits
from modelcatalog.spec.base import SpecModel
from modelcatalog.spec.pricing import (
    DurationTier,
    ImagePricing,
    InpaintPricing,
    LlmPricing,
    MusicPricing,
    Price,
)
from modelcatalog.spec.record import ModelRecord

__all__: list[str] = []

Record = ModelRecord[Any]

_MUSIC = frozenset({"music"})
_LLM_PRICED = frozenset({"text", "embedding"})
_IMAGE_PRICED = frozenset({"image", "upscale"})
_IMAGE_LIKE = frozenset({"image", "inpaint"})


_MUSIC_SCHEMES = ("generation", "durations", "per_second", "per_thousand_characters")


@record_rule("pricing-variant")
def _pricing_variant(record: Record) -> Iterator[Problem]:
    """The pricing object is the variant of the model's type and can price a request.

    Video models have no pricing variant; a music model prices by exactly one of
    ``generation``, ``durations``, ``per_second`` or ``per_thousand_characters``; an image
    model needs a per-image price (``generation``, ``resolutions`` or ``quality``); an upscaler
    offers no resolution or quality choice to price.
    """
    pricing, kind = dig(record, "model_spec", "pricing"), record.type
    if pricing is None:
        return
    if kind == "video":
        yield Problem(PRICING, "the wire contract defines no pricing for video models")
    elif isinstance(pricing, MusicPricing):
        used = [key for key in _MUSIC_SCHEMES if getattr(pricing, key) is not None]
        if len(used) != 1:
            yield Problem(
                PRICING,
                f"music pricing needs exactly one of {listed(_MUSIC_SCHEMES)}; got {listed(used)}",
            )
    elif isinstance(pricing, ImagePricing):
        yield from _image_pricing_variant(pricing, kind)


def _image_pricing_variant(pricing: ImagePricing, kind: str | None) -> Iterator[Problem]:
    if kind == "upscale":
        for key in ("resolutions", "quality"):
            if getattr(pricing, key) is not None:
                yield Problem(f"{PRICING}.{key}", "an upscaler offers no choice to price by")
    elif pricing.generation is None and pricing.resolutions is None and pricing.quality is None:
        yield Problem(PRICING, "an image model needs a generation, resolutions or quality price")


def _image_like_pricing(record: Record) -> ImagePricing | InpaintPricing | None:
    pricing = dig(record, "model_spec", "pricing")
    return pricing if isinstance(pricing, ImagePricing | InpaintPricing) else None


@record_rule("resolution-pricing", types=_IMAGE_LIKE)
def _resolution_pricing(record: Record) -> Iterator[Problem]:
    """``pricing.resolutions`` prices exactly the resolutions in ``constraints.resolutions``."""
    pricing = _image_like_pricing(record)
    if pricing is None or pricing.resolutions is None:
        return
    offered = dig(record, "model_spec", "constraints", "resolutions")
    for key in pricing.resolutions:
        if offered is None or key not in offered:
            yield Problem(f"{PRICING}.resolutions.{key}", _not_offered("resolution", key, offered))
    for resolution in offered or ():
        if resolution not in pricing.resolutions:
            yield Problem(
                f"{PRICING}.resolutions", f"no price for offered resolution {resolution!r}"
            )


def _not_offered(what: str, value: str, offered: list[str] | None) -> str:
    choices = "constraints has none" if offered is None else f"offered: {listed(offered)}"
    return f"{what} {value!r} is not offered by the model ({choices})"


@record_rule("quality-pricing", types=_IMAGE_LIKE)
def _quality_pricing(record: Record) -> Iterator[Problem]:
    """``pricing.quality`` is keyed by offered resolutions and prices only offered qualities."""
    pricing = _image_like_pricing(record)
    if pricing is None or pricing.quality is None:
        return
    resolutions = dig(record, "model_spec", "constraints", "resolutions")
    qualities = dig(record, "model_spec", "constraints", "qualities")
    for resolution, prices in pricing.quality.items():
        where = f"{PRICING}.quality.{resolution}"
        if resolutions is None or resolution not in resolutions:
            yield Problem(where, _not_offered("resolution", resolution, resolutions))
        for level in ("low", "medium", "high"):
            if getattr(prices, level) is not None and (qualities is None or level not in qualities):
                yield Problem(f"{where}.{level}", _not_offered("quality", level, qualities))


@record_rule("generation-replaced", types=_IMAGE_PRICED)
def _generation_replaced(record: Record) -> Iterator[Problem]:
    """An image model's ``pricing.resolutions`` replaces ``pricing.generation``; not both."""
    pricing = dig(record, "model_spec", "pricing")
    if isinstance(pricing, ImagePricing) and pricing.resolutions and pricing.generation:
        yield Problem(
            f"{PRICING}.generation", "resolution pricing replaces generation; keep only one"
        )


def _prices(pricing: Any) -> tuple[tuple[str, Any], ...]:
    """Every ``usd`` and ``diem`` price under ``pricing`` with its path, found once per record.

    Two rules read the same prices one after the other; the last walk is kept (with the object
    it walked, so a reused ``id`` cannot match) and the second rule reuses it.
    """
    walked, found = _last_prices[0]
    if walked is pricing:
        return found
    found = tuple(_price_values(pricing, PRICING))
    _last_prices[0] = (pricing, found)  # one store: a thread reads the pair whole
    return found


#: The ``pricing`` object walked last and its prices (see :func:`_prices`); a sentinel first.
_last_prices: list[tuple[object, tuple[tuple[str, Any], ...]]] = [(object(), ())]


def _price_values(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Price | DurationTier):
        for key in ("usd", "diem"):
            if getattr(value, key) is not None:
                yield f"{path}.{key}", getattr(value, key)
    elif isinstance(value, SpecModel):
        present = value.model_fields_set
        for name, wire in _wire_names(type(value)):
            if name in present:
                yield from _price_values(value.__dict__[name], f"{path}.{wire}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("usd", "diem") and is_number(item):
                yield f"{path}.{key}", item
            else:
                yield from _price_values(item, f"{path}.{key}")


def _wire_names(cls: type[SpecModel]) -> tuple[tuple[str, str], ...]:
    """(field name, wire name) of each field of ``cls``, in declared order."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = tuple((name, info.alias or name) for name, info in cls.model_fields.items())
        _WIRE_NAMES[cls] = names
    return names


_WIRE_NAMES: dict[type[SpecModel], tuple[tuple[str, str], ...]] = {}


@record_rule("price-range")
def _price_range(record: Record) -> Iterator[Problem]:
    """Every ``usd`` and ``diem`` price is a finite number and not negative."""
    for path, price in _prices(dig(record, "model_spec", "pricing")):
        if not math.isfinite(price):
            yield Problem(path, f"{price} is not a finite price")
        elif price < 0:
            yield Problem(path, f"{price} is negative; a price is 0 or more")


@record_rule("price-precision")
def _price_precision(record: Record) -> Iterator[Problem]:
    """Every price has at most 15 significant digits, so quotes can use it exactly.

    A longer one (``0.0023000000000000004``, seen on the live API) is the residue of binary
    arithmetic upstream; which decimal was meant cannot be known, so quotes refuse it.
    """
    for path, price in _prices(dig(record, "model_spec", "pricing")):
        # A float's repr is its shortest round-trip form: no longer than the digit limit, it
        # cannot have more significant digits than that (most prices stop here).
        if isinstance(price, float) and math.isfinite(price):
            written = repr(price)
            if len(written) <= MAX_PRICE_DIGITS:
                continue
            digits = significant_digits(Decimal(written))
            if digits > MAX_PRICE_DIGITS:
                yield Problem(
                    path,
                    f"{price!r} has {digits} significant digits; quotes use at most "
                    f"{MAX_PRICE_DIGITS} (write the price meant, e.g. {price:.12g})",
                )


@record_rule("extended-pricing", types=_LLM_PRICED)
def _extended_pricing(record: Record) -> Iterator[Problem]:
    """The extended (long-context) tier starts inside the context window and adds cache rates
    only where the base tier has them.
    """
    pricing = dig(record, "model_spec", "pricing")
    if not isinstance(pricing, LlmPricing) or pricing.extended is None:
        return
    threshold = pricing.extended.context_token_threshold
    window = dig(record, "model_spec", "availableContextTokens")
    where = f"{PRICING}.extended"
    if is_number(threshold) and is_number(window) and not 0 < threshold < window:
        yield Problem(
            f"{where}.context_token_threshold",
            f"is {threshold}; it must be above 0 and below availableContextTokens ({window})",
        )
    for key in ("cache_input", "cache_write"):
        if getattr(pricing.extended, key) is not None and getattr(pricing, key) is None:
            yield Problem(f"{where}.{key}", f"an extended {key} rate needs a base {key} rate")


@record_rule("duration-tiers", types=_MUSIC)
def _duration_tiers(record: Record) -> Iterator[Problem]:
    """Music duration price tiers have ``min_seconds`` ≤ ``max_seconds`` and do not overlap."""
    pricing = dig(record, "model_spec", "pricing")
    if not isinstance(pricing, MusicPricing) or not pricing.durations:
        return
    tiers = [
        (key, (tier.min_seconds, tier.max_seconds))
        for key, tier in pricing.durations.items()
        if tier.min_seconds is not None and tier.max_seconds is not None
    ]
    for key, (low, high) in tiers:
        if low > high:
            yield Problem(
                f"{PRICING}.durations.{key}",
                f"min_seconds {low} is greater than max_seconds {high}",
            )
    yield from _overlapping_tiers(sorted(tiers, key=lambda item: item[1]))


def _overlapping_tiers(tiers: list[tuple[str, tuple[float, float]]]) -> Iterator[Problem]:
    for (before_key, (low, high)), (key, (start, _)) in itertools.pairwise(tiers):
        if start <= high:
            yield Problem(
                f"{PRICING}.durations.{key}",
                f"overlaps tier {before_key!r} ({low}-{high} s); bounds are inclusive",
            )
