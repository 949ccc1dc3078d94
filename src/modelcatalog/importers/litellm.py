"""Import LiteLLM's price map (``model_prices_and_context_window.json``) as Venice records.

Each entry's ``mode`` gives the record's type (:data:`TYPE_BY_MODE`); other modes (rerank,
image_edit, realtime, ...) and entries without a mode are skipped with that as the reason.
Prices are read from the JSON text as decimals and converted exactly: a price per token times
a million is the catalog's price per million tokens, a price per image, per second (ASR) or per
character times a million (TTS) likewise. An entry without a price the record's pricing needs
is imported with **no** pricing -- price unknown, so a quote for it is refused -- never with 0.
Context and output limits, ``supports_*`` flags, ``deprecation_date`` and the provider are
mapped as listed in docs/import.md; every other key that says something is reported as lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from modelcatalog.errors import SourceError
from modelcatalog.importers.complete import Candidate, complete
from modelcatalog.importers.numbers import MILLION, json_number, scaled
from modelcatalog.importers.options import ImportOptions
from modelcatalog.importers.report import ImportResult, ReportBuilder
from modelcatalog.instants import format_instant, try_instant

__all__ = ["CAPABILITY_FLAGS", "NOT_INFORMATION", "TYPE_BY_MODE", "import_litellm"]

#: LiteLLM ``mode`` -> Venice ``type``.
TYPE_BY_MODE: dict[str, str] = {
    "chat": "text",
    "responses": "text",
    "embedding": "embedding",
    "image_generation": "image",
    "audio_transcription": "asr",
    "audio_speech": "tts",
    "video_generation": "video",
}

#: LiteLLM flag -> Venice capability of a text model. LiteLLM reads an absent flag as false
#: (``litellm.supports_vision`` and its siblings), so an absent one is mapped to false.
CAPABILITY_FLAGS: dict[str, str] = {
    "supports_function_calling": "supportsFunctionCalling",
    "supports_audio_input": "supportsAudioInput",
    "supports_reasoning": "supportsReasoning",
    "supports_response_schema": "supportsResponseSchema",
    "supports_vision": "supportsVision",
    "supports_video_input": "supportsVideoInput",
    "supports_web_search": "supportsWebSearch",
}

#: Keys that say where an entry came from rather than what the model is: not reported lost.
NOT_INFORMATION = frozenset(
    {"litellm_provider", "mode", "source", "metadata", "comment", "deprecation_source"}
)

#: The map's first entry documents its fields; it is no model.
_SAMPLE_SPEC = "sample_spec"
_EXTENDED = "_above_"


def import_litellm(raw: bytes, options: ImportOptions) -> ImportResult:
    """Venice records for the entries of a LiteLLM price map."""
    entries = _entries(raw, options.source)
    report = ReportBuilder(options.source, "litellm", entries=len(entries))
    candidates: list[Candidate] = []
    for key, entry in entries.items():
        if isinstance(entry, dict) and key != _SAMPLE_SPEC and not _wanted(entry, options):
            report.filtered += 1
            continue
        model_type = _type_or_skip(key, entry, report)
        if model_type is None:
            continue
        mapping = _Mapping(key, entry, model_type, report)
        candidates.append(Candidate(key, mapping.record(options)))
    return complete(candidates, options, report)


def _entries(raw: bytes, source: str) -> dict[str, Any]:
    try:
        # Decimals straight from the JSON text: a float would already have rounded the price.
        document = json.loads(raw, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"{source}: not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SourceError(
            f"{source}: not a LiteLLM price map: expected an object of model -> entry"
        )
    return document


def _type_or_skip(key: str, entry: Any, report: ReportBuilder) -> str | None:
    if key == _SAMPLE_SPEC:
        report.skip(key, "documentation entry", "the map's description of its own fields")
        return None
    if not isinstance(entry, dict):
        report.skip(key, "not an entry", "expected an object")
        return None
    mode = entry.get("mode")
    if mode is None:
        report.skip(key, "no mode", "without a mode the kind of model is unknown")
        return None
    model_type = TYPE_BY_MODE.get(mode) if isinstance(mode, str) else None
    if model_type is None:
        report.skip(key, f"mode {mode}", "no Venice model type for this mode")
    return model_type


def _wanted(entry: dict[str, Any], options: ImportOptions) -> bool:
    if options.modes is not None and entry.get("mode") not in options.modes:
        return False
    return options.providers is None or entry.get("litellm_provider") in options.providers


class _Mapping:
    """One entry being mapped: the keys it used, so that the rest can be reported lost."""

    def __init__(self, key: str, entry: dict[str, Any], model_type: str, report: ReportBuilder):
        self.key = key
        self.entry = entry
        self.type = model_type
        self.report = report
        self.used: set[str] = set(NOT_INFORMATION)

    def take(self, name: str) -> Any:
        self.used.add(name)
        return self.entry.get(name)

    def lose(self, what: str) -> None:
        self.report.lose(self.key, what)

    def record(self, options: ImportOptions) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        record: dict[str, Any] = {"id": self.key, "object": "model", "type": self.type}
        owner = options.owned_by or self.entry.get("litellm_provider")
        if isinstance(owner, str):
            record["owned_by"] = owner
        _SHAPERS[self.type](self, record, spec)
        self._deprecation(spec)
        record["model_spec"] = spec
        self._report_the_rest()
        return record

    def price(self, name: str, per: Decimal = Decimal(1)) -> int | float | None:
        """The price at ``name`` times ``per``, as a catalog number; None if absent or if it
        cannot be held exactly (reported)."""
        value = self.take(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.lose(f"{name} (not a number)")
            return None
        number = json_number(scaled(Decimal(value), per))
        if number is None:
            self.lose(f"{name} (not a price the catalog can hold exactly)")
        return number

    def limit(self, name: str) -> int | None:
        value = self.take(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if value is not None:
            self.lose(f"{name} (not a positive whole number)")
        return None

    def _deprecation(self, spec: dict[str, Any]) -> None:
        value = self.take("deprecation_date")
        if value is None:
            return
        instant = try_instant(value) if isinstance(value, str) else None
        if instant is None:
            self.lose("deprecation_date (not a date)")
            return
        removes_at = format_instant(instant.replace(microsecond=0))
        # No successor is remapped to: LiteLLM names one only as a hint (successor_model).
        spec["deprecation"] = {"autoRemap": False, "date": removes_at, "removesAt": removes_at}

    def _report_the_rest(self) -> None:
        for name, value in self.entry.items():
            if name not in self.used and value not in (None, False, [], {}, ""):
                self.lose(name)


def _text(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    context = mapping.limit("max_input_tokens")
    if context is not None:
        record["context_length"] = context
        spec["availableContextTokens"] = context
    output = mapping.limit("max_output_tokens")
    if output is not None and context is not None and output > context:
        mapping.lose("max_output_tokens (more than max_input_tokens, the context window)")
    elif output is not None:
        spec["maxCompletionTokens"] = output
    spec["capabilities"] = _capabilities(mapping)
    _token_pricing(mapping, spec, extended=True)
    _fit_extended(mapping, spec, context)


def _capabilities(mapping: _Mapping) -> dict[str, bool]:
    caps = {venice: mapping.take(flag) is True for flag, venice in CAPABILITY_FLAGS.items()}
    if caps["supportsResponseSchema"] and not caps["supportsFunctionCalling"]:
        # The catalog holds structured output to need tool calling (rule response-schema).
        caps["supportsResponseSchema"] = False
        mapping.lose("supports_response_schema (without supports_function_calling)")
    return caps


def _fit_extended(mapping: _Mapping, spec: dict[str, Any], context: int | None) -> None:
    """Drop the parts of a long-context tier the catalog's rules would refuse."""
    pricing = spec.get("pricing", {})
    tier = pricing.get("extended")
    if tier is None:
        return
    if context is not None and not tier["context_token_threshold"] < context:
        del pricing["extended"]
        mapping.lose("long-context prices (their threshold is not below max_input_tokens)")
        return
    for name in ("cache_input", "cache_write"):
        if name in tier and name not in pricing:
            del tier[name]
            mapping.lose(f"extended {name} price (no base {name} price)")


def _embedding(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    limit = mapping.limit("max_input_tokens")
    if limit is not None:
        spec["maxInputTokens"] = limit
    dimensions = mapping.limit("output_vector_size")
    if dimensions is not None:
        spec["embeddingDimensions"] = dimensions
    _token_pricing(mapping, spec, extended=False)


def _token_pricing(mapping: _Mapping, spec: dict[str, Any], *, extended: bool) -> None:
    prices = {
        "input": mapping.price("input_cost_per_token", MILLION),
        "output": mapping.price("output_cost_per_token", MILLION),
        "cache_input": mapping.price("cache_read_input_token_cost", MILLION),
        "cache_write": mapping.price("cache_creation_input_token_cost", MILLION),
    }
    pricing = {name: {"usd": usd} for name, usd in prices.items() if usd is not None}
    if extended:
        tier = _extended_tier(mapping)
        if tier is not None:
            pricing["extended"] = tier
    _priced(mapping, spec, pricing, required=("input", "output"))


def _extended_tier(mapping: _Mapping) -> dict[str, Any] | None:
    """The one long-context tier (``*_above_<N>k_tokens``) as ``extended``; entries with
    several tiers keep none of them (reported lost)."""
    thresholds = sorted(set(_thresholds(mapping.entry)))
    if len(thresholds) != 1:
        return None
    suffix = f"_above_{thresholds[0]}k_tokens"
    tier: dict[str, Any] = {"context_token_threshold": thresholds[0] * 1000}
    for name, key in (
        ("input", "input_cost_per_token"),
        ("output", "output_cost_per_token"),
        ("cache_input", "cache_read_input_token_cost"),
        ("cache_write", "cache_creation_input_token_cost"),
    ):
        usd = mapping.price(key + suffix, MILLION)
        if usd is not None:
            tier[name] = {"usd": usd}
    return tier if "input" in tier and "output" in tier else None


def _thresholds(entry: dict[str, Any]) -> Iterator[int]:
    bases = ("input_cost_per_token", "output_cost_per_token")
    for name in entry:
        base, sep, rest = name.partition(_EXTENDED)
        if sep and base in bases and rest.endswith("k_tokens") and rest[:-8].isdigit():
            yield int(rest[:-8])


def _priced(
    mapping: _Mapping, spec: dict[str, Any], pricing: dict[str, Any], required: tuple[str, ...]
) -> None:
    """Set ``pricing`` if it has every price in ``required``; else the price is unknown."""
    if all(name in pricing for name in required):
        spec["pricing"] = pricing
    elif pricing:
        absent = ", ".join(name for name in required if name not in pricing)
        mapping.lose(f"pricing ({', '.join(pricing)} without {absent}: price unknown)")


def _image(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    usd = mapping.price("output_cost_per_image")
    if usd is not None:
        # The contract's image pricing requires 2x/4x upscale prices, which LiteLLM does not
        # know: the per-image price cannot be served without inventing them.
        mapping.lose("output_cost_per_image (image pricing requires upscale prices)")


def _asr(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    usd = mapping.price("input_cost_per_second")
    _priced(
        mapping,
        spec,
        {} if usd is None else {"per_audio_second": {"usd": usd}},
        ("per_audio_second",),
    )


def _tts(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    usd = mapping.price("input_cost_per_character", MILLION)
    _priced(mapping, spec, {} if usd is None else {"input": {"usd": usd}}, ("input",))


def _video(mapping: _Mapping, record: dict[str, Any], spec: dict[str, Any]) -> None:
    """Video models have no pricing in the wire contract: their prices are reported lost."""


_SHAPERS: dict[str, Callable[[_Mapping, dict[str, Any], dict[str, Any]], None]] = {
    "text": _text,
    "embedding": _embedding,
    "image": _image,
    "asr": _asr,
    "tts": _tts,
    "video": _video,
}
