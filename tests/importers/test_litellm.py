"""Importing LiteLLM's real price map: counts, exact prices, unknown prices, filters."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import orjson
import pytest

from modelcatalog.catalog.findings import Mode, Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import ImportRefused, SourceError
from modelcatalog.importers import ImportOptions, ImportResult, import_catalog, read_source
from tests.importers.conftest import Upstream
from tests.importers.litellm_map import ALL_DEFAULTS, entries, providers, raw_map

MAPPED = {
    "chat": "text",
    "responses": "text",
    "embedding": "embedding",
    "image_generation": "image",
    "audio_transcription": "asr",
    "audio_speech": "tts",
    "video_generation": "video",
}
PRICE_KEYS = ("input_cost_per_token", "output_cost_per_token")


@pytest.fixture(scope="module")
def imported() -> ImportResult:
    options = ImportOptions(defaults=ALL_DEFAULTS, accepted_owned_by=providers())
    return import_catalog("litellm", raw_map(), options)


def _by_id(result: ImportResult) -> dict[str, dict[str, Any]]:
    return {str(m["id"]): m for m in result.models}


def test_counts_by_type_and_by_reason_match_the_file(imported: ImportResult) -> None:
    source = entries()
    modes = Counter(e.get("mode") for k, e in source.items() if k != "sample_spec")
    expected_types: Counter[str] = Counter()
    for mode, count in modes.items():
        if mode in MAPPED:
            expected_types[MAPPED[mode]] += count
    expected_reasons = {
        f"mode {m}": n for m, n in modes.items() if m is not None and m not in MAPPED
    }
    expected_reasons["no mode"] = modes[None]
    expected_reasons["documentation entry"] = 1

    report = imported.report
    assert report.entries == len(source) == 4878
    assert report.by_type == dict(expected_types)
    assert report.by_reason() == expected_reasons
    assert report.imported == sum(expected_types.values()) == len(imported.models)
    assert report.imported + len(report.skipped) == report.entries
    assert expected_types["text"] == 3471 + 205  # chat + responses, as the provenance counts


def test_every_imported_record_is_strictly_valid(imported: ImportResult) -> None:
    source = CatalogSource(
        records=[SourceRecord(Origin("t", str(i)), m) for i, m in enumerate(imported.models)]
    )
    checked = check_catalog(source, Mode.STRICT, owned_by=providers())
    assert checked.errors == ()


#: A dozen models across providers and types: record path -> LiteLLM key and per-unit factor.
NAMED: list[tuple[str, str, str, int]] = [
    ("gpt-4o", "input", "input_cost_per_token", 10**6),
    ("gpt-4o", "output", "output_cost_per_token", 10**6),
    ("gpt-4o", "cache_input", "cache_read_input_token_cost", 10**6),
    ("gpt-4o-mini", "input", "input_cost_per_token", 10**6),
    ("claude-sonnet-4-5", "cache_write", "cache_creation_input_token_cost", 10**6),
    ("claude-sonnet-4-5", "output", "output_cost_per_token", 10**6),
    ("gemini/gemini-2.5-pro", "input", "input_cost_per_token", 10**6),
    ("gemini/gemini-2.5-pro", "extended.input", "input_cost_per_token_above_200k_tokens", 10**6),
    ("gemini/gemini-2.5-pro", "extended.output", "output_cost_per_token_above_200k_tokens", 10**6),
    ("deepseek/deepseek-chat", "input", "input_cost_per_token", 10**6),
    ("deepseek/deepseek-chat", "cache_write", "cache_creation_input_token_cost", 10**6),
    ("mistral/mistral-large-latest", "output", "output_cost_per_token", 10**6),
    ("o3", "input", "input_cost_per_token", 10**6),
    ("gpt-5", "cache_input", "cache_read_input_token_cost", 10**6),
    ("azure/gpt-4o", "output", "output_cost_per_token", 10**6),
    ("text-embedding-3-small", "input", "input_cost_per_token", 10**6),
    ("text-embedding-3-large", "output", "output_cost_per_token", 10**6),
    ("whisper-1", "per_audio_second", "input_cost_per_second", 1),
    ("tts-1", "input", "input_cost_per_character", 10**6),
    ("tts-1-hd", "input", "input_cost_per_character", 10**6),
]


@pytest.mark.parametrize(("model_id", "path", "key", "factor"), NAMED)
def test_named_prices_are_the_files_exactly(
    imported: ImportResult, model_id: str, path: str, key: str, factor: int
) -> None:
    expected = entries()[model_id][key] * factor  # Decimal from the JSON text
    price: Any = _by_id(imported)[model_id]["model_spec"]["pricing"]
    for part in path.split("."):
        price = price[part]
    # The catalog reads a JSON number as the decimal its shortest form spells.
    assert Decimal(repr(price["usd"])) == expected
    assert Decimal(repr(price["diem"])) == expected  # --default diem=1: one DIEM per dollar


def test_the_long_context_threshold_is_the_files(imported: ImportResult) -> None:
    extended = _by_id(imported)["gemini/gemini-2.5-pro"]["model_spec"]["pricing"]["extended"]
    assert extended["context_token_threshold"] == 200_000


def test_limits_flags_and_deprecation_come_from_the_entry(imported: ImportResult) -> None:
    source, models = entries(), _by_id(imported)
    gpt = models["gpt-4o"]
    assert gpt["context_length"] == source["gpt-4o"]["max_input_tokens"]
    assert gpt["model_spec"]["maxCompletionTokens"] == source["gpt-4o"]["max_output_tokens"]
    caps = gpt["model_spec"]["capabilities"]
    assert caps["supportsVision"] is source["gpt-4o"].get("supports_vision", False)
    assert caps["supportsFunctionCalling"] is source["gpt-4o"].get(
        "supports_function_calling", False
    )
    dated = [k for k, e in source.items() if k in models and e.get("deprecation_date")]
    assert dated
    for key in dated[:50]:
        deprecation = models[key]["model_spec"]["deprecation"]
        assert deprecation["removesAt"] == f"{source[key]['deprecation_date']}T00:00:00Z"
        assert deprecation["autoRemap"] is False


def test_unknown_prices_stay_unknown_and_are_never_zero(imported: ImportResult) -> None:
    source, models = entries(), _by_id(imported)
    text_without_prices = [
        k
        for k, e in source.items()
        if k in models
        and MAPPED.get(e.get("mode")) in {"text", "embedding"}
        and not any(key in e for key in PRICE_KEYS)
    ]
    assert text_without_prices
    for key in text_without_prices:
        assert "pricing" not in models[key]["model_spec"], key
        assert key in imported.report.price_unknown
    free = [
        k
        for k, e in source.items()
        if k in models
        and MAPPED.get(e.get("mode")) == "text"
        and all(e.get(p) == 0 for p in PRICE_KEYS)
    ]
    assert free  # a stated price of 0 is a price: kept
    for key in free:
        assert models[key]["model_spec"]["pricing"]["input"]["usd"] == 0


def test_images_and_videos_have_no_price_and_say_why(imported: ImportResult) -> None:
    models = _by_id(imported)
    priced_images = [
        k
        for k, e in entries().items()
        if e.get("mode") == "image_generation" and "output_cost_per_image" in e
    ]
    lost = {entry.key: entry.lost for entry in imported.report.lossy}
    for key in priced_images:
        assert "pricing" not in models[key]["model_spec"]
        assert any("output_cost_per_image" in item for item in lost[key])


def test_whatever_is_not_mapped_is_reported_lost(imported: ImportResult) -> None:
    lost = {entry.key: set(entry.lost) for entry in imported.report.lossy}
    sonnet = lost["claude-sonnet-4-5"]
    assert "cache_creation_input_token_cost_above_1hr" in sonnet
    assert "supports_prompt_caching" in sonnet
    assert imported.report.lost_fields()["supports_tool_choice"] == sum(
        1 for k, e in entries().items() if k in _by_id(imported) and e.get("supports_tool_choice")
    )


def test_defaulted_records_are_named(imported: ImportResult) -> None:
    defaulted = imported.report.defaulted
    text_ids = {m["id"] for m in imported.models if m["type"] == "text"}
    assert set(defaulted["privacy"]) == {m["id"] for m in imported.models}
    assert set(defaulted["quantization"]) == text_ids
    assert set(defaulted["capabilities"]) == text_ids
    priced = {m["id"] for m in imported.models if "pricing" in m["model_spec"]}
    assert set(defaulted["diem"]) == priced


def test_without_defaults_the_import_is_refused_naming_each_field() -> None:
    options = ImportOptions(accepted_owned_by=providers())
    with pytest.raises(ImportRefused) as caught:
        import_catalog("litellm", raw_map(), options)
    assert set(caught.value.fields) == {"privacy", "quantization", "capabilities", "diem"}


def test_owners_the_catalog_does_not_accept_are_refused() -> None:
    with pytest.raises(ImportRefused, match="owned_by would be") as caught:
        import_catalog("litellm", raw_map(), ImportOptions(defaults=ALL_DEFAULTS))
    assert caught.value.fields == ("owned_by",)
    result = import_catalog(
        "litellm",
        raw_map(),
        ImportOptions(
            defaults=ALL_DEFAULTS,
            providers=frozenset({"openai"}),
            owned_by="venice.ai",
        ),
    )
    assert {m["owned_by"] for m in result.models} == {"venice.ai"}


def test_filters_keep_a_platforms_subset() -> None:
    options = ImportOptions(
        defaults=ALL_DEFAULTS,
        providers=frozenset({"openai", "anthropic"}),
        modes=frozenset({"chat"}),
        accepted_owned_by=frozenset({"openai", "anthropic"}),
    )
    result = import_catalog("litellm", raw_map(), options)
    wanted = {
        k
        for k, e in entries().items()
        if e.get("mode") == "chat" and e.get("litellm_provider") in {"openai", "anthropic"}
    }
    assert {m["id"] for m in result.models} == wanted
    assert result.report.filtered == result.report.entries - len(wanted) - 1  # sample_spec
    assert result.report.by_reason() == {"documentation entry": 1}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a LiteLLM price map"),
        (b"[" * 100_000, "not JSON"),
    ],
)
def test_what_is_not_a_price_map_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        import_catalog("litellm", raw, ImportOptions())


def test_a_price_the_catalog_cannot_hold_exactly_is_reported() -> None:
    entry = {
        "mode": "chat",
        "litellm_provider": "venice.ai",
        "input_cost_per_token": "0.0000012345678901234567",
        "output_cost_per_token": "0.000002",
    }
    raw = orjson.dumps({"odd": entry}).replace(
        b'"0.0000012345678901234567"', b"1.2345678901234567e-06"
    )
    result = import_catalog("litellm", raw, ImportOptions(defaults=ALL_DEFAULTS))
    assert "pricing" not in result.models[0]["model_spec"]
    assert any("input_cost_per_token (not a price" in i for i in result.report.lossy[0].lost)


def test_the_map_is_imported_over_http(upstream: Upstream) -> None:
    url = upstream.serve("/model_prices_and_context_window.json", raw_map())
    options = ImportOptions(
        defaults=ALL_DEFAULTS, modes=frozenset({"embedding"}), accepted_owned_by=providers()
    )
    fetched = import_catalog("litellm", read_source(url), options)
    local = import_catalog("litellm", raw_map(), options)
    assert fetched.models == local.models
    assert fetched.report.by_type == {"embedding": 157}
