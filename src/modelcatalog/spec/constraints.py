"""Constraint objects of ``model_spec.constraints``, one variant per kind of model.

Like pricing, the OpenAPI's ``anyOf`` has no discriminator; the model's ``type`` picks the
variant (see :data:`modelcatalog.spec.record.CONSTRAINTS_BY_TYPE`).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import StrictBool, StrictStr

from modelcatalog.spec.base import Number, SpecModel

__all__ = [
    "ImageConstraints",
    "InpaintConstraints",
    "ParameterDefault",
    "Steps",
    "TextConstraints",
    "VideoConstraints",
]

QUALITIES = frozenset({"low", "medium", "high"})


class ParameterDefault(SpecModel):
    """The default of one sampling parameter."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("default",)

    default: Number | None = None


class Steps(SpecModel):
    """Diffusion step count: default and maximum."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("default", "max")

    default: Number | None = None
    max: Number | None = None


class TextConstraints(SpecModel):
    """Sampling defaults of a text model."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("temperature", "top_p")

    temperature: ParameterDefault | None = None
    top_p: ParameterDefault | None = None
    frequency_penalty: ParameterDefault | None = None
    presence_penalty: ParameterDefault | None = None
    repetition_penalty: ParameterDefault | None = None


class ImageConstraints(SpecModel):
    """What an image model accepts."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("promptCharacterLimit", "steps", "widthHeightDivisor")
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "defaultQuality": QUALITIES,
        "qualities": QUALITIES,
    }

    aspectRatios: list[StrictStr] | None = None
    defaultAspectRatio: StrictStr | None = None
    defaultResolution: StrictStr | None = None
    resolutions: list[StrictStr] | None = None
    defaultQuality: StrictStr | None = None
    qualities: list[StrictStr] | None = None
    promptCharacterLimit: Number | None = None
    steps: Steps | None = None
    widthHeightDivisor: Number | None = None


class VideoConstraints(SpecModel):
    """What a video model accepts. Note the snake_case keys, unlike image models."""

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "aspect_ratios",
        "resolutions",
        "durations",
        "model_type",
        "audio",
        "audio_configurable",
    )
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "model_type": frozenset({"image-to-video", "text-to-video", "video"}),
    }

    aspect_ratios: list[StrictStr] | None = None
    resolutions: list[StrictStr] | None = None
    durations: list[StrictStr] | None = None
    model_type: StrictStr | None = None
    audio: StrictBool | None = None
    audio_configurable: StrictBool | None = None
    prompt_character_limit: Number | None = None


class InpaintConstraints(SpecModel):
    """What an inpaint (image edit) model accepts."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("aspectRatios", "promptCharacterLimit", "combineImages")
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "defaultQuality": QUALITIES,
        "qualities": QUALITIES,
    }

    aspectRatios: list[StrictStr] | None = None
    promptCharacterLimit: Number | None = None
    combineImages: StrictBool | None = None
    singleImageAspectRatio: StrictBool | None = None
    defaultResolution: StrictStr | None = None
    resolutions: list[StrictStr] | None = None
    defaultQuality: StrictStr | None = None
    qualities: list[StrictStr] | None = None
