"""Hypothesis strategies for valid catalog data: model records of all nine types, and catalogs.

Everything drawn here passes strict validation: the strategies build each field consistently
with the others (a default among its options, a replacement of the same type that outlives the
model, duration tiers that do not overlap...). Keys come in a shuffled order at every level so
that round-trip tests also check that key order is kept, and prices are drawn as integers and
as floats, as real data has both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from modelcatalog.spec.capabilities import REASONING_EFFORTS
from modelcatalog.spec.record import MODEL_TYPES

__all__ = ["CatalogData", "catalogs", "model_records", "records_of_type"]

Json = dict[str, Any]
Draw = Callable[[st.SearchStrategy[Any]], Any]

_WORD = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
_TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
_QUALITIES = ("low", "medium", "high")
_EFFORTS = sorted(REASONING_EFFORTS)


def model_ids() -> st.SearchStrategy[str]:
    """Ids as real catalogs spell them: lower and upper case, dots, and vendor prefixes."""
    body = st.from_regex(
        r"[a-z][a-z0-9]{0,8}(-[A-Za-z0-9]{1,5}){0,3}(\.[0-9]){0,1}", fullmatch=True
    )
    vendor = st.sampled_from(["", "", "", "openai/", "fal-ai/"])
    return st.builds(lambda prefix, rest: prefix + rest, vendor, body)


def _amount() -> st.SearchStrategy[int | float]:
    return st.one_of(
        st.integers(0, 200),
        st.floats(0, 200, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 6)),
    )


def _price(draw: Draw) -> Json:
    return {"usd": draw(_amount()), "diem": draw(_amount())}


def _shuffled(draw: Draw, value: Any) -> Any:
    """The same JSON with the keys of every object in a drawn order."""
    if isinstance(value, dict):
        keys = draw(st.permutations(list(value)))
        return {key: _shuffled(draw, value[key]) for key in keys}
    if isinstance(value, list):
        return [_shuffled(draw, item) for item in value]
    return value


def _maybe(draw: Draw, target: Json, key: str, strategy: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


def _unique(strategy: st.SearchStrategy[Any], least: int = 0, most: int = 5) -> Any:
    return st.lists(strategy, min_size=least, max_size=most, unique=True)


def _common(draw: Draw) -> Json:
    spec: Json = {"name": draw(_TEXT), "privacy": draw(st.sampled_from(["private", "anonymized"]))}
    _maybe(draw, spec, "description", _TEXT)
    _maybe(draw, spec, "modelSource", _WORD.map(lambda w: f"https://huggingface.co/{w}"))
    _maybe(draw, spec, "offline", st.booleans())
    _maybe(draw, spec, "beta", st.booleans())
    _maybe(draw, spec, "betaModel", st.booleans())
    _maybe(draw, spec, "regionRestrictions", _unique(st.from_regex(r"[A-Z]{2}", fullmatch=True), 1))
    spec["traits"] = []
    return spec


def _capabilities(draw: Draw) -> Json:
    flag = st.booleans()
    caps: Json = {
        "optimizedForCode": draw(flag),
        "quantization": draw(st.sampled_from(["fp4", "fp8", "fp16", "bf16", "int8", "int4"])),
        "supportsFunctionCalling": draw(flag),
        "supportsAudioInput": draw(flag),
        "supportsReasoning": draw(flag),
        "supportsReasoningEffort": draw(flag),
        "supportsVision": draw(flag),
        "supportsVideoInput": draw(flag),
        "supportsWebSearch": draw(flag),
        "supportsLogProbs": draw(flag),
        "supportsTeeAttestation": draw(flag),
        "supportsXSearch": draw(flag),
    }
    caps["supportsResponseSchema"] = caps["supportsFunctionCalling"] and draw(flag)
    caps["supportsMultipleImages"] = caps["supportsVision"] and draw(flag)
    caps["supportsE2EE"] = caps["supportsTeeAttestation"] and draw(flag)
    if caps["supportsMultipleImages"] and draw(flag):
        caps["maxImages"] = draw(st.integers(2, 64))
    if caps["supportsReasoningEffort"]:
        options = draw(_unique(st.sampled_from(_EFFORTS), 1, 7))
        caps["reasoningEffortOptions"] = options
        caps["defaultReasoningEffort"] = draw(st.sampled_from(options))
    return caps


def _llm_pricing(draw: Draw, window: int | None) -> Json:
    pricing: Json = {"input": _price(draw), "output": _price(draw)}
    for key in ("cache_input", "cache_write"):
        if draw(st.booleans()):
            pricing[key] = _price(draw)
    if window is not None and window > 1 and draw(st.booleans()):
        extended = {
            "context_token_threshold": draw(st.integers(1, window - 1)),
            "input": _price(draw),
            "output": _price(draw),
        }
        extended |= {key: _price(draw) for key in ("cache_input", "cache_write") if key in pricing}
        pricing["extended"] = extended
    return pricing


def _sampling(draw: Draw) -> Json:
    def default(low: float, high: float) -> Json:
        value = draw(st.floats(low, high, allow_nan=False).map(lambda v: round(v, 3)))
        return {"default": value}

    constraints = {"temperature": default(0, 2), "top_p": default(0, 1)}
    for key, low, high in (("frequency_penalty", -2, 2), ("presence_penalty", -2, 2)):
        if draw(st.booleans()):
            constraints[key] = default(low, high)
    if draw(st.booleans()):
        constraints["repetition_penalty"] = default(0.5, 2)
    return constraints


@st.composite
def _text(draw: Draw) -> tuple[Json, Json]:
    window = draw(st.integers(1024, 2_000_000))
    spec = {
        "availableContextTokens": window,
        "capabilities": _capabilities(draw),
        "constraints": _sampling(draw),
        "pricing": _llm_pricing(draw, window),
    }
    _maybe(draw, spec, "maxCompletionTokens", st.integers(1, window))
    top: Json = {"context_length": window} if draw(st.booleans()) else {}
    return top, spec


def _choice_of(draw: Draw, target: Json, list_key: str, default_key: str, values: Any) -> None:
    """Offer some of ``values`` under ``list_key`` and maybe a default among them."""
    offered = draw(_unique(st.sampled_from(values), 1, len(values)))
    target[list_key] = offered
    if draw(st.booleans()):
        target[default_key] = draw(st.sampled_from(offered))


def _image_choices(draw: Draw, constraints: Json, pricing: Json) -> None:
    """The resolution x quality matrix: constraints and the prices that go with them."""
    _choice_of(draw, constraints, "resolutions", "defaultResolution", ["1K", "2K", "4K"])
    pricing["resolutions"] = {r: _price(draw) for r in constraints["resolutions"]}
    if draw(st.booleans()):
        _choice_of(draw, constraints, "qualities", "defaultQuality", list(_QUALITIES))
        priced = draw(_unique(st.sampled_from(constraints["resolutions"]), 1))
        pricing["quality"] = {
            r: {
                q: _price(draw) for q in draw(_unique(st.sampled_from(constraints["qualities"]), 1))
            }
            for r in priced
        }


@st.composite
def _image(draw: Draw) -> tuple[Json, Json]:
    most = draw(st.integers(1, 150))
    constraints: Json = {
        "promptCharacterLimit": draw(st.integers(1, 10000)),
        "steps": {"default": draw(st.integers(1, most)), "max": most},
        "widthHeightDivisor": draw(st.sampled_from([1, 8, 16, 64])),
    }
    if draw(st.booleans()):
        ratios = ["1:1", "3:2", "16:9", "2:3", "9:16"]
        _choice_of(draw, constraints, "aspectRatios", "defaultAspectRatio", ratios)
    pricing: Json = {}
    if draw(st.booleans()):
        _image_choices(draw, constraints, pricing)
    else:
        pricing["generation"] = _price(draw)
    pricing["upscale"] = {"2x": _price(draw), "4x": _price(draw)}
    return {}, {"constraints": constraints, "pricing": pricing}


@st.composite
def _upscale(draw: Draw) -> tuple[Json, Json]:
    pricing: Json = {"upscale": {"2x": _price(draw), "4x": _price(draw)}}
    _maybe(draw, pricing, "generation", st.builds(dict, usd=_amount(), diem=_amount()))
    return {}, {"pricing": pricing}


@st.composite
def _inpaint(draw: Draw) -> tuple[Json, Json]:
    constraints: Json = {
        "aspectRatios": draw(_unique(st.sampled_from(["auto", "1:1", "16:9", "9:16"]), 0, 4)),
        "promptCharacterLimit": draw(st.integers(1, 10000)),
        "combineImages": draw(st.booleans()),
    }
    _maybe(draw, constraints, "singleImageAspectRatio", st.booleans())
    pricing: Json = {"inpaint": _price(draw)}
    if draw(st.booleans()):
        _image_choices(draw, constraints, pricing)
    return {}, {"constraints": constraints, "pricing": pricing}


@st.composite
def _video(draw: Draw) -> tuple[Json, Json]:
    audio = draw(st.booleans())
    constraints: Json = {
        "aspect_ratios": draw(_unique(st.sampled_from(["16:9", "9:16", "1:1"]), 0, 3)),
        "resolutions": draw(_unique(st.sampled_from(["1080p", "720p", "480p"]), 0, 3)),
        "durations": draw(_unique(st.sampled_from(["4s", "5s", "8s", "10s"]), 0, 4)),
        "model_type": draw(st.sampled_from(["image-to-video", "text-to-video", "video"])),
        "audio": audio,
        "audio_configurable": audio and draw(st.booleans()),
    }
    _maybe(draw, constraints, "prompt_character_limit", st.integers(1, 5000))
    return {}, {"constraints": constraints}


def _voices(draw: Draw, spec: Json) -> None:
    _choice_of(draw, spec, "voices", "default_voice", ["Aria", "Roger", "Sarah", "af_alloy"])


@st.composite
def _tts(draw: Draw) -> tuple[Json, Json]:
    spec: Json = {"pricing": {"input": _price(draw)}}
    spec["voices"] = draw(_unique(_WORD, 1, 6))
    _choice_of(draw, spec, "supported_formats", "default_format", ["mp3", "wav", "flac", "opus"])
    if draw(st.booleans()):
        spec["voice_cloning"] = {
            "mode": draw(st.sampled_from(["zero_shot", "persistent"])),
            "accepted_formats": draw(_unique(st.sampled_from(["mp3", "wav", "flac", "mp4"]), 1)),
            "min_sample_seconds": draw(st.integers(1, 30)),
            "retention_days": draw(st.integers(1, 365)),
        }
    return {}, spec


@st.composite
def _asr(draw: Draw) -> tuple[Json, Json]:
    return {}, {"pricing": {"per_audio_second": _price(draw)}}


@st.composite
def _embedding(draw: Draw) -> tuple[Json, Json]:
    spec: Json = {"pricing": _llm_pricing(draw, None)}
    _maybe(draw, spec, "embeddingDimensions", st.sampled_from([256, 768, 1024, 4096]))
    _maybe(draw, spec, "maxInputTokens", st.integers(1, 32768))
    _maybe(draw, spec, "supportsCustomDimensions", st.booleans())
    return {}, spec


def _duration_tiers(draw: Draw) -> Json:
    bounds = sorted(draw(_unique(st.integers(1, 600), 2, 6)))
    return {
        str(high): {**_price(draw), "min_seconds": low + (index > 0), "max_seconds": high}
        for index, (low, high) in enumerate(itertools.pairwise(bounds))
    }


def _music_pricing(draw: Draw) -> Json:
    scheme = draw(st.sampled_from(["generation", "durations", "per_second", "per_thousand"]))
    if scheme == "durations":
        return {"durations": _duration_tiers(draw)}
    key = "per_thousand_characters" if scheme == "per_thousand" else scheme
    return {key: _price(draw)}


def _ordered_triple(draw: Draw, spec: Json, keys: tuple[str, str, str], values: Any) -> None:
    low, default, high = sorted(draw(st.lists(values, min_size=3, max_size=3)))
    for key, value in zip(keys, (low, default, high), strict=True):
        if draw(st.booleans()):
            spec[key] = value


@st.composite
def _music(draw: Draw) -> tuple[Json, Json]:
    spec: Json = {"pricing": _music_pricing(draw)}
    lyrics = draw(st.booleans())
    spec["supports_lyrics"] = lyrics
    if lyrics:
        spec["lyrics_required"] = draw(st.booleans())
        _maybe(draw, spec, "lyrics_character_limit", st.integers(1, 5000))
    speed = draw(st.booleans())
    spec["supports_speed"] = speed
    if speed:
        speeds = st.floats(0.25, 4, allow_nan=False).map(lambda v: round(v, 2))
        _ordered_triple(draw, spec, ("min_speed", "default_speed", "max_speed"), speeds)
    options = sorted(draw(_unique(st.integers(5, 600), 1, 4)))
    spec |= {"duration_options": options, "min_duration": options[0], "max_duration": options[-1]}
    _maybe(draw, spec, "default_duration", st.sampled_from(options))
    if draw(st.booleans()):
        _voices(draw, spec)
    _choice_of(draw, spec, "supported_formats", "default_format", ["mp3", "wav", "flac"])
    limit = draw(st.integers(1, 2000))
    spec |= {"prompt_character_limit": limit, "min_prompt_length": draw(st.integers(0, limit))}
    return {}, spec


_BUILDERS: dict[str, Callable[[], st.SearchStrategy[tuple[Json, Json]]]] = {
    "text": _text,
    "image": _image,
    "upscale": _upscale,
    "inpaint": _inpaint,
    "video": _video,
    "tts": _tts,
    "asr": _asr,
    "embedding": _embedding,
    "music": _music,
}
assert set(_BUILDERS) == set(MODEL_TYPES)

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _instant(days: int) -> str:
    return (_EPOCH + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def _deprecation(draw: Draw) -> Json:
    starts = draw(st.integers(0, 300))
    removes = starts + draw(st.integers(0, 120))
    deprecation: Json = {
        "autoRemap": draw(st.booleans()),
        "date": _instant(removes),
        "removesAt": _instant(removes),
    }
    if draw(st.booleans()):
        deprecation["startsAt"] = _instant(starts)
    return deprecation


@st.composite
def records_of_type(draw: Draw, model_type: str, model_id: str | None = None) -> Json:
    """One valid record of ``model_type``, keys in a drawn order."""
    top, spec = draw(_BUILDERS[model_type]())
    spec |= _common(draw)
    if draw(st.integers(0, 4)) == 0:
        spec["deprecation"] = _deprecation(draw)
    record: Json = {
        "id": model_id or draw(model_ids()),
        "type": model_type,
        "object": "model",
        "owned_by": "venice.ai",
        "created": draw(st.integers(1_600_000_000, 1_800_000_000)),
        "model_spec": spec,
        **top,
    }
    if model_type == "tts" and "voice_cloning" in spec and draw(st.booleans()):
        record["x-catalog"] = {"publicVoiceCloning": draw(st.booleans())}
    return dict(_shuffled(draw, record))


def model_records() -> st.SearchStrategy[Json]:
    """A valid record of any of the nine types."""
    return st.sampled_from(MODEL_TYPES).flatmap(records_of_type)


@dataclass
class CatalogData:
    """A drawn catalog: records in order and compatibility aliases by type."""

    records: list[Json]
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)


def _link_replacements(draw: Draw, records: list[Json]) -> None:
    """Point some deprecated models at a model of their type that is never removed."""
    staying: dict[str, list[str]] = {}
    for record in records:
        if "deprecation" not in record["model_spec"]:
            staying.setdefault(record["type"], []).append(record["id"])
    for record in records:
        deprecation = record["model_spec"].get("deprecation")
        candidates = staying.get(record["type"], [])
        if deprecation is not None and candidates and draw(st.booleans()):
            deprecation["replacementModelId"] = draw(st.sampled_from(candidates))


def _claim_traits(draw: Draw, records: list[Json]) -> None:
    """Give traits to some models, each trait to one model of its type."""
    names = draw(
        _unique(
            st.sampled_from(
                ["default", "fastest", "default_code", "most_uncensored", "default_vision"]
            ),
            0,
            5,
        )
    )
    for name in names:
        owner = draw(st.sampled_from(records))
        owner["model_spec"]["traits"].append(name)


def _aliases(draw: Draw, records: list[Json]) -> dict[str, dict[str, str]]:
    ids = {record["id"] for record in records}
    aliases: dict[str, dict[str, str]] = {}
    for alias in draw(
        _unique(st.from_regex(r"(gpt|claude|dall-e)-[0-9a-z]{1,4}", fullmatch=True), 0, 6)
    ):
        target = draw(st.sampled_from(records))
        if alias not in ids:
            aliases.setdefault(target["type"], {})[alias] = target["id"]
    return aliases


@st.composite
def catalogs(draw: Draw, max_models: int = 12) -> CatalogData:
    """A small valid catalog: unique ids, traits, replacements and aliases that all resolve."""
    ids = draw(_unique(model_ids(), 1, max_models))
    kinds = [draw(st.sampled_from(MODEL_TYPES)) for _ in ids]
    records = [
        draw(records_of_type(kind, model_id)) for kind, model_id in zip(kinds, ids, strict=True)
    ]
    _link_replacements(draw, records)
    _claim_traits(draw, records)
    return CatalogData(records, _aliases(draw, records))
