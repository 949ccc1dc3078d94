"""A served model record made readable: facts, capabilities, constraints, pricing tables,
the deprecation timeline and the quote form's fields.

Everything here reads the record exactly as ``GET /api/v1/models/{id}`` serves it to the
caller, so a page never shows what the JSON hides (a staff-only voice cloning, a successor
the caller may not see).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from modelcatalog.catalog.lifecycle import Lifecycle
from modelcatalog.catalog.query import CAPABILITIES
from modelcatalog.pricing.usage import COUNT_FIELDS, SECOND_FIELDS, UPSCALE_FACTORS
from modelcatalog.web.render import date_text, number_text

__all__ = [
    "PriceTable",
    "QuoteField",
    "TimelineEvent",
    "capability_rows",
    "flatten",
    "other_facts",
    "price_summary",
    "price_tables",
    "quote_fields",
    "timeline",
]

#: What one unit of a price is, by model type.
UNITS = {
    "text": "per 1M tokens",
    "embedding": "per 1M tokens",
    "tts": "per 1M characters",
    "asr": "per second of audio",
    "image": "per image",
    "upscale": "per image",
    "inpaint": "per edit",
    "music": "per generation",
    "video": "per generation",
}
_LABELS = {
    "input": "Input",
    "output": "Output",
    "cache_input": "Cached input",
    "cache_write": "Cache write",
    "generation": "Generation",
    "inpaint": "Edit",
    "per_audio_second": "Audio second",
    "per_second": "Second",
    "per_thousand_characters": "1,000 characters",
    "2x": "Upscale 2x",
    "4x": "Upscale 4x",
    "resolutions": "By resolution",
    "upscale": "Upscale",
}
#: Keys shown in their own section, not under "Other properties".
_SHOWN = frozenset(
    {"name", "description", "pricing", "capabilities", "constraints", "deprecation", "traits"}
)


@dataclass(frozen=True, slots=True)
class PriceTable:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    date: str
    what: str
    #: A model id the event names (the replacement), linked on the page.
    link: str | None = None
    past: bool = True


@dataclass(frozen=True, slots=True)
class QuoteField:
    name: str
    label: str
    kind: str  # "number" or "choice"
    choices: tuple[str, ...] = field(default=())
    step: str = "1"


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _spec(record: Mapping[str, Any]) -> Mapping[str, Any]:
    return _dict(record.get("model_spec"))


def _is_price(value: Any) -> bool:
    return isinstance(value, dict) and ("usd" in value or "diem" in value)


def _money(value: Any, sign: str = "") -> str:
    return "—" if value is None else f"{sign}{number_text(value)}"


def _price_cells(price: Mapping[str, Any]) -> tuple[str, str]:
    return _money(price.get("usd"), "$"), _money(price.get("diem"))


def price_tables(record: Mapping[str, Any]) -> list[PriceTable]:
    """Every pricing variant of the record as tables, USD beside DIEM."""
    pricing = _dict(_spec(record).get("pricing"))
    unit = UNITS.get(str(record.get("type")), "")
    base: list[tuple[str, tuple[str, ...]]] = []
    tables: list[PriceTable] = []
    for key, value in pricing.items():
        label = _LABELS.get(key, key)
        if _is_price(value):
            base.append((label, _price_cells(value)))
        elif key == "extended" and isinstance(value, dict):
            tables.append(_extended(value, unit))
        elif key == "quality" and isinstance(value, dict):
            tables.append(_quality_matrix(value))
        elif key == "durations" and isinstance(value, dict):
            tables.append(_duration_tiers(value))
        elif isinstance(value, dict) and all(_is_price(v) for v in value.values()):
            rows = tuple((_LABELS.get(str(k), str(k)), _price_cells(v)) for k, v in value.items())
            tables.append(PriceTable(f"{label} ({unit})", ("", "USD", "DIEM"), rows))
        else:
            tables.append(PriceTable(label, ("", "Value"), (("", (_json(value),)),)))
    if base:
        tables.insert(0, PriceTable(f"Prices ({unit})", ("", "USD", "DIEM"), tuple(base)))
    return tables


def _extended(value: Mapping[str, Any], unit: str) -> PriceTable:
    threshold = number_text(value.get("context_token_threshold"))
    rows = tuple((_LABELS.get(k, k), _price_cells(v)) for k, v in value.items() if _is_price(v))
    caption = f"Extended context: requests above {threshold} tokens ({unit})"
    return PriceTable(caption, ("", "USD", "DIEM"), rows)


def _quality_matrix(value: Mapping[str, Any]) -> PriceTable:
    qualities: list[str] = []
    for prices in value.values():
        qualities += [q for q in _dict(prices) if q not in qualities]
    rows = []
    for resolution, prices in value.items():
        cells = []
        for quality in qualities:
            price = _dict(prices).get(quality)
            if _is_price(price):
                usd, diem = _price_cells(_dict(price))
                cells.append(f"{usd} / {diem} DIEM")
            else:
                cells.append("—")
        rows.append((resolution, tuple(cells)))
    caption = "By resolution and quality (USD / DIEM per image)"
    return PriceTable(caption, ("Resolution", *qualities), tuple(rows))


def _duration_tiers(value: Mapping[str, Any]) -> PriceTable:
    rows = []
    for key, tier in value.items():
        tier = _dict(tier)
        span = f"{number_text(tier.get('min_seconds'))} to {number_text(tier.get('max_seconds'))} s"
        rows.append((key, (span, *_price_cells(tier))))
    return PriceTable(
        "Duration tiers (per generation)", ("Tier", "Length", "USD", "DIEM"), tuple(rows)
    )


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def price_summary(record: Mapping[str, Any]) -> str:
    """One line for a listing: the first prices a reader compares, with their unit."""
    pricing = _dict(_spec(record).get("pricing"))
    unit = UNITS.get(str(record.get("type")), "")
    if _is_price(pricing.get("input")) and _is_price(pricing.get("output")):
        usd_in, usd_out = pricing["input"].get("usd"), pricing["output"].get("usd")
        return f"${number_text(usd_in)} in / ${number_text(usd_out)} out {unit}"
    for value in pricing.values():
        if _is_price(value):
            return f"${number_text(value.get('usd'))} {unit}"
    for value in pricing.values():
        for inner in _dict(value).values():
            if _is_price(inner):
                return f"from ${number_text(inner.get('usd'))} {unit}"
    return "—"


def capability_rows(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, value)`` of every capability the record states."""
    capabilities = _dict(_spec(record).get("capabilities"))
    labels = {key: label for key, label in CAPABILITIES.values()}
    rows = []
    for key, value in capabilities.items():
        shown = "yes" if value is True else "no" if value is False else _readable(value)
        rows.append((labels.get(key, key), shown))
    return rows


def _readable(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_readable(v) for v in value) or "—"
    if isinstance(value, dict):
        return _json(value)
    return number_text(value) if isinstance(value, int | float) else str(value)


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(dotted path, readable value)`` of every leaf; lists are one value."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, _readable(value)


def other_facts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The record's other fields: top-level keys, then ``model_spec`` keys not shown apart."""
    facts = [(k, _fact(k, v)) for k, v in record.items() if k not in ("model_spec", "id")]
    spec = _spec(record)
    facts += [(k, _readable(v)) for k, v in spec.items() if k not in _SHOWN]
    return facts


def _fact(key: str, value: Any) -> str:
    if key == "created" and isinstance(value, int | float):
        return date_text(value)
    return _readable(value)


def timeline(record: Mapping[str, Any], lifecycle: Lifecycle, now: datetime) -> list[TimelineEvent]:
    """Created, deprecated from, removed on, with the replacement the caller may see."""
    events = []
    created = record.get("created")
    if isinstance(created, int | float):
        events.append(TimelineEvent(date_text(created), "Added to the catalog"))
    deprecation = _dict(_spec(record).get("deprecation"))
    if not deprecation:
        return events
    starts = deprecation.get("startsAt")
    past = lifecycle.deprecated_from is None or lifecycle.deprecated_from <= now
    events.append(TimelineEvent(date_text(starts) if starts else "now", "Deprecated", past=past))
    replacement = deprecation.get("replacementModelId")
    if lifecycle.removal_text:
        removed = lifecycle.is_removed(now)
        remap = " (requests are remapped)" if deprecation.get("autoRemap") is True else ""
        what = ("Removed" if removed else "Removal") + remap
        events.append(TimelineEvent(date_text(lifecycle.removal_text), what, past=removed))
    if isinstance(replacement, str):
        events.append(TimelineEvent("", "Replaced by", link=replacement, past=False))
    return events


def quote_fields(record: Mapping[str, Any]) -> list[QuoteField]:
    """The usage fields the model's pricing can price, as form fields."""
    pricing = _dict(_spec(record).get("pricing"))
    model_type = str(record.get("type"))
    names: list[str] = []
    if model_type in ("text", "embedding"):
        names += ["input_tokens", "output_tokens"]
        names += [
            n
            for n, k in (
                ("cache_read_tokens", "cache_input"),
                ("cache_write_tokens", "cache_write"),
            )
            if k in pricing
        ]
    elif model_type in ("image", "inpaint"):
        names += ["images", "resolution", "quality"]
    elif model_type == "upscale":
        names += ["images", "upscale"]
    elif model_type == "tts":
        names.append("characters")
    elif model_type == "asr":
        names.append("audio_seconds")
    elif model_type == "music":
        names += ["generations", "seconds", "characters"]
    return [_quote_field(name, pricing) for name in names]


def _quote_field(name: str, pricing: Mapping[str, Any]) -> QuoteField:
    label = name.replace("_", " ").capitalize()
    if name == "upscale":
        return QuoteField(name, "Upscale factor", "choice", UPSCALE_FACTORS)
    if name == "resolution":
        keys = [*_dict(pricing.get("resolutions")), *_dict(pricing.get("quality"))]
        return QuoteField(name, label, "choice", tuple(dict.fromkeys(keys)))
    if name == "quality":
        qualities = [q for p in _dict(pricing.get("quality")).values() for q in _dict(p)]
        return QuoteField(name, label, "choice", tuple(dict.fromkeys(qualities)))
    step = "any" if name in SECOND_FIELDS else "1"
    assert name in COUNT_FIELDS or name in SECOND_FIELDS
    return QuoteField(name, label, "number", step=step)
