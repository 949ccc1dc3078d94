"""Properties every quote has, over generated catalogs and usages of every pricing variant."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from modelcatalog.errors import UnpriceableRequest
from modelcatalog.pricing import Quote, parse_usage_json, quote
from modelcatalog.pricing.usage import COUNT_FIELDS, SECOND_FIELDS, Usage
from modelcatalog.spec import parse_record

from .records import record

Case = tuple[dict[str, Any], dict[str, Any]]

# Prices as catalogs write them: up to six decimals, sometimes JSON integers.
amounts = st.one_of(
    st.integers(0, 100),
    st.decimals(0, 100, places=6).map(lambda d: float(str(d))),
)
# Extended or higher tiers never cost less than what they replace.
markups = st.decimals(0, 50, places=4)
tokens = st.integers(0, 10**7)


@st.composite
def price(draw: st.DrawFn, floor: Any = 0) -> dict[str, Any]:
    def above(value: Any) -> float:
        return float(str(Decimal(str(value)) + draw(markups)))

    return {
        "usd": above(floor["usd"] if floor else 0),
        "diem": above(floor["diem"] if floor else 0),
    }


@st.composite
def llm_case(draw: st.DrawFn) -> Case:
    pricing: dict[str, Any] = {"input": draw(price()), "output": draw(price())}
    for key in ("cache_input", "cache_write"):
        if draw(st.booleans()):
            pricing[key] = draw(price())
    if draw(st.booleans()):
        extended = {key: draw(price(value)) for key, value in pricing.items()}
        pricing["extended"] = {"context_token_threshold": draw(st.integers(0, 10**6)), **extended}
    usage = {"input_tokens": draw(tokens), "output_tokens": draw(tokens)}
    for key, field in (("cache_input", "cache_read_tokens"), ("cache_write", "cache_write_tokens")):
        if key in pricing:
            usage[field] = draw(tokens)
    return record(draw(st.sampled_from(["text", "embedding"])), pricing), usage


@st.composite
def image_case(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["image", "inpaint", "upscale"]))
    resolutions = ["1K", "2K", "4K"]
    base = "inpaint" if kind == "inpaint" else "generation"
    pricing: dict[str, Any] = {base: draw(price())}
    scheme = draw(st.sampled_from(["flat", "resolutions", "quality"]))
    if scheme != "flat":
        pricing["resolutions"] = {r: draw(price()) for r in resolutions}
    if scheme == "quality":
        pricing["quality"] = {
            r: {q: draw(price()) for q in ("low", "medium", "high")} for r in resolutions
        }
    if kind != "inpaint":
        two = draw(price())
        pricing["upscale"] = {"2x": two, "4x": draw(price(two))}
    usage: dict[str, Any] = {"images": draw(st.integers(0, 1000))}
    if kind == "upscale":
        usage["upscale"] = draw(st.sampled_from(["2x", "4x"]))
        return record(kind, pricing), usage
    constraints = {"defaultResolution": "1K", "defaultQuality": "high"}
    if scheme != "flat":
        usage["resolution"] = draw(st.sampled_from(resolutions))
    if scheme == "quality":
        usage["quality"] = draw(st.sampled_from(["low", "medium", "high"]))
    if kind == "image" and draw(st.booleans()):
        usage["upscale"] = draw(st.sampled_from(["2x", "4x"]))
    return record(kind, pricing, constraints), usage


@st.composite
def audio_case(draw: st.DrawFn) -> Case:
    seconds = st.decimals(0, 10**5, places=3)
    kind = draw(st.sampled_from(["tts", "asr", "generation", "per_second", "characters", "tiers"]))
    if kind == "tts":
        return record("tts", {"input": draw(price())}), {"characters": draw(tokens)}
    if kind == "asr":
        return record("asr", {"per_audio_second": draw(price())}), {"audio_seconds": draw(seconds)}
    if kind == "generation":
        usage = {"generations": draw(st.integers(0, 1000))}
        return record("music", {"generation": draw(price())}), usage
    if kind == "per_second":
        return record("music", {"per_second": draw(price())}), {"seconds": draw(seconds)}
    if kind == "characters":
        pricing = {"per_thousand_characters": draw(price())}
        return record("music", pricing), {"characters": draw(tokens)}
    return draw(tiers_case())


@st.composite
def tiers_case(draw: st.DrawFn) -> Case:
    """Contiguous whole-second tiers with rising prices."""
    tiers: dict[str, Any] = {}
    low, previous = 1, None
    for _ in range(draw(st.integers(1, 6))):
        high = low + draw(st.integers(0, 120))
        previous = {**draw(price(previous)), "min_seconds": low, "max_seconds": high}
        tiers[str(high)] = previous
        low = high + 1
    usage = {"seconds": draw(st.integers(1, low - 1))}
    return record("music", {"durations": tiers}), usage


cases = st.one_of(llm_case(), image_case(), audio_case())


def priced(data: dict[str, Any], usage: dict[str, Any]) -> Quote:
    return quote(parse_record(data), Usage(**usage))


@given(cases)
def test_quotes_are_never_negative(case: Case) -> None:
    result = priced(*case)
    assert result.usd >= 0 and result.diem >= 0
    assert all(item.usd >= 0 and item.diem >= 0 for item in result.items)


@given(cases)
def test_total_is_the_sum_of_the_line_items(case: Case) -> None:
    result = priced(*case)
    assert result.usd == sum((item.usd for item in result.items), Decimal(0))
    assert result.diem == sum((item.diem for item in result.items), Decimal(0))


@given(cases, st.data())
def test_quotes_are_monotone_in_each_quantity(case: Case, data: st.DataObject) -> None:
    record_data, usage = case
    quantities = [k for k in usage if k in COUNT_FIELDS or k in SECOND_FIELDS]
    field = data.draw(st.sampled_from(quantities))
    more = dict(usage, **{field: usage[field] + data.draw(st.integers(0, 10**6))})
    try:
        bigger = priced(record_data, more)
    except UnpriceableRequest:
        assume(False)  # a longer duration past the last tier has no price to compare
        raise
    smaller = priced(record_data, usage)
    assert bigger.usd >= smaller.usd and bigger.diem >= smaller.diem


@given(cases)
def test_quote_is_unchanged_by_a_json_round_trip_of_the_catalog(case: Case) -> None:
    record_data, usage = case
    parsed = parse_record(record_data)
    reread = parse_record(json.loads(json.dumps(parsed.to_wire())))
    assert quote(reread, Usage(**usage)) == quote(parsed, Usage(**usage))


@given(cases)
def test_usage_survives_its_json_form(case: Case) -> None:
    record_data, usage = case
    parsed = Usage(**usage)
    assert parse_usage_json(parsed.to_json_text()) == parsed
    assert priced(record_data, usage) == quote(parse_record(record_data), parsed)
