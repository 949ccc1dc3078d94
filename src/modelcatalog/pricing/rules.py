"""The pricing rules of each kind of model (see docs/pricing.md for each with an example).

Every rule turns a usage into line items or refuses with
:class:`~modelcatalog.errors.UnpriceableRequest` naming the usage field and the missing price.
Refusing is the point: a price the catalog does not state is never taken to be zero, and a
usage field a rule does not price is never ignored -- unless its quantity is zero, which costs
nothing at any price.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from modelcatalog.errors import UnpriceableRequest
from modelcatalog.pricing.money import LineItem, Rate, catalog_decimal, line_item, rate
from modelcatalog.pricing.usage import SELECTOR_FIELDS, Usage
from modelcatalog.spec.pricing import (
    AsrPricing,
    ExtendedLlmPricing,
    ImagePricing,
    InpaintPricing,
    LlmPricing,
    MusicPricing,
    Price,
    QualityPrices,
    TtsPricing,
)

__all__ = ["RULES", "Rule"]

PER_MILLION = 1_000_000
PER_THOUSAND = 1_000

#: Price key -> usage field of a token-priced model, in the order items are listed.
TOKEN_PRICES = (
    ("input", "input_tokens"),
    ("cache_input", "cache_read_tokens"),
    ("cache_write", "cache_write_tokens"),
    ("output", "output_tokens"),
)
TOKEN_FIELDS = tuple(field for _, field in TOKEN_PRICES)

Rule = Callable[[Any, Any, Usage], list[LineItem]]


def refuse_unpriced(usage: Usage, priced: Iterable[str], what: str) -> None:
    """Refuse any given usage field outside ``priced`` (zero quantities cost nothing)."""
    allowed = tuple(dict.fromkeys(priced))
    for name, value in usage.given():
        if name in allowed or (name not in SELECTOR_FIELDS and value == 0):
            continue
        prices = ", ".join(allowed) or "nothing"
        raise UnpriceableRequest(
            f"{name}: {what} has no price for {name} (its pricing prices {prices})", field=name
        )


def llm_items(pricing: LlmPricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Text and embedding models: per million tokens, with the long-context tier."""
    refuse_unpriced(usage, TOKEN_FIELDS, "a token-priced model")
    tier: LlmPricing | ExtendedLlmPricing = pricing
    prefix = why = ""
    extended = pricing.extended
    if extended is not None:
        if extended.context_token_threshold is None:
            raise UnpriceableRequest(
                "the model has no price at pricing.extended.context_token_threshold"
            )
        threshold = catalog_decimal(
            extended.context_token_threshold, "extended.context_token_threshold"
        )
        prompt = (
            (usage.input_tokens or 0)
            + (usage.cache_read_tokens or 0)
            + (usage.cache_write_tokens or 0)
        )
        if prompt > threshold:
            tier, prefix = extended, "extended."
            why = f" (the prompt of {prompt} tokens is above the threshold of {threshold})"
    items = []
    for key, field in TOKEN_PRICES:
        quantity = getattr(usage, field)
        if quantity is None:
            continue
        price: Price | None = getattr(tier, key)
        if price is None and quantity == 0:
            continue
        if price is None:
            raise UnpriceableRequest(
                f"{field}: the model has no price at pricing.{prefix}{key}{why}", field=field
            )
        items.append(
            line_item(prefix + key, quantity, "tokens", rate(price, prefix + key), PER_MILLION)
        )
    return items


def image_items(pricing: ImagePricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Image generation: one price per image by quality, resolution or flat; upscales extra."""
    refuse_unpriced(usage, ("images", "resolution", "quality", "upscale"), "an image model")
    images = 1 if usage.images is None else usage.images
    base = base_rate(pricing, "generation", pricing.generation, spec, usage)
    items = [line_item(base.path, images, "images", base)]
    if usage.upscale is not None:
        items.append(upscale_item(pricing, usage.upscale, images))
    return items


def upscale_model_items(pricing: ImagePricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Upscale models: the factor's price per image; nothing is generated."""
    refuse_unpriced(usage, ("images", "upscale"), "an upscale model")
    if usage.upscale is None:
        raise UnpriceableRequest(
            "upscale: an upscale model is priced by factor; give upscale '2x' or '4x'",
            field="upscale",
        )
    return [upscale_item(pricing, usage.upscale, 1 if usage.images is None else usage.images)]


def inpaint_items(pricing: InpaintPricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Image edits: like image generation, with ``pricing.inpaint`` as the flat price."""
    refuse_unpriced(usage, ("images", "resolution", "quality"), "an inpaint model")
    images = 1 if usage.images is None else usage.images
    base = base_rate(pricing, "inpaint", pricing.inpaint, spec, usage)
    return [line_item(base.path, images, "images", base)]


def upscale_item(pricing: ImagePricing, factor: str, images: int) -> LineItem:
    prices = pricing.upscale
    price = None if prices is None else (prices.x2 if factor == "2x" else prices.x4)
    return line_item(f"upscale.{factor}", images, "images", rate(price, f"upscale.{factor}"))


def base_rate(
    pricing: ImagePricing | InpaintPricing,
    flat_key: str,
    flat: Price | None,
    spec: Any,
    usage: Usage,
) -> Rate:
    """Per-image rate: ``quality`` if priced, else ``resolutions``, else the flat price."""
    resolution, resolution_given = choice(usage, spec, "resolution", "defaultResolution")
    quality, quality_given = choice(usage, spec, "quality", "defaultQuality")
    if pricing.quality is not None:
        row: QualityPrices = keyed(pricing.quality, "quality", "resolution", resolution)
        level = required_choice(quality, "quality", f"quality.{resolution}")
        price = getattr(row, level) if level in QualityPrices.model_fields else None
        if price is None:
            raise UnpriceableRequest(
                f"quality: the model has no price at pricing.quality.{resolution}.{level}; "
                f"priced: {', '.join(row.to_wire())}",
                field="quality",
            )
        return rate(price, f"quality.{resolution}.{level}")
    accept_unpriced_choice(quality, quality_given, spec, "quality", "qualities")
    if pricing.resolutions is not None:
        price = keyed(pricing.resolutions, "resolutions", "resolution", resolution)
        return rate(price, f"resolutions.{resolution}")
    accept_unpriced_choice(resolution, resolution_given, spec, "resolution", "resolutions")
    return rate(flat, flat_key)


def choice(usage: Usage, spec: Any, field: str, default_key: str) -> tuple[str | None, bool]:
    """The usage's choice for ``field`` or the model's default, and whether it was given."""
    given: str | None = getattr(usage, field)
    if given is not None:
        return given, True
    default = constraint(spec, default_key)
    return (default if isinstance(default, str) else None), False


def constraint(spec: Any, key: str) -> Any:
    constraints = None if spec is None else spec.constraints
    if isinstance(constraints, dict):
        return constraints.get(key)
    return getattr(constraints, key, None)


def required_choice(value: str | None, field: str, path: str) -> str:
    if value is None:
        default = "defaultResolution" if field == "resolution" else "defaultQuality"
        raise UnpriceableRequest(
            f"{field}: the model prices by {field} at pricing.{path}, but the usage gives no "
            f"{field} and the model has no constraints.{default}",
            field=field,
        )
    return value


def keyed(table: dict[str, Any], path: str, field: str, key: str | None) -> Any:
    chosen = required_choice(key, field, path)
    if chosen not in table:
        raise UnpriceableRequest(
            f"{field}: the model has no price at pricing.{path}.{chosen}; "
            f"priced: {', '.join(table) or 'none'}",
            field=field,
        )
    return table[chosen]


def accept_unpriced_choice(
    value: str | None, given: bool, spec: Any, field: str, offered_key: str
) -> None:
    """A choice the pricing does not depend on is fine if the model offers it."""
    offered = constraint(spec, offered_key)
    if given and not (isinstance(offered, list) and value in offered):
        raise UnpriceableRequest(
            f"{field}: the model's pricing has no prices by {field} and the model does not "
            f"offer {field} {value!r} (constraints.{offered_key})",
            field=field,
        )


def tts_items(pricing: TtsPricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Text to speech: ``input`` per million characters."""
    refuse_unpriced(usage, ("characters",), "a text-to-speech model")
    characters = required_quantity(usage, "characters", "a text-to-speech model")
    return [line_item("input", characters, "characters", rate(pricing.input, "input"), PER_MILLION)]


def asr_items(pricing: AsrPricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Speech to text: ``per_audio_second`` times the seconds of audio."""
    refuse_unpriced(usage, ("audio_seconds",), "a speech-to-text model")
    seconds = required_quantity(usage, "audio_seconds", "a speech-to-text model")
    price = rate(pricing.per_audio_second, "per_audio_second")
    return [line_item("per_audio_second", seconds, "seconds", price)]


#: Music pricing scheme -> the usage field it prices.
MUSIC_SCHEMES = (
    ("generation", "generations"),
    ("durations", "seconds"),
    ("per_second", "seconds"),
    ("per_thousand_characters", "characters"),
)


def music_items(pricing: MusicPricing, spec: Any, usage: Usage) -> list[LineItem]:
    """Music and audio: per generation, by duration tier, per second or per 1000 characters."""
    schemes = [(key, field) for key, field in MUSIC_SCHEMES if getattr(pricing, key) is not None]
    if not schemes:
        raise UnpriceableRequest(
            "the model's pricing has none of pricing.generation, pricing.durations, "
            "pricing.per_second, pricing.per_thousand_characters"
        )
    refuse_unpriced(usage, [field for _, field in schemes], "this music model")
    items = []
    for key, field in schemes:
        if key == "generation":
            count = 1 if usage.generations is None else usage.generations
            items.append(line_item(key, count, "generations", rate(pricing.generation, key)))
            continue
        quantity = required_quantity(usage, field, f"a model priced by pricing.{key}")
        if key == "durations":
            items.append(duration_item(pricing.durations or {}, Decimal(quantity)))
        elif key == "per_second":
            items.append(line_item(key, quantity, "seconds", rate(pricing.per_second, key)))
        else:
            price = rate(pricing.per_thousand_characters, key)
            items.append(line_item(key, quantity, "characters", price, PER_THOUSAND))
    return items


def duration_item(tiers: dict[str, Any], seconds: Decimal) -> LineItem:
    """One generation at the price of the tier whose inclusive bounds hold ``seconds``."""
    bounds = {key: tier_bounds(key, tier) for key, tier in tiers.items()}
    matches = [key for key, (low, high) in bounds.items() if low <= seconds <= high]
    if not matches:
        listed = ", ".join(f"{key}: {low}-{high} s" for key, (low, high) in bounds.items())
        raise UnpriceableRequest(
            f"seconds: {seconds} s is in no tier of pricing.durations ({listed or 'none'})",
            field="seconds",
        )
    if len(matches) > 1:
        raise UnpriceableRequest(
            f"seconds: {seconds} s is in several tiers of pricing.durations "
            f"({', '.join(matches)}); the tiers overlap",
            field="seconds",
        )
    key = matches[0]
    return line_item(f"durations.{key}", 1, "generations", rate(tiers[key], f"durations.{key}"))


def tier_bounds(key: str, tier: Any) -> tuple[Decimal, Decimal]:
    path = f"durations.{key}"
    if tier.min_seconds is None or tier.max_seconds is None:
        raise UnpriceableRequest(f"pricing.{path} lacks min_seconds or max_seconds")
    low = catalog_decimal(tier.min_seconds, path, "min_seconds")
    return low, catalog_decimal(tier.max_seconds, path, "max_seconds")


def required_quantity(usage: Usage, field: str, what: str) -> int | Decimal:
    quantity: int | Decimal | None = getattr(usage, field)
    if quantity is None:
        raise UnpriceableRequest(f"{field}: {what} is priced by {field}; give it", field=field)
    return quantity


#: Pricing variant class -> its rule. Upscale models share the image variant (see quote.py).
RULES: dict[type[Any], Rule] = {
    LlmPricing: llm_items,
    ImagePricing: image_items,
    InpaintPricing: inpaint_items,
    TtsPricing: tts_items,
    AsrPricing: asr_items,
    MusicPricing: music_items,
}
