"""Model records built for the pricing tests, one per pricing variant and scheme.

The prices are the seed's (the OpenAPI examples and the live captures), with DIEM rates that
differ from USD where that catches a currency mix-up.
"""

from __future__ import annotations

from typing import Any

from modelcatalog.spec import parse_record
from modelcatalog.spec.record import ModelRecord


def price(usd: float | int, diem: float | int) -> dict[str, float | int]:
    return {"usd": usd, "diem": diem}


def record(model_type: str, pricing: Any, constraints: Any = None, **spec: Any) -> dict[str, Any]:
    model_spec: dict[str, Any] = {"privacy": "private", **spec}
    if pricing is not None:
        model_spec["pricing"] = pricing
    if constraints is not None:
        model_spec["constraints"] = constraints
    return {
        "id": f"test-{model_type}",
        "object": "model",
        "owned_by": "venice.ai",
        "type": model_type,
        "model_spec": model_spec,
    }


SEED_LLM: dict[str, Any] = {
    "input": price(0.7, 7),
    "cache_input": price(0.35, 3.5),
    "cache_write": price(7.5, 75),
    "output": price(2.8, 28),
    "extended": {
        "context_token_threshold": 200000,
        "input": price(11, 11),
        "output": price(41.25, 41.25),
        "cache_input": price(1.1, 1.1),
        "cache_write": price(13.75, 13.75),
    },
}
#: The seed's extended tier without a cache-read rate.
NO_EXTENDED_CACHE_READ = {
    **SEED_LLM,
    "extended": {k: v for k, v in SEED_LLM["extended"].items() if k != "cache_input"},
}
PLAIN_LLM = {"input": price(0.15, 1.5), "output": price(0.6, 6)}

UPSCALE = {"2x": price(0.02, 0.2), "4x": price(0.08, 0.8)}
#: The seed's gpt-image-2 matrix.
GPT_IMAGE_2_QUALITY = {
    "1K": {"low": price(0.02, 0.02), "medium": price(0.07, 0.07), "high": price(0.27, 0.27)},
    "2K": {"low": price(0.03, 0.03), "medium": price(0.13, 0.13), "high": price(0.5, 0.5)},
    "4K": {"low": price(0.05, 0.05), "medium": price(0.21, 0.21), "high": price(0.83, 0.83)},
}
IMAGE_CONSTRAINTS = {
    "promptCharacterLimit": 10000,
    "steps": {"default": 20, "max": 50},
    "widthHeightDivisor": 1,
    "defaultResolution": "1K",
    "resolutions": ["1K", "2K", "4K"],
    "defaultQuality": "high",
    "qualities": ["low", "medium", "high"],
}
PLAIN_IMAGE_CONSTRAINTS = {
    "promptCharacterLimit": 1500,
    "steps": {"default": 25, "max": 30},
    "widthHeightDivisor": 16,
}
ACE_STEP_DURATIONS = {
    "60": {**price(0.03, 0.3), "min_seconds": 60, "max_seconds": 60},
    "90": {**price(0.04, 0.4), "min_seconds": 61, "max_seconds": 90},
    "120": {**price(0.05, 0.5), "min_seconds": 91, "max_seconds": 120},
    "150": {**price(0.06, 0.6), "min_seconds": 121, "max_seconds": 150},
    "180": {**price(0.07, 0.7), "min_seconds": 151, "max_seconds": 180},
    "210": {**price(0.08, 0.8), "min_seconds": 181, "max_seconds": 210},
}

RECORDS: dict[str, dict[str, Any]] = {
    "text": record("text", SEED_LLM),
    "text-no-ext-cache-read": record("text", NO_EXTENDED_CACHE_READ),
    "text-plain": record("text", PLAIN_LLM),
    "embedding": record("embedding", PLAIN_LLM),
    "gpt-image-2": record(
        "image",
        {
            "resolutions": {
                "1K": price(0.27, 0.27),
                "2K": price(0.5, 0.5),
                "4K": price(0.83, 0.83),
            },
            "quality": GPT_IMAGE_2_QUALITY,
            "upscale": UPSCALE,
        },
        IMAGE_CONSTRAINTS,
    ),
    "image-resolutions": record(
        "image",
        {"resolutions": {"1K": price(0.03, 0.3), "2K": price(0.04, 0.4)}, "upscale": UPSCALE},
        {**PLAIN_IMAGE_CONSTRAINTS, "defaultResolution": "1K", "resolutions": ["1K", "2K"]},
    ),
    "image-flat": record(
        "image", {"generation": price(0.01, 0.1), "upscale": UPSCALE}, PLAIN_IMAGE_CONSTRAINTS
    ),
    "image-no-generation": record("image", {"upscale": UPSCALE}, PLAIN_IMAGE_CONSTRAINTS),
    "upscaler": record("upscale", {"generation": price(0.01, 0.1), "upscale": UPSCALE}),
    "inpaint-flat": record("inpaint", {"inpaint": price(0.094, 0.94)}),
    "inpaint-resolutions": record(
        "inpaint",
        {
            "inpaint": price(0.1, 0.1),
            "resolutions": {
                "1K": price(0.1, 0.1),
                "2K": price(0.14, 0.14),
                "4K": price(0.19, 0.19),
            },
        },
        {
            "aspectRatios": ["auto"],
            "promptCharacterLimit": 5000,
            "combineImages": False,
            "defaultResolution": "1K",
            "resolutions": ["1K", "2K", "4K"],
        },
    ),
    "inpaint-quality": record(
        "inpaint",
        {"inpaint": price(0.34, 3.4), "quality": GPT_IMAGE_2_QUALITY},
        {
            "aspectRatios": ["auto"],
            "promptCharacterLimit": 5000,
            "combineImages": False,
            "defaultResolution": "1K",
            "resolutions": ["1K", "2K", "4K"],
            "defaultQuality": "medium",
            "qualities": ["low", "medium", "high"],
        },
    ),
    "tts": record("tts", {"input": price(3.5, 35)}),
    "tts-int": record("tts", {"input": price(50, 500)}),
    "asr": record("asr", {"per_audio_second": price(0.000167, 0.00167)}),
    "music-generation": record("music", {"generation": price(0.1, 1)}),
    "music-durations": record("music", {"durations": ACE_STEP_DURATIONS}),
    "music-per-second": record("music", {"per_second": price(0.0023, 0.023)}),
    "music-characters": record("music", {"per_thousand_characters": price(0.115, 1.15)}),
    "video": record("video", None),
    "video-with-pricing": record("video", {"per_video": price(1, 1)}),
    "decision": record("decision", {"per_decision": price(1, 1)}),
    "text-unpriced": record("text", None),
}


def model(name: str) -> ModelRecord[Any]:
    """A parsed test record by name."""
    return parse_record(RECORDS[name])
