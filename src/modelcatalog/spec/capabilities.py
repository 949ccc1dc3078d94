"""``model_spec.capabilities`` of text models, and ``model_spec.voice_cloning`` of TTS models."""

from __future__ import annotations

from typing import ClassVar

from pydantic import StrictBool, StrictStr

from modelcatalog.spec.base import Number, SpecModel

__all__ = ["REASONING_EFFORTS", "TextCapabilities", "VoiceCloning"]

REASONING_EFFORTS = frozenset({"none", "minimal", "low", "medium", "high", "xhigh", "max"})


class TextCapabilities(SpecModel):
    """What a text model can do. The OpenAPI forbids keys beyond these."""

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "optimizedForCode",
        "quantization",
        "supportsFunctionCalling",
        "supportsAudioInput",
        "supportsReasoning",
        "supportsReasoningEffort",
        "supportsResponseSchema",
        "supportsMultipleImages",
        "supportsVision",
        "supportsVideoInput",
        "supportsWebSearch",
        "supportsLogProbs",
        "supportsTeeAttestation",
        "supportsE2EE",
        "supportsXSearch",
    )
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "quantization": frozenset({"fp4", "fp8", "fp16", "bf16", "int8", "int4", "not-available"}),
        "reasoningEffortOptions": REASONING_EFFORTS,
        "defaultReasoningEffort": REASONING_EFFORTS,
    }

    optimizedForCode: StrictBool | None = None
    quantization: StrictStr | None = None
    supportsFunctionCalling: StrictBool | None = None
    supportsAudioInput: StrictBool | None = None
    supportsReasoning: StrictBool | None = None
    supportsReasoningEffort: StrictBool | None = None
    reasoningEffortOptions: list[StrictStr] | None = None
    defaultReasoningEffort: StrictStr | None = None
    supportsResponseSchema: StrictBool | None = None
    supportsMultipleImages: StrictBool | None = None
    maxImages: Number | None = None
    supportsVision: StrictBool | None = None
    supportsVideoInput: StrictBool | None = None
    supportsWebSearch: StrictBool | None = None
    supportsLogProbs: StrictBool | None = None
    supportsTeeAttestation: StrictBool | None = None
    supportsE2EE: StrictBool | None = None
    supportsXSearch: StrictBool | None = None


class VoiceCloning(SpecModel):
    """How a TTS model clones a voice from a reference sample."""

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "mode",
        "accepted_formats",
        "min_sample_seconds",
        "retention_days",
    )
    ENUMS: ClassVar[dict[str, frozenset[str]]] = {
        "mode": frozenset({"zero_shot", "persistent"}),
    }

    mode: StrictStr | None = None
    accepted_formats: list[StrictStr] | None = None
    min_sample_seconds: Number | None = None
    retention_days: Number | None = None
