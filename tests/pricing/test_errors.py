"""Every way a quote is refused: the error type, the field it names and the missing price."""

from __future__ import annotations

import pytest

from modelcatalog.errors import InvalidUsage, UnpriceableRequest
from modelcatalog.pricing import parse_usage_json, quote
from modelcatalog.spec import parse_record

from .records import RECORDS, model, price, record

UNPRICEABLE = [
    # (record, usage, field named, words the message must contain)
    ("text-plain", '{"cache_read_tokens": 10}', "cache_read_tokens", "pricing.cache_input"),
    ("text-plain", '{"cache_write_tokens": 10}', "cache_write_tokens", "pricing.cache_write"),
    ("text-no-ext-cache-read", '{"input_tokens": 200000, "cache_read_tokens": 1}',
     "cache_read_tokens", "pricing.extended.cache_input"),
    ("text", '{"images": 1}', "images", "no price for images"),
    ("text", '{"resolution": "1K", "input_tokens": 1}', "resolution", "no price for resolution"),
    ("text", "{}", None, "nothing to price"),
    ("text", '{"images": 0}', None, "nothing to price"),
    ("embedding", '{"characters": 5}', "characters", "no price for characters"),
    ("gpt-image-2", '{"resolution": "8K"}', "resolution", "pricing.quality.8K"),
    ("gpt-image-2", '{"quality": "ultra"}', "quality", "pricing.quality.1K.ultra"),
    ("gpt-image-2", '{"input_tokens": 5}', "input_tokens", "no price for input_tokens"),
    ("image-resolutions", '{"resolution": "4K"}', "resolution", "pricing.resolutions.4K"),
    ("image-resolutions", '{"quality": "high"}', "quality", "no prices by quality"),
    ("image-flat", '{"resolution": "1K"}', "resolution", "no prices by resolution"),
    ("image-no-generation", "{}", None, "pricing.generation"),
    ("upscaler", "{}", "upscale", "give upscale '2x' or '4x'"),
    ("upscaler", '{"upscale": "2x", "resolution": "1K"}', "resolution", "an upscale model"),
    ("inpaint-flat", '{"upscale": "2x"}', "upscale", "no price for upscale"),
    ("inpaint-resolutions", '{"resolution": "8K"}', "resolution", "pricing.resolutions.8K"),
    ("tts", "{}", "characters", "priced by characters"),
    ("tts", '{"characters": 5, "seconds": 3}', "seconds", "no price for seconds"),
    ("asr", "{}", "audio_seconds", "priced by audio_seconds"),
    ("asr", '{"seconds": 3}', "seconds", "no price for seconds"),
    ("music-generation", '{"seconds": 30}', "seconds", "no price for seconds"),
    ("music-durations", "{}", "seconds", "priced by seconds"),
    ("music-durations", '{"seconds": 59}', "seconds", "no tier of pricing.durations"),
    ("music-durations", '{"seconds": 90.5}', "seconds", "no tier of pricing.durations"),
    ("music-durations", '{"seconds": 211}', "seconds", "no tier of pricing.durations"),
    ("music-durations", '{"seconds": 60, "generations": 2}', "generations",
     "no price for generations"),
    ("music-per-second", '{"characters": 2}', "characters", "no price for characters"),
    ("music-characters", '{"seconds": 2}', "seconds", "no price for seconds"),
    ("video", '{"seconds": 5}', None, "no pricing variant"),
    ("video-with-pricing", '{"seconds": 5}', None, "no pricing variant"),
    ("decision", '{"input_tokens": 5}', None, "no pricing variant"),
    ("text-unpriced", '{"input_tokens": 5}', None, "no pricing"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "usage", "field", "words"), UNPRICEABLE)
def test_unpriceable_request_names_the_missing_price(
    name: str, usage: str, field: str | None, words: str
) -> None:
    with pytest.raises(UnpriceableRequest) as caught:
        quote(model(name), parse_usage_json(usage))
    assert caught.value.field == field
    assert words in str(caught.value)


INVALID = [
    ('{"input_tokens": -1}', "input_tokens", "must not be negative"),
    ('{"audio_seconds": -0.5}', "audio_seconds", "must not be negative"),
    ('{"input_tokens": "12"}', "input_tokens", "must be a number"),
    ('{"input_tokens": true}', "input_tokens", "must be a number"),
    ('{"input_tokens": 1.5}', "input_tokens", "whole number"),
    ('{"seconds": [1]}', "seconds", "must be a number"),
    ('{"images": 1e19}', "images", "out of range"),
    ('{"seconds": 1.0000000000000000000000000000001}', "seconds", "out of range"),
    ('{"input_tokens": NaN}', None, "not valid JSON"),
    ('{"input_tokens": Infinity}', None, "not valid JSON"),
    ('{"upscale": "3x"}', "upscale", "'2x' or '4x'"),
    ('{"resolution": 1024}', "resolution", "non-empty string"),
    ('{"quality": ""}', "quality", "non-empty string"),
    ('{"tokens": 5}', "tokens", "unknown usage field 'tokens'"),
    ("[1, 2]", None, "must be a JSON object"),
    ("{", None, "not valid JSON"),
    (b"\xff", None, "not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field", "words"), INVALID)
def test_invalid_usage_names_the_field(body: str | bytes, field: str | None, words: str) -> None:
    with pytest.raises(InvalidUsage) as caught:
        quote(model("text"), parse_usage_json(body))
    assert caught.value.field == field
    assert words in str(caught.value)


def test_floats_from_python_are_refused() -> None:
    with pytest.raises(InvalidUsage, match="a float has already lost digits"):
        quote(model("asr"), {"audio_seconds": 0.1})


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.009200000000000002, "16 significant digits"),
        (0.0023000000000000004, "17 significant digits"),
        (-0.5, "is negative"),
        (float("inf"), "not a finite number"),
    ],
)
def test_untrustworthy_catalog_prices_are_refused(value: float, words: str) -> None:
    tts = parse_record(record("tts", {"input": price(value, 1)}))
    with pytest.raises(UnpriceableRequest, match=words) as caught:
        quote(tts, {"characters": 10})
    assert "pricing.input.usd" in str(caught.value)


def test_fifteen_significant_digits_are_trusted() -> None:
    tts = parse_record(record("tts", {"input": price(0.123456789012345, 1)}))
    assert str(quote(tts, {"characters": 1000000}).usd) == "0.123456789012345"


@pytest.mark.parametrize(
    ("pricing", "words"),
    [
        ({"input": {"usd": 1}}, "pricing.input has no diem"),
        ({"input": {"diem": 1}}, "pricing.input has no usd"),
    ],
)
def test_a_price_missing_a_currency_is_refused(pricing: object, words: str) -> None:
    with pytest.raises(UnpriceableRequest, match=words):
        quote(parse_record(record("tts", pricing)), {"characters": 1})


def test_extended_tier_without_threshold_is_refused() -> None:
    pricing = {"input": price(1, 1), "output": price(1, 1), "extended": {"input": price(2, 2)}}
    with pytest.raises(UnpriceableRequest, match="context_token_threshold"):
        quote(parse_record(record("text", pricing)), {"input_tokens": 1})


def test_overlapping_duration_tiers_are_refused() -> None:
    tiers = {
        "a": {**price(1, 1), "min_seconds": 1, "max_seconds": 60},
        "b": {**price(2, 2), "min_seconds": 60, "max_seconds": 90},
    }
    music = parse_record(record("music", {"durations": tiers}))
    assert quote(music, {"seconds": 59}).usd == 1
    with pytest.raises(UnpriceableRequest, match=r"several tiers .*\(a, b\)"):
        quote(music, {"seconds": 60})


def test_music_without_any_scheme_is_refused() -> None:
    with pytest.raises(UnpriceableRequest, match=r"none of pricing\.generation"):
        quote(parse_record(record("music", {})), {"generations": 1})


def test_image_priced_by_quality_needs_a_resolution() -> None:
    data = RECORDS["gpt-image-2"]
    spec = {**data["model_spec"], "constraints": {"promptCharacterLimit": 1}}
    with pytest.raises(UnpriceableRequest, match=r"no constraints\.defaultResolution") as caught:
        quote(parse_record({**data, "model_spec": spec}), {"quality": "low"})
    assert caught.value.field == "resolution"
    with pytest.raises(UnpriceableRequest, match=r"no constraints\.defaultQuality") as caught:
        quote(parse_record({**data, "model_spec": spec}), {"resolution": "1K"})
    assert caught.value.field == "quality"
