"""Pricing objects of ``model_spec.pricing``: one variant per kind of model.

The OpenAPI lists the variants as an ``anyOf`` with no discriminator; which one applies is
decided by the model's ``type`` (see :data:`modelcatalog.spec.record.PRICING_BY_TYPE`).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from modelcatalog.spec.base import Number, SpecModel

__all__ = [
    "AsrPricing",
    "DurationTier",
    "ExtendedLlmPricing",
    "ImagePricing",
    "InpaintPricing",
    "LlmPricing",
    "MusicPricing",
    "Price",
    "QualityPrices",
    "TtsPricing",
    "UpscalePricing",
]


class Price(SpecModel):
    """A price in US dollars and in DIEM."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("usd", "diem")

    usd: Number | None = None
    diem: Number | None = None


class ExtendedLlmPricing(SpecModel):
    """Rates that replace the base rates for a whole request above the threshold."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("context_token_threshold", "input", "output")

    context_token_threshold: Number | None = None
    input: Price | None = None
    output: Price | None = None
    cache_input: Price | None = None
    cache_write: Price | None = None


class LlmPricing(SpecModel):
    """Per-million-token prices of text and embedding models."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("input", "output")

    input: Price | None = None
    cache_input: Price | None = None
    cache_write: Price | None = None
    output: Price | None = None
    extended: ExtendedLlmPricing | None = None


class UpscalePricing(SpecModel):
    """Per-image upscale prices by factor."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("2x", "4x")

    x2: Price | None = Field(default=None, alias="2x")
    x4: Price | None = Field(default=None, alias="4x")


class QualityPrices(SpecModel):
    """Prices of one resolution by quality."""

    low: Price | None = None
    medium: Price | None = None
    high: Price | None = None


class ImagePricing(SpecModel):
    """Per-image prices of image and upscale models."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("upscale",)

    generation: Price | None = None
    resolutions: dict[str, Price] | None = None
    quality: dict[str, QualityPrices] | None = None
    upscale: UpscalePricing | None = None


class InpaintPricing(SpecModel):
    """Per-edit prices of inpaint (image edit) models."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("inpaint",)

    inpaint: Price | None = None
    resolutions: dict[str, Price] | None = None
    quality: dict[str, QualityPrices] | None = None


class TtsPricing(SpecModel):
    """Text-to-speech: price per million input characters."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("input",)

    input: Price | None = None


class AsrPricing(SpecModel):
    """Speech-to-text: price per second of audio."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("per_audio_second",)

    per_audio_second: Price | None = None


class DurationTier(SpecModel):
    """A music price for generations whose length falls in ``[min_seconds, max_seconds]``."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("usd", "diem", "min_seconds", "max_seconds")

    usd: Number | None = None
    diem: Number | None = None
    min_seconds: Number | None = None
    max_seconds: Number | None = None


class MusicPricing(SpecModel):
    """Music generation: one of four schemes (the OpenAPI's four music variants)."""

    generation: Price | None = None
    durations: dict[str, DurationTier] | None = None
    per_second: Price | None = None
    per_thousand_characters: Price | None = None
