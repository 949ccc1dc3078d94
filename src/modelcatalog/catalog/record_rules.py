"""Rules about one model record: what its fields say must agree with each other.

Each rule is registered on :mod:`modelcatalog.catalog.rules`; its docstring's first paragraph
is what ``docs/catalog-format.md`` shows for it. Rules never assume a field is present (a
compatible-mode load keeps trimmed real data) and skip what another rule already reports.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Hashable, Iterable, Iterator
from datetime import datetime
from typing import Any, TypeGuard

from modelcatalog.catalog.ids import id_problem
from modelcatalog.catalog.rules import Problem, record_rule
from modelcatalog.instants import try_instant
from modelcatalog.spec.capabilities import TextCapabilities
from modelcatalog.spec.record import MODEL_TYPES, ModelRecord

__all__ = [
    "CONSTRAINTS",
    "PRICING",
    "SPEC",
    "dig",
    "fields_of",
    "is_number",
    "listed",
    "parse_instant",
]

Record = ModelRecord[Any]

SPEC = "model_spec"
CAPS = "model_spec.capabilities"
CONSTRAINTS = "model_spec.constraints"
PRICING = "model_spec.pricing"


def dig(value: Any, *names: str) -> Any:
    """``value.a.b`` for spec models and plain JSON alike; None when any step is absent."""
    for name in names:
        if value is None:
            return None
        # As fields_of(value), inlined: dig is called for every rule of every record.
        fields = value if type(value) is dict else getattr(value, "__dict__", None)
        value = fields.get(name) if fields is not None else None
    return value


def fields_of(value: Any) -> dict[str, Any] | None:
    """The fields of a spec model or a JSON object by name (absent ones None or missing).

    A spec model keeps its fields (absent ones as None) in ``__dict__``; reading it directly
    skips pydantic's slow path for names a model does not define. Rules that read several
    keys of one object look it up once with this rather than ``dig`` each key from the root:
    on a large catalog that is hundreds of thousands of calls fewer.
    """
    if type(value) is dict:
        return value
    fields: dict[str, Any] | None = getattr(value, "__dict__", None)
    return fields


def _caps(record: Record) -> TextCapabilities | None:
    caps = dig(record, "model_spec", "capabilities")
    return caps if isinstance(caps, TextCapabilities) else None


def listed(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values) or "none"


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TEXT = frozenset({"text"})
_MUSIC = frozenset({"music"})
_IMAGE = frozenset({"image"})
_VIDEO = frozenset({"video"})
_AUDIO_OUT = frozenset({"tts", "music"})
_EMBEDDING = frozenset({"embedding"})
_LLM_PRICED = frozenset({"text", "embedding"})
_IMAGE_PRICED = frozenset({"image", "upscale"})
_IMAGE_LIKE = frozenset({"image", "inpaint"})
_WITH_DEFAULTS = frozenset({"image", "inpaint", "tts", "music"})


@record_rule("identity", always_error=True)
def _identity(record: Record) -> Iterator[Problem]:
    """A model has a non-empty ``id`` and a ``type``; without them it cannot be listed."""
    if not record.id:
        yield Problem("id", "a model needs a non-empty id")
    if not record.type:
        yield Problem("type", "a model needs a type")


@record_rule("model-id")
def _model_id(record: Record) -> Iterator[Problem]:
    """A model id is at most 128 printable characters without whitespace or control characters,
    has no empty, ``.`` or ``..`` ``/``-segment, and does not collide with a route (ends in
    ``/retire``, ``/quote`` or ``/history``, or is ``traits``, ``compatibility_mapping`` or
    ``resolve``).
    """
    problem = id_problem(record.id) if record.id else None
    if problem is not None:
        yield Problem("id", f"{_shown(str(record.id))} {problem}")


def _shown(model_id: str) -> str:
    # The id may be 5,000 characters of anything; show a bounded, escaped start of it.
    return repr(model_id[:40] + ("..." if len(model_id) > 40 else ""))


@record_rule("context-length", types=_TEXT)
def _context_length(record: Record) -> Iterator[Problem]:
    """A text model's ``context_length`` equals ``model_spec.availableContextTokens``.

    The OpenAPI says the top-level field mirrors the spec's for OpenAI-compatible clients.
    """
    if record.type != "text" or record.context_length is None:
        return
    available = dig(record, "model_spec", "availableContextTokens")
    if record.context_length != available:
        shown = "missing" if available is None else available
        yield Problem(
            "context_length",
            f"is {record.context_length} but model_spec.availableContextTokens is {shown}; "
            "they must be equal",
        )


#: model_spec keys the OpenAPI describes as applying only to some types ("Only present for ...").
_SPEC_FIELD_TYPES: dict[str, frozenset[str]] = {
    "availableContextTokens": _TEXT,
    "maxCompletionTokens": _TEXT,
    "capabilities": _TEXT,
    "embeddingDimensions": _EMBEDDING,
    "maxInputTokens": _EMBEDDING,
    "supportsCustomDimensions": _EMBEDDING,
    "voice_cloning": frozenset({"tts"}),
    "voices": _AUDIO_OUT,
    "supported_formats": _AUDIO_OUT,
    "default_format": _AUDIO_OUT,
    **dict.fromkeys(
        (
            "supports_lyrics",
            "lyrics_required",
            "supports_force_instrumental",
            "default_voice",
            "supports_language_code",
            "supports_speed",
            "default_speed",
            "min_speed",
            "max_speed",
            "duration_options",
            "min_duration",
            "max_duration",
            "default_duration",
            "prompt_character_limit",
            "min_prompt_length",
            "lyrics_character_limit",
        ),
        _MUSIC,
    ),
}


@record_rule("field-for-type")
def _field_for_type(record: Record) -> Iterator[Problem]:
    """Fields the spec gives to some types only appear on those types.

    For example ``capabilities`` and ``context_length`` only on text models,
    ``voice_cloning`` only on TTS models, ``embeddingDimensions`` only on embedding models and
    the lyrics, speed and duration settings only on music models.
    """
    kind, spec = record.type, record.model_spec
    if kind not in MODEL_TYPES:
        return
    if record.context_length is not None and kind != "text":
        yield Problem("context_length", f"applies only to text models, not {kind}")
    if spec is None:
        return
    for key in spec.model_fields_set:
        allowed = _SPEC_FIELD_TYPES.get(key)
        if allowed is not None and kind not in allowed:
            yield Problem(
                f"{SPEC}.{key}", f"applies only to {listed(sorted(allowed))} models, not {kind}"
            )


#: Types whose model_spec.constraints the OpenAPI describes (text, image, video, inpaint).
_CONSTRAINED_TYPES = frozenset({"text", "image", "video", "inpaint"})


@record_rule("constraints-variant")
def _constraints_variant(record: Record) -> Iterator[Problem]:
    """Only text, image, video and inpaint models carry ``constraints``; the spec has no others."""
    kind = record.type
    constraints = dig(record, "model_spec", "constraints")
    if kind in MODEL_TYPES and kind not in _CONSTRAINED_TYPES and constraints is not None:
        yield Problem(
            f"{CONSTRAINTS}", f"the wire contract defines no constraints for {kind} models"
        )


@record_rule("reasoning-effort", types=_TEXT)
def _reasoning_effort(record: Record) -> Iterator[Problem]:
    """``reasoningEffortOptions`` and ``defaultReasoningEffort`` appear only with
    ``supportsReasoningEffort: true``, and the default is one of the options.
    """
    caps = _caps(record)
    if caps is None:
        return
    options, default = caps.reasoningEffortOptions, caps.defaultReasoningEffort
    if caps.supportsReasoningEffort is not True:
        for key in ("reasoningEffortOptions", "defaultReasoningEffort"):
            if getattr(caps, key) is not None:
                yield Problem(f"{CAPS}.{key}", "only allowed when supportsReasoningEffort is true")
        return
    if options is not None and not options:
        yield Problem(f"{CAPS}.reasoningEffortOptions", "lists no option")
    if default is not None and options is not None and default not in options:
        yield Problem(
            f"{CAPS}.defaultReasoningEffort",
            f"{default!r} is not one of reasoningEffortOptions ({listed(options)})",
        )


@record_rule("max-images", types=_TEXT)
def _max_images(record: Record) -> Iterator[Problem]:
    """``maxImages`` appears only with ``supportsMultipleImages: true`` and is at least 2."""
    caps = _caps(record)
    if caps is None or caps.maxImages is None:
        return
    if caps.supportsMultipleImages is not True:
        yield Problem(f"{CAPS}.maxImages", "only allowed when supportsMultipleImages is true")
    elif is_number(caps.maxImages) and caps.maxImages < 2:
        yield Problem(
            f"{CAPS}.maxImages", f"is {caps.maxImages}; a multi-image model takes at least 2"
        )


def _implication(record: Record, flag: str, needed: str) -> Iterator[Problem]:
    caps = _caps(record)
    if caps is not None and getattr(caps, flag) is True and getattr(caps, needed) is not True:
        yield Problem(f"{CAPS}.{flag}", f"is true but {needed} is not; {flag} requires {needed}")


@record_rule("multiple-images-vision", types=_TEXT)
def _multiple_images_need_vision(record: Record) -> Iterator[Problem]:
    """``supportsMultipleImages`` requires ``supportsVision`` ("only applicable when
    supportsVision is true").
    """
    return _implication(record, "supportsMultipleImages", "supportsVision")


@record_rule("e2ee-tee", types=_TEXT)
def _e2ee_needs_tee(record: Record) -> Iterator[Problem]:
    """``supportsE2EE`` requires ``supportsTeeAttestation`` (the key comes from attestation)."""
    return _implication(record, "supportsE2EE", "supportsTeeAttestation")


@record_rule("response-schema", types=_TEXT)
def _response_schema_needs_tools(record: Record) -> Iterator[Problem]:
    """``supportsResponseSchema`` requires ``supportsFunctionCalling``."""
    return _implication(record, "supportsResponseSchema", "supportsFunctionCalling")


#: (default key, list key, where): a default must be one of the values its list offers.
_DEFAULT_CHOICES = (
    ("defaultResolution", "resolutions", CONSTRAINTS),
    ("defaultQuality", "qualities", CONSTRAINTS),
    ("defaultAspectRatio", "aspectRatios", CONSTRAINTS),
    ("default_format", "supported_formats", SPEC),
    ("default_voice", "voices", SPEC),
)


@record_rule("default-choice", types=_WITH_DEFAULTS)
def _default_choice(record: Record) -> Iterator[Problem]:
    """A default (resolution, quality, aspect ratio, audio format, voice) is one of the values
    the model offers beside it.
    """
    spec = record.model_spec
    for default_key, list_key, where in _DEFAULT_CHOICES:
        holder = spec if where == SPEC else dig(spec, "constraints")
        default, offered = dig(holder, default_key), dig(holder, list_key)
        if default is None:
            continue
        if offered is None:
            yield Problem(f"{where}.{default_key}", f"is set but {list_key} is missing")
        elif default not in offered:
            yield Problem(
                f"{where}.{default_key}",
                f"{default!r} is not one of {list_key} ({listed(offered)})",
            )


@record_rule("completion-tokens", types=_TEXT)
def _completion_tokens(record: Record) -> Iterator[Problem]:
    """``maxCompletionTokens`` does not exceed ``availableContextTokens``."""
    spec = record.model_spec
    completion, window = dig(spec, "maxCompletionTokens"), dig(spec, "availableContextTokens")
    if is_number(completion) and is_number(window) and completion > window:
        yield Problem(
            f"{SPEC}.maxCompletionTokens",
            f"is {completion}, more than availableContextTokens ({window})",
        )


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 instant with a time zone, in UTC, or None when ``value`` is not one."""
    return try_instant(value, zone_required=True)


_DEPRECATION_DATES = ("date", "startsAt", "removesAt")


@record_rule("deprecation-dates")
def _deprecation_dates(record: Record) -> Iterator[Problem]:
    """``deprecation.date``, ``startsAt`` and ``removesAt`` are ISO 8601 instants with a zone."""
    deprecation = dig(record, "model_spec", "deprecation")
    for key in _DEPRECATION_DATES:
        value = dig(deprecation, key)
        if isinstance(value, str) and parse_instant(value) is None:
            yield Problem(
                f"{SPEC}.deprecation.{key}",
                f"{value[:80]!r} is not an ISO 8601 instant with a time zone in years 1 to "
                "9999 UTC (e.g. 2026-03-01T00:00:00Z)",
            )


def _instants(record: Record) -> dict[str, datetime]:
    deprecation = dig(record, "model_spec", "deprecation")
    found = {}
    for key in _DEPRECATION_DATES:
        value = dig(deprecation, key)
        instant = parse_instant(value) if isinstance(value, str) else None
        if instant is not None:
            found[key] = instant
    return found


@record_rule("deprecation-order")
def _deprecation_order(record: Record) -> Iterator[Problem]:
    """``deprecation.removesAt`` is not before ``startsAt``, and the legacy ``date`` is the
    same instant as ``removesAt`` (the spec: "same value as `date` today").
    """
    instants = _instants(record)
    removes, starts, legacy = (instants.get(k) for k in ("removesAt", "startsAt", "date"))
    where = f"{SPEC}.deprecation"
    if removes is not None and starts is not None and removes < starts:
        yield Problem(f"{where}.removesAt", "is before startsAt; warnings must start first")
    if removes is not None and legacy is not None and removes != legacy:
        yield Problem(f"{where}.date", "differs from removesAt; the legacy date is the sunset")


@record_rule("steps", types=_IMAGE)
def _steps(record: Record) -> Iterator[Problem]:
    """An image model's ``steps.default`` does not exceed ``steps.max``."""
    steps = dig(record, "model_spec", "constraints", "steps")
    default, most = dig(steps, "default"), dig(steps, "max")
    if is_number(default) and is_number(most) and default > most:
        yield Problem(f"{CONSTRAINTS}.steps.default", f"is {default}, above steps.max ({most})")


def _ordered(record: Record, keys: tuple[str, str, str]) -> Iterator[Problem]:
    """Yield a problem for each pair of (min, default, max) that is out of order."""
    spec = record.model_spec
    values = [(key, dig(spec, key)) for key in keys]
    present = [(key, value) for key, value in values if is_number(value)]
    for (low_key, low), (high_key, high) in itertools.pairwise(present):
        if low > high:
            yield Problem(f"{SPEC}.{high_key}", f"is {high}, below {low_key} ({low})")


@record_rule("speed-range", types=_MUSIC)
def _speed_range(record: Record) -> Iterator[Problem]:
    """``min_speed`` ≤ ``default_speed`` ≤ ``max_speed``, and none is set when
    ``supports_speed`` is false.
    """
    yield from _ordered(record, ("min_speed", "default_speed", "max_speed"))
    spec = record.model_spec
    if dig(spec, "supports_speed") is False:
        for key in ("min_speed", "default_speed", "max_speed"):
            if dig(spec, key) is not None:
                yield Problem(f"{SPEC}.{key}", "is set but supports_speed is false")


@record_rule("duration-range", types=_MUSIC)
def _duration_range(record: Record) -> Iterator[Problem]:
    """``min_duration`` ≤ ``default_duration`` ≤ ``max_duration``; every duration option lies
    in that range and the default is one of the options.
    """
    yield from _ordered(record, ("min_duration", "default_duration", "max_duration"))
    spec = record.model_spec
    low, high = dig(spec, "min_duration"), dig(spec, "max_duration")
    options = dig(spec, "duration_options") or []
    for index, option in enumerate(options):
        if (is_number(low) and option < low) or (is_number(high) and option > high):
            yield Problem(
                f"{SPEC}.duration_options[{index}]", f"{option} is outside {low}-{high} seconds"
            )
    default = dig(spec, "default_duration")
    if options and default is not None and default not in options:
        yield Problem(
            f"{SPEC}.default_duration",
            f"{default} is not one of duration_options ({listed(options)})",
        )


@record_rule("prompt-length", types=_MUSIC)
def _prompt_length(record: Record) -> Iterator[Problem]:
    """A music model's ``min_prompt_length`` does not exceed ``prompt_character_limit``."""
    spec = record.model_spec
    shortest, longest = dig(spec, "min_prompt_length"), dig(spec, "prompt_character_limit")
    if is_number(shortest) and is_number(longest) and shortest > longest:
        yield Problem(
            f"{SPEC}.min_prompt_length", f"is {shortest}, above prompt_character_limit ({longest})"
        )


@record_rule("lyrics", types=_MUSIC)
def _lyrics(record: Record) -> Iterator[Problem]:
    """``lyrics_required`` and ``lyrics_character_limit`` need ``supports_lyrics: true``."""
    spec = record.model_spec
    if spec is None or spec.supports_lyrics is True:
        return
    if spec.lyrics_required is True:
        yield Problem(f"{SPEC}.lyrics_required", "is true but supports_lyrics is not")
    if spec.lyrics_character_limit is not None:
        yield Problem(f"{SPEC}.lyrics_character_limit", "is set but supports_lyrics is not true")


@record_rule("video-audio", types=_VIDEO)
def _video_audio(record: Record) -> Iterator[Problem]:
    """A video model's audio can be configurable (``audio_configurable``) only if it has
    ``audio``.
    """
    constraints = dig(record, "model_spec", "constraints")
    configurable = dig(constraints, "audio_configurable") is True
    if record.type == "video" and configurable and dig(constraints, "audio") is not True:
        yield Problem(f"{CONSTRAINTS}.audio_configurable", "is true but audio is not")


@record_rule("voice-cloning")
def _voice_cloning(record: Record) -> Iterator[Problem]:
    """Voice cloning accepts at least one sample format, and ``x-catalog.publicVoiceCloning``
    is set only on a model that has ``voice_cloning``.
    """
    cloning = dig(record, "model_spec", "voice_cloning")
    formats = dig(cloning, "accepted_formats")
    if formats is not None and not formats:
        yield Problem(f"{SPEC}.voice_cloning.accepted_formats", "lists no format")
    public = dig(record, "x_catalog", "publicVoiceCloning")
    if public is True and cloning is None:
        yield Problem("x-catalog.publicVoiceCloning", "is true but the model has no voice_cloning")


#: Limits that count things, by the object holding them: whole numbers, at least 1 or 0.
_COUNTS: tuple[tuple[tuple[str, ...], tuple[tuple[str, int], ...]], ...] = (
    ((), (("context_length", 1), ("created", 0))),
    (
        ("model_spec",),
        (
            ("availableContextTokens", 1),
            ("maxCompletionTokens", 1),
            ("embeddingDimensions", 1),
            ("maxInputTokens", 1),
            ("prompt_character_limit", 1),
            ("min_prompt_length", 0),
            ("lyrics_character_limit", 1),
        ),
    ),
    (("model_spec", "capabilities"), (("maxImages", 1),)),
    (
        ("model_spec", "constraints"),
        (("promptCharacterLimit", 1), ("prompt_character_limit", 1), ("widthHeightDivisor", 1)),
    ),
    (("model_spec", "constraints", "steps"), (("default", 1), ("max", 1))),
    (("model_spec", "pricing", "extended"), (("context_token_threshold", 1),)),
)
#: Quantities that may be fractional but must be above zero, by the object holding them.
_POSITIVE: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("model_spec", "voice_cloning"), ("min_sample_seconds", "retention_days")),
    (
        ("model_spec",),
        ("min_speed", "default_speed", "max_speed", "min_duration", "max_duration"),
    ),
    (("model_spec",), ("default_duration",)),
)


def _located(holder: tuple[str, ...], key: str) -> str:
    return ".".join((*holder, key))


@record_rule("positive-limit")
def _positive_limit(record: Record) -> Iterator[Problem]:
    """Token, character, step, image and dimension limits are whole numbers of at least 1
    (``created`` and ``min_prompt_length`` at least 0); seconds, days and speeds are above 0.
    """
    for holder, limits in _COUNTS:
        parent = fields_of(dig(record, *holder))
        for key, least in limits if parent is not None else ():
            value = parent.get(key)  # type: ignore[union-attr]
            if is_number(value) and (not float(value).is_integer() or value < least):
                message = f"is {value}; expected a whole number of at least {least}"
                yield Problem(_located(holder, key), message)
    for holder, keys in _POSITIVE:
        parent = fields_of(dig(record, *holder))
        for key in keys if parent is not None else ():
            value = parent.get(key)  # type: ignore[union-attr]
            if is_number(value) and not value > 0:
                yield Problem(_located(holder, key), f"is {value}; expected a number above 0")


#: Lists of options, by the object holding them.
_LISTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("model_spec",),
        ("traits", "regionRestrictions", "voices", "supported_formats", "duration_options"),
    ),
    (("model_spec", "capabilities"), ("reasoningEffortOptions",)),
    (
        ("model_spec", "constraints"),
        ("aspectRatios", "aspect_ratios", "resolutions", "qualities", "durations"),
    ),
    (("model_spec", "voice_cloning"), ("accepted_formats",)),
)


@record_rule("unique-items")
def _unique_items(record: Record) -> Iterator[Problem]:
    """Lists of options (traits, voices, resolutions, aspect ratios, formats, ...) name each
    value once.
    """
    for holder, keys in _LISTS:
        parent = fields_of(dig(record, *holder))
        for key in keys if parent is not None else ():
            values = parent.get(key)  # type: ignore[union-attr]
            if isinstance(values, list):
                yield from _repeated(values, _located(holder, key))


def _repeated(values: list[Any], path: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    for index, value in enumerate(values):
        # Where no typed model checks the list first (constraints of asr), items may be any
        # JSON value, objects and lists included: compare those by how they are written.
        same = value if isinstance(value, Hashable) else (list, repr(value))
        if same in seen:
            yield Problem(f"{path}[{index}]", f"{value!r} is listed twice")
        seen.add(same)


_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


@record_rule("region-code")
def _region_code(record: Record) -> Iterator[Problem]:
    """``regionRestrictions`` holds ISO 3166-1 alpha-2 country codes such as ``US``."""
    for index, code in enumerate(dig(record, "model_spec", "regionRestrictions") or []):
        if not _COUNTRY_CODE.fullmatch(code):
            yield Problem(
                f"{SPEC}.regionRestrictions[{index}]",
                f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. US)",
            )


#: Sampling parameter -> (lowest, highest) default the chat API accepts.
_SAMPLING_RANGES = {
    "temperature": (0.0, 2.0),
    "top_p": (0.0, 1.0),
    "frequency_penalty": (-2.0, 2.0),
    "presence_penalty": (-2.0, 2.0),
    "repetition_penalty": (0.0, math.inf),
}


@record_rule("sampling-range", types=_TEXT)
def _sampling_range(record: Record) -> Iterator[Problem]:
    """Text sampling defaults lie in the ranges the chat API accepts: temperature 0-2,
    top_p 0-1, frequency and presence penalties -2 to 2, repetition penalty above 0.
    """
    if record.type != "text":
        return
    constraints = dig(record, "model_spec", "constraints")
    for key, (low, high) in _SAMPLING_RANGES.items():
        value = dig(constraints, key, "default")
        if not is_number(value):
            continue
        above_low = value > low if key == "repetition_penalty" else value >= low
        if not (above_low and value <= high):
            yield Problem(f"{CONSTRAINTS}.{key}.default", f"{value} is outside {low:g} to {high:g}")
