"""Hand-computed quotes for every pricing variant, and every tier boundary.

Each case: test record, usage JSON, expected USD and DIEM totals, expected line items as
``name quantity`` strings. The totals were worked out by hand from the prices in records.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from modelcatalog.pricing import decimal_text, parse_usage_json, quote

from .records import model

CASES = [
    # Text, seed prices: 0.7/7 in, 0.35/3.5 cache read, 7.5/75 cache write, 2.8/28 out.
    ("text", '{"input_tokens": 1000, "output_tokens": 500}', "0.0021", "0.021",
     ["input 1000", "output 500"]),
    ("text", '{"input_tokens": 1000, "cache_read_tokens": 2000, "cache_write_tokens": 3000,'
     ' "output_tokens": 500}', "0.0253", "0.253",
     ["input 1000", "cache_input 2000", "cache_write 3000", "output 500"]),
    ("text", '{"output_tokens": 1}', "0.0000028", "0.000028", ["output 1"]),
    # Exactly at the threshold (200000): base rates.
    ("text", '{"input_tokens": 200000, "output_tokens": 1000}', "0.1428", "1.428",
     ["input 200000", "output 1000"]),
    # One above: extended rates 11 / 41.25 for the whole request.
    ("text", '{"input_tokens": 200001, "output_tokens": 1000}', "2.241261", "2.241261",
     ["extended.input 200001", "extended.output 1000"]),
    # The prompt counts cache reads and writes: exactly at the threshold...
    ("text", '{"input_tokens": 100000, "cache_read_tokens": 50000,'
     ' "cache_write_tokens": 50000}', "0.4625", "4.625",
     ["input 100000", "cache_input 50000", "cache_write 50000"]),
    # ... and one above (extended cache write 13.75, cache read 1.1).
    ("text", '{"input_tokens": 100000, "cache_read_tokens": 50000,'
     ' "cache_write_tokens": 50001, "output_tokens": 0}', "1.84251375", "1.84251375",
     ["extended.input 100000", "extended.cache_input 50000", "extended.cache_write 50001",
      "extended.output 0"]),
    # No extended cache-read rate is fine while there are no cache reads.
    ("text-no-ext-cache-read", '{"input_tokens": 300000, "cache_read_tokens": 0}', "3.3",
     "3.3", ["extended.input 300000"]),
    ("text-plain", '{"input_tokens": 2000000, "output_tokens": 1000000}', "0.9", "9",
     ["input 2000000", "output 1000000"]),
    ("embedding", '{"input_tokens": 1234567}', "0.18518505", "1.8518505",
     ["input 1234567"]),
    # gpt-image-2: the seed's resolution x quality matrix; defaults 1K, high.
    ("gpt-image-2", "{}", "0.27", "0.27", ["quality.1K.high 1"]),
    ("gpt-image-2", '{"resolution": "1K", "quality": "low"}', "0.02", "0.02",
     ["quality.1K.low 1"]),
    ("gpt-image-2", '{"resolution": "1K", "quality": "medium"}', "0.07", "0.07",
     ["quality.1K.medium 1"]),
    ("gpt-image-2", '{"resolution": "1K", "quality": "high"}', "0.27", "0.27",
     ["quality.1K.high 1"]),
    ("gpt-image-2", '{"resolution": "2K", "quality": "low"}', "0.03", "0.03",
     ["quality.2K.low 1"]),
    ("gpt-image-2", '{"resolution": "2K", "quality": "medium"}', "0.13", "0.13",
     ["quality.2K.medium 1"]),
    ("gpt-image-2", '{"resolution": "2K", "quality": "high"}', "0.5", "0.5",
     ["quality.2K.high 1"]),
    ("gpt-image-2", '{"resolution": "4K", "quality": "low"}', "0.05", "0.05",
     ["quality.4K.low 1"]),
    ("gpt-image-2", '{"resolution": "4K", "quality": "medium"}', "0.21", "0.21",
     ["quality.4K.medium 1"]),
    ("gpt-image-2", '{"resolution": "4K", "quality": "high"}', "0.83", "0.83",
     ["quality.4K.high 1"]),
    ("gpt-image-2", '{"resolution": "2K", "quality": "medium", "images": 3}', "0.39", "0.39",
     ["quality.2K.medium 3"]),
    ("gpt-image-2", '{"quality": "low"}', "0.02", "0.02", ["quality.1K.low 1"]),
    ("gpt-image-2", '{"resolution": "4K", "quality": "low", "images": 2, "upscale": "4x"}',
     "0.26", "1.7", ["quality.4K.low 2", "upscale.4x 2"]),
    ("image-resolutions", '{"resolution": "2K", "images": 2}', "0.08", "0.8",
     ["resolutions.2K 2"]),
    ("image-resolutions", "{}", "0.03", "0.3", ["resolutions.1K 1"]),
    ("image-flat", '{"images": 4}', "0.04", "0.4", ["generation 4"]),
    ("image-flat", '{"images": 4, "upscale": "2x"}', "0.12", "1.2",
     ["generation 4", "upscale.2x 4"]),
    ("image-flat", '{"images": 0}', "0", "0", ["generation 0"]),
    ("upscaler", '{"upscale": "4x", "images": 3}', "0.24", "2.4", ["upscale.4x 3"]),
    ("upscaler", '{"upscale": "2x"}', "0.02", "0.2", ["upscale.2x 1"]),
    ("inpaint-flat", "{}", "0.094", "0.94", ["inpaint 1"]),
    ("inpaint-resolutions", '{"resolution": "4K", "images": 2}', "0.38", "0.38",
     ["resolutions.4K 2"]),
    ("inpaint-resolutions", "{}", "0.1", "0.1", ["resolutions.1K 1"]),
    ("inpaint-quality", '{"resolution": "2K"}', "0.13", "0.13", ["quality.2K.medium 1"]),
    ("inpaint-quality", '{"resolution": "4K", "quality": "high", "images": 2}', "1.66", "1.66",
     ["quality.4K.high 2"]),
    ("tts", '{"characters": 12345}', "0.0432075", "0.432075", ["input 12345"]),
    ("tts-int", '{"characters": 1000000}', "50", "500", ["input 1000000"]),
    ("asr", '{"audio_seconds": 90.5}', "0.0151135", "0.151135", ["per_audio_second 90.5"]),
    ("asr", '{"audio_seconds": 0.001}', "0.000000167", "0.00000167",
     ["per_audio_second 0.001"]),
    ("music-generation", "{}", "0.1", "1", ["generation 1"]),
    ("music-generation", '{"generations": 3}', "0.3", "3", ["generation 3"]),
    # Duration tiers have inclusive bounds: each tier at its min and its max.
    ("music-durations", '{"seconds": 60}', "0.03", "0.3", ["durations.60 1"]),
    ("music-durations", '{"seconds": 61}', "0.04", "0.4", ["durations.90 1"]),
    ("music-durations", '{"seconds": 90}', "0.04", "0.4", ["durations.90 1"]),
    ("music-durations", '{"seconds": 91}', "0.05", "0.5", ["durations.120 1"]),
    ("music-durations", '{"seconds": 150}', "0.06", "0.6", ["durations.150 1"]),
    ("music-durations", '{"seconds": 181}', "0.08", "0.8", ["durations.210 1"]),
    ("music-durations", '{"seconds": 210}', "0.08", "0.8", ["durations.210 1"]),
    ("music-per-second", '{"seconds": 12.5}', "0.02875", "0.2875", ["per_second 12.5"]),
    ("music-characters", '{"characters": 2500}', "0.2875", "2.875",
     ["per_thousand_characters 2500"]),
    ("music-characters", '{"characters": 1}', "0.000115", "0.00115",
     ["per_thousand_characters 1"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "usage", "usd", "diem", "items"), CASES)
def test_hand_computed_quote(name: str, usage: str, usd: str, diem: str, items: list[str]) -> None:
    result = quote(model(name), parse_usage_json(usage))
    assert (result.usd, result.diem) == (Decimal(usd), Decimal(diem))
    assert [f"{i.name} {decimal_text(i.quantity)}" for i in result.items] == items
    assert result.to_json()["usd"] == usd
    assert result.to_json()["diem"] == diem


def test_every_variant_has_cases() -> None:
    from .records import RECORDS

    quotable = {n for n in RECORDS if not n.startswith(("video", "decision", "text-unpriced"))}
    quotable -= {"image-no-generation"}
    assert quotable <= {case[0] for case in CASES}


def test_line_items_carry_exact_amounts() -> None:
    result = quote(model("text"), parse_usage_json('{"input_tokens": 3, "output_tokens": 7}'))
    assert [(i.unit, i.usd, i.diem) for i in result.items] == [
        ("tokens", Decimal("0.0000021"), Decimal("0.000021")),
        ("tokens", Decimal("0.0000196"), Decimal("0.000196")),
    ]
    assert result.usd == sum(i.usd for i in result.items)


def test_no_float_artefacts_in_the_sum() -> None:
    # 0.1 + 0.2 in binary is 0.30000000000000004; the quote is exactly 0.3.
    result = quote(model("music-generation"), parse_usage_json('{"generations": 3}'))
    assert decimal_text(result.usd) == "0.3"


def test_decimal_text_is_plain_notation() -> None:
    assert decimal_text(Decimal("1E-7")) == "0.0000001"
    assert decimal_text(Decimal("1.500")) == "1.5"
    assert decimal_text(Decimal("2E+3")) == "2000"
    assert decimal_text(Decimal("0E-8")) == "0"
