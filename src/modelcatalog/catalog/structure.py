"""Checks that follow from the wire contract itself: JSON types, required keys, enums, unknown keys.

JSON type errors come from pydantic and are errors in every mode (a price that is a string
cannot be served or quoted). The rest are warnings in compatible mode and errors in strict mode.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from modelcatalog.catalog.findings import Finding, Mode, Origin, Severity
from modelcatalog.spec.base import NULL_VALUE, SpecModel

__all__ = ["STRUCTURE_CHECKS", "join_path", "structure_findings", "type_error_findings"]

#: The ``rule`` of each finding this module makes, and what it checks (shown in the docs).
STRUCTURE_CHECKS = {
    "type": "Every value has the JSON type the OpenAPI gives it (a price is a number, a flag a "
    "boolean) and is not null. An error in both modes: such a record cannot be served.",
    "unknown-key": "Every key is one the OpenAPI defines at that place. Unknown keys are kept "
    "verbatim and served; strict mode rejects them.",
    "required": "Every key the OpenAPI marks required is present (``privacy``, the 15 "
    "capability flags, a price's ``usd`` and ``diem``, ...).",
    "enum": "Values with an enum in the OpenAPI are one of its values (``type``, "
    "``quantization``, ``privacy``, qualities, ...). Unknown values are kept as they are.",
}

# Pydantic names the members of a union in an error's location; StrictInt | StrictFloat
# (a JSON number) would otherwise report every bad number twice.
_UNION_MEMBER_LOCS = frozenset({"int", "float", "str", "bool"})
_EXPECTED = {
    "int_type": "a number",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "a boolean",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def join_path(parts: Sequence[str | int]) -> str:
    """``("model_spec", "traits", 0)`` -> ``model_spec.traits[0]``."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def type_error_findings(error: ValidationError, origin: Origin) -> list[Finding]:
    """Turn a pydantic error of one record into located findings, one per bad value."""
    findings: dict[str, Finding] = {}
    for detail in error.errors(include_url=False):
        loc = list(detail["loc"][1:])  # the first element is the record-type tag
        if loc and loc[-1] in _UNION_MEMBER_LOCS:
            loc.pop()
        if detail["type"] == NULL_VALUE:
            loc.append(detail["ctx"]["key"])
        path = join_path(loc)
        findings.setdefault(path, _type_finding(detail, origin.at(path)))
    return list(findings.values())


def _type_finding(detail: Any, location: str) -> Finding:
    if detail["type"] == NULL_VALUE:
        return Finding(Severity.ERROR, location, "is null; omit the key instead", "type")
    expected = _EXPECTED.get(detail["type"])
    if expected is not None:
        message = f"expected {expected}, got {_json_repr(detail['input'])}"
    else:
        message = str(detail["msg"]).removeprefix("Value error, ")
    return Finding(Severity.ERROR, location, message, "type")


def _json_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def structure_findings(model: SpecModel, origin: Origin, mode: Mode) -> list[Finding]:
    """Unknown keys, missing required keys and out-of-enum values, recursively."""
    severity = Severity.ERROR if mode is Mode.STRICT else Severity.WARNING
    return [
        Finding(severity, origin.at(path), message, rule)
        for path, message, rule in _walk(model, ())
    ]


def _walk(model: SpecModel, prefix: tuple[str | int, ...]) -> Iterator[tuple[str, str, str]]:
    for key in model.unknown_keys():
        yield join_path((*prefix, key)), "unknown key (kept as it is)", "unknown-key"
    wire_name = _wire_name_map(type(model))
    values = model.__dict__
    # model_fields_set also names the unknown (extra) keys, reported above.
    present = {wire_name[n]: values[n] for n in model.model_fields_set if n in wire_name}
    for key in model.REQUIRED:
        if key not in present:
            yield join_path((*prefix, key)), "required key is missing", "required"
    for key, allowed in model.ENUMS.items():
        yield from _enum_problems(present.get(key), allowed, (*prefix, key))
    for key, value in present.items():
        yield from _walk_value(value, (*prefix, key))


def _wire_name_map(cls: type[SpecModel]) -> dict[str, str]:
    names: dict[str, str] | None = _WIRE_NAMES.get(cls)
    if names is None:
        names = {name: info.alias or name for name, info in cls.model_fields.items()}
        _WIRE_NAMES[cls] = names
    return names


_WIRE_NAMES: dict[type[SpecModel], dict[str, str]] = {}


def _walk_value(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str, str, str]]:
    # Spec models sit directly in fields or as values of keyed tables (prices by resolution);
    # plain JSON (unknown keys, pricing of an unknown type) holds none and needs no walk.
    if isinstance(value, SpecModel):
        yield from _walk(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, SpecModel):
                yield from _walk(item, (*path, key))


def _enum_problems(
    value: Any, allowed: frozenset[str], path: tuple[str | int, ...]
) -> Iterator[tuple[str, str, str]]:
    values = value if isinstance(value, list) else [value]
    choices = ", ".join(sorted(allowed))
    for index, item in enumerate(values):
        if item is not None and item not in allowed:
            where = (*path, index) if isinstance(value, list) else path
            yield join_path(where), f"{item!r} is not one of {choices}", "enum"
