"""The default catalog that ships inside the package: complete, strictly valid, self-consistent."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import (
    CatalogModel,
    CatalogSnapshot,
    CheckedCatalog,
    Mode,
    check_catalog,
    read_source,
)
from modelcatalog.spec import MODEL_TYPES

#: The instant the catalog was assembled; its deprecations must still lie ahead of it.
ASSEMBLED = datetime(2026, 11, 25, tzinfo=UTC)
#: Top-level keys in the order the live API sends them.
WIRE_KEY_ORDER = ["context_length", "created", "id", "model_spec", "object", "owned_by", "type"]
TEXT_TRAITS = {
    "default",
    "fastest",
    "default_code",
    "default_vision",
    "default_reasoning",
    "function_calling_default",
    "most_intelligent",
    "most_uncensored",
}


def _usd(value: float) -> dict[str, float]:
    return {"usd": value, "diem": value}


@pytest.fixture(scope="module")
def checked() -> CheckedCatalog:
    return check_catalog(read_source(BUNDLED_CATALOG), Mode.STRICT)


@pytest.fixture(scope="module")
def snapshot(checked: CheckedCatalog) -> CatalogSnapshot:
    return CatalogSnapshot.from_checked(checked)


def _spec(model: CatalogModel) -> dict[str, Any]:
    spec: dict[str, Any] = model.wire["model_spec"]
    return spec


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_bundled_catalog_ships_inside_the_package() -> None:
    packaged = resources.files("modelcatalog") / "data" / "catalog"
    assert packaged.is_dir()
    assert Path(str(packaged)) == BUNDLED_CATALOG
    assert any(BUNDLED_CATALOG.rglob("*.yaml"))


def test_bundled_catalog_is_strictly_valid_with_no_findings(checked: CheckedCatalog) -> None:
    assert [str(f) for f in checked.findings] == []
    assert checked.ok


def test_validate_command_accepts_the_bundled_catalog_strictly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "modelcatalog", "validate", "--strict", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_every_file_holds_the_model_its_path_names(checked: CheckedCatalog) -> None:
    for entry in checked.entries:
        relative = Path(entry.origin.source).relative_to(BUNDLED_CATALOG)
        assert relative.as_posix() == f"{entry.record.type}/{entry.record.id}.yaml"


def test_records_are_wire_records_in_live_key_order(snapshot: CatalogSnapshot) -> None:
    for model in snapshot.models:
        expected = [key for key in WIRE_KEY_ORDER if key in model.wire]
        assert list(model.wire) == expected, model.id
        assert model.wire["object"] == "model"
        assert model.wire["owned_by"] == "venice.ai"
        assert isinstance(model.wire["created"], int)
        if model.type == "text":
            assert model.wire["context_length"] == _spec(model)["availableContextTokens"]
        else:
            assert "context_length" not in model.wire


def test_at_least_forty_models_covering_all_nine_types(snapshot: CatalogSnapshot) -> None:
    per_type = Counter(model.type for model in snapshot.models)
    assert len(snapshot.models) >= 40
    assert set(per_type) == set(MODEL_TYPES)
    # The captures hold only one upscale model; every other type has several real ones.
    assert all(count >= 2 for kind, count in per_type.items() if kind != "upscale"), per_type
    assert per_type["text"] >= 15


def test_deprecated_models_name_a_live_replacement_of_their_type(
    snapshot: CatalogSnapshot,
) -> None:
    deprecated = [m for m in snapshot.models if "deprecation" in _spec(m)]
    assert {_spec(m)["deprecation"]["autoRemap"] for m in deprecated} == {True, False}
    for model in deprecated:
        deprecation = _spec(model)["deprecation"]
        replacement = snapshot.by_id[deprecation["replacementModelId"]]
        assert replacement.type == model.type
        assert "deprecation" not in _spec(replacement)
        starts, removes = _instant(deprecation["startsAt"]), _instant(deprecation["removesAt"])
        assert starts <= removes
        assert removes > ASSEMBLED
        assert deprecation["date"] == deprecation["removesAt"]
        assert not _spec(model)["traits"], "a model on its way out holds no trait"


def test_a_beta_model_is_marked_for_beta_audiences(snapshot: CatalogSnapshot) -> None:
    beta = [m.id for m in snapshot.models if _spec(m).get("beta") is True]
    assert beta == ["qwen3-6-35b-a3b"]


def test_voice_cloning_is_public_on_one_model_and_staff_only_on_another(
    snapshot: CatalogSnapshot,
) -> None:
    cloning = {m.id: m for m in snapshot.of_type("tts") if "voice_cloning" in _spec(m)}
    assert set(cloning) == {"tts-chatterbox-hd", "tts-minimax-speech-02-hd"}
    for model in cloning.values():
        assert set(_spec(model)["voice_cloning"]) == {
            "mode",
            "accepted_formats",
            "min_sample_seconds",
            "retention_days",
        }
    assert cloning["tts-chatterbox-hd"].public_voice_cloning
    assert _spec(cloning["tts-chatterbox-hd"])["voice_cloning"]["mode"] == "zero_shot"
    assert not cloning["tts-minimax-speech-02-hd"].public_voice_cloning
    assert _spec(cloning["tts-minimax-speech-02-hd"])["voice_cloning"]["mode"] == "persistent"
    # The operator-only marker never reaches the wire.
    assert all("x-catalog" not in m.wire for m in snapshot.models)


def test_gpt_image_2_prices_the_resolution_by_quality_matrix(snapshot: CatalogSnapshot) -> None:
    spec = _spec(snapshot.by_id["gpt-image-2"])
    constraints, pricing = spec["constraints"], spec["pricing"]
    assert constraints["resolutions"] == ["1K", "2K", "4K"]
    assert constraints["qualities"] == ["low", "medium", "high"]
    assert constraints["defaultResolution"] == "1K"
    assert constraints["defaultQuality"] == "high"
    assert pricing["quality"] == {
        "1K": {"low": _usd(0.02), "medium": _usd(0.07), "high": _usd(0.27)},
        "2K": {"low": _usd(0.03), "medium": _usd(0.13), "high": _usd(0.5)},
        "4K": {"low": _usd(0.05), "medium": _usd(0.21), "high": _usd(0.83)},
    }
    assert "generation" not in pricing
    assert pricing["upscale"] == {"2x": _usd(0.02), "4x": _usd(0.08)}


def test_gpt_image_2_edit_prices_by_resolution(snapshot: CatalogSnapshot) -> None:
    model = snapshot.by_id["gpt-image-2-edit"]
    assert model.type == "inpaint"
    pricing = _spec(model)["pricing"]
    assert pricing["resolutions"] == {"1K": _usd(0.36), "2K": _usd(0.53), "4K": _usd(0.85)}
    assert set(pricing["quality"]) == {"1K", "2K", "4K"}


def test_a_text_model_has_the_full_extended_tier(snapshot: CatalogSnapshot) -> None:
    pricing = _spec(snapshot.by_id["claude-opus-4-6"])["pricing"]
    assert {"input", "output", "cache_input", "cache_write"} <= set(pricing)
    assert pricing["extended"] == {
        "context_token_threshold": 200000,
        "input": _usd(11),
        "output": _usd(41.25),
        "cache_input": _usd(1.1),
        "cache_write": _usd(13.75),
    }
    # Integer prices stay JSON integers, as the live API sends them.
    assert type(pricing["input"]["usd"]) is int


def test_text_models_cover_code_caching_reasoning_effort_and_images(
    snapshot: CatalogSnapshot,
) -> None:
    text = snapshot.of_type("text")
    capabilities = [_spec(m)["capabilities"] for m in text]
    assert sum(c["optimizedForCode"] for c in capabilities) >= 2
    assert any("defaultReasoningEffort" in c for c in capabilities)
    assert any(c["supportsMultipleImages"] and "maxImages" in c for c in capabilities)
    assert any(c["supportsE2EE"] for c in capabilities)
    assert any("cache_input" in _spec(m)["pricing"] for m in text)


def test_every_music_pricing_scheme_appears(snapshot: CatalogSnapshot) -> None:
    schemes = {key for m in snapshot.of_type("music") for key in _spec(m)["pricing"]}
    assert schemes == {"generation", "durations", "per_second", "per_thousand_characters"}


def test_embedding_models_state_their_dimensions(snapshot: CatalogSnapshot) -> None:
    for model in snapshot.of_type("embedding"):
        assert _spec(model)["embeddingDimensions"] > 0
        assert _spec(model)["maxInputTokens"] > 0


def test_video_models_list_aspect_ratios_some_empty(snapshot: CatalogSnapshot) -> None:
    ratios = [_spec(m)["constraints"]["aspect_ratios"] for m in snapshot.of_type("video")]
    assert [] in ratios
    assert any(ratios)


def test_traits_name_one_existing_model_of_their_type(snapshot: CatalogSnapshot) -> None:
    assert set(snapshot.traits["text"]) >= TEXT_TRAITS
    assert "default" in snapshot.traits["image"]
    for model_type, traits in snapshot.traits.items():
        for model_id in traits.values():
            assert snapshot.by_id[model_id].type == model_type
    claims = Counter(
        (model.type, trait) for model in snapshot.models for trait in _spec(model)["traits"]
    )
    assert max(claims.values()) == 1


def test_compatibility_aliases_point_at_models_of_their_type(snapshot: CatalogSnapshot) -> None:
    text = snapshot.aliases["text"]
    assert {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022"} <= set(text)
    assert len(text) >= 20
    for model_type, aliases in snapshot.aliases.items():
        for alias, model_id in aliases.items():
            assert snapshot.by_id[model_id].type == model_type, alias
            assert alias not in snapshot.by_id
