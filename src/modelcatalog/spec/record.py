"""The model record (one entry of a ``/models`` listing) and its ``model_spec``.

``ModelSpec`` is generic in its pricing and constraints objects; each model type gets its own
parametrisation, and :data:`MODEL_RECORD` picks the record class from the ``type`` key rather
than trying the OpenAPI's ``anyOf`` variants in order (an upscale model's pricing would match
the image variant, an embedding model's the LLM variant, by accident or not at all). A type
this release does not know (the live API once listed ``decision``) keeps pricing and
constraints as plain JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    Discriminator,
    Field,
    StrictBool,
    StrictStr,
    Tag,
    TypeAdapter,
)

from modelcatalog.spec.base import Number, SpecModel
from modelcatalog.spec.capabilities import TextCapabilities, VoiceCloning
from modelcatalog.spec.constraints import (
    ImageConstraints,
    InpaintConstraints,
    TextConstraints,
    VideoConstraints,
)
from modelcatalog.spec.pricing import (
    AsrPricing,
    ImagePricing,
    InpaintPricing,
    LlmPricing,
    MusicPricing,
    TtsPricing,
)

__all__ = [
    "CATALOG_EXTENSION_KEY",
    "MODEL_RECORD",
    "MODEL_TYPES",
    "CatalogExtension",
    "Deprecation",
    "ModelRecord",
    "ModelSpec",
    "parse_record",
]

#: The nine model types of the wire contract, in the order the OpenAPI lists them.
MODEL_TYPES: tuple[str, ...] = (
    "asr",
    "embedding",
    "image",
    "music",
    "text",
    "tts",
    "upscale",
    "inpaint",
    "video",
)

#: Top-level key of a record that holds operator-only settings; never served.
CATALOG_EXTENSION_KEY = "x-catalog"

JsonObject = dict[str, Any]
PricingT = TypeVar("PricingT")
ConstraintsT = TypeVar("ConstraintsT")


class Deprecation(SpecModel):
    """When a model is retired and what replaces it. Dates are ISO 8601 strings."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("autoRemap", "date", "removesAt")

    autoRemap: StrictBool | None = None
    date: StrictStr | None = None
    removesAt: StrictStr | None = None
    replacementModelId: StrictStr | None = None
    startsAt: StrictStr | None = None


class CatalogExtension(SpecModel):
    """Operator settings kept beside a record under ``x-catalog`` and stripped from listings."""

    publicVoiceCloning: StrictBool | None = None


class ModelSpec(SpecModel, Generic[PricingT, ConstraintsT]):
    """``model_spec``: everything the catalog says about a model."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("privacy",)
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "privacy": frozenset({"private", "anonymized"}),
    }

    availableContextTokens: Number | None = None
    maxCompletionTokens: Number | None = None
    beta: StrictBool | None = None
    betaModel: StrictBool | None = None
    privacy: StrictStr | None = None
    regionRestrictions: list[StrictStr] | None = None
    deprecation: Deprecation | None = None
    capabilities: TextCapabilities | None = None
    constraints: ConstraintsT | None = None
    description: StrictStr | None = None
    name: StrictStr | None = None
    modelSource: StrictStr | None = None
    offline: StrictBool | None = None
    pricing: PricingT | None = None
    traits: list[StrictStr] | None = None
    embeddingDimensions: Number | None = None
    maxInputTokens: Number | None = None
    supportsCustomDimensions: StrictBool | None = None
    supports_lyrics: StrictBool | None = None
    lyrics_required: StrictBool | None = None
    supports_force_instrumental: StrictBool | None = None
    voices: list[StrictStr] | None = None
    voice_cloning: VoiceCloning | None = None
    default_voice: StrictStr | None = None
    supports_language_code: StrictBool | None = None
    supports_speed: StrictBool | None = None
    default_speed: Number | None = None
    min_speed: Number | None = None
    max_speed: Number | None = None
    duration_options: list[Number] | None = None
    min_duration: Number | None = None
    max_duration: Number | None = None
    default_duration: Number | None = None
    supported_formats: list[StrictStr] | None = None
    default_format: StrictStr | None = None
    prompt_character_limit: Number | None = None
    min_prompt_length: Number | None = None
    lyrics_character_limit: Number | None = None


SpecT = TypeVar("SpecT", bound=ModelSpec[Any, Any])


class ModelRecord(SpecModel, Generic[SpecT]):
    """One model as listed by ``GET /models``."""

    REQUIRED: ClassVar[tuple[str, ...]] = ("id", "model_spec", "object", "owned_by", "type")
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "object": frozenset({"model"}),
        "owned_by": frozenset({"venice.ai"}),
        "type": frozenset(MODEL_TYPES),
    }

    context_length: Number | None = None
    created: Number | None = None
    id: StrictStr | None = None
    model_spec: SpecT | None = None
    object: StrictStr | None = None
    owned_by: StrictStr | None = None
    type: StrictStr | None = None
    x_catalog: CatalogExtension | None = Field(default=None, alias=CATALOG_EXTENSION_KEY)


class TextModel(ModelRecord[ModelSpec[LlmPricing, TextConstraints]]):
    """A chat/completions model (``type: text``)."""


class EmbeddingModel(ModelRecord[ModelSpec[LlmPricing, JsonObject]]):
    """An embeddings model; priced like a text model."""


class ImageModel(ModelRecord[ModelSpec[ImagePricing, ImageConstraints]]):
    """An image generation model."""


class UpscaleModel(ModelRecord[ModelSpec[ImagePricing, JsonObject]]):
    """An image upscaler; priced with the image variant (upscale factors, maybe generation)."""


class InpaintModel(ModelRecord[ModelSpec[InpaintPricing, InpaintConstraints]]):
    """An image edit (inpaint) model."""


class VideoModel(ModelRecord[ModelSpec[JsonObject, VideoConstraints]]):
    """A video generation model. The wire contract gives video no pricing variant."""


class TtsModel(ModelRecord[ModelSpec[TtsPricing, JsonObject]]):
    """A text-to-speech model."""


class AsrModel(ModelRecord[ModelSpec[AsrPricing, JsonObject]]):
    """A speech-to-text model."""


class MusicModel(ModelRecord[ModelSpec[MusicPricing, JsonObject]]):
    """A music or audio generation model."""


class OtherModel(ModelRecord[ModelSpec[JsonObject, JsonObject]]):
    """A model of a type this release does not know; pricing and constraints kept as JSON."""


RECORD_CLASSES: dict[str, type[ModelRecord[Any]]] = {
    "text": TextModel,
    "embedding": EmbeddingModel,
    "image": ImageModel,
    "upscale": UpscaleModel,
    "inpaint": InpaintModel,
    "video": VideoModel,
    "tts": TtsModel,
    "asr": AsrModel,
    "music": MusicModel,
}

_OTHER = "other"


def _record_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) and kind in RECORD_CLASSES else _OTHER


MODEL_RECORD: TypeAdapter[ModelRecord[Any]] = TypeAdapter(
    Annotated[
        Annotated[TextModel, Tag("text")]
        | Annotated[EmbeddingModel, Tag("embedding")]
        | Annotated[ImageModel, Tag("image")]
        | Annotated[UpscaleModel, Tag("upscale")]
        | Annotated[InpaintModel, Tag("inpaint")]
        | Annotated[VideoModel, Tag("video")]
        | Annotated[TtsModel, Tag("tts")]
        | Annotated[AsrModel, Tag("asr")]
        | Annotated[MusicModel, Tag("music")]
        | Annotated[OtherModel, Tag(_OTHER)],
        Discriminator(_record_tag),
    ]
)


def parse_record(data: Any) -> ModelRecord[Any]:
    """Parse one record, choosing its class by ``type``. Raises ``pydantic.ValidationError``."""
    return MODEL_RECORD.validate_python(data)
