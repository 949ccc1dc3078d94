"""Checks that follow from the wire contract itself: JSON types, required keys, enums, unknown keys.

JSON type errors come from pydantic and are errors in every mode (a price that is a string
cannot be served or quoted). The rest are warnings in compatible mode and errors in strict mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


def structure_findings(
    model: SpecModel, origin: Origin, mode: Mode, owned_by: frozenset[str] | None = None
) -> list[Finding]:
    """Unknown keys, missing required keys and out-of-enum values, recursively.

    ``owned_by`` replaces the wire contract's enum of a record's ``owned_by`` (Venice's own
    name) with the operator's accepted values (the ``owned_by`` setting).
    """
    severity = Severity.ERROR if mode is Mode.STRICT else Severity.WARNING
    problems: list[tuple[str, str, str]] = []
    _walk(model, (), problems)
    if owned_by is not None:
        _check_owned_by(model, owned_by, problems)
    return [Finding(severity, origin.at(path), message, rule) for path, message, rule in problems]


def _check_owned_by(
    model: SpecModel, accepted: frozenset[str], out: list[tuple[str, str, str]]
) -> None:
    out[:] = [p for p in out if p[0] != "owned_by" or p[2] != "enum"]
    value = getattr(model, "owned_by", None)
    if isinstance(value, str) and value not in accepted:
        choices = ", ".join(sorted(accepted))
        message = f"{value!r} is not one of {choices} (the owned_by setting)"
        out.append(("owned_by", message, "enum"))


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the walk needs to know of one spec model class, computed once per class."""

    wire_names: dict[str, str]
    python_names: dict[str, str]
    required: tuple[tuple[str, str], ...]
    enums: tuple[tuple[str, str, frozenset[str]], ...]


_SHAPES: dict[type[SpecModel], _Shape] = {}


def _shape(cls: type[SpecModel]) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        wire_names = {name: info.alias or name for name, info in cls.model_fields.items()}
        python_names = {wire: name for name, wire in wire_names.items()}
        required = tuple((python_names[key], key) for key in cls.REQUIRED)
        enums = tuple((python_names[key], key, allowed) for key, allowed in cls.ENUMS.items())
        shape = _SHAPES[cls] = _Shape(wire_names, python_names, required, enums)
    return shape


# A large catalog has hundreds of thousands of values to visit, so the walk appends to one list
# and only builds a path when it reports a problem.
def _walk(model: SpecModel, prefix: tuple[str | int, ...], out: list[tuple[str, str, str]]) -> None:
    for key in model.model_extra or ():
        out.append((join_path((*prefix, key)), "unknown key (kept as it is)", "unknown-key"))
    shape = _shape(type(model))
    present = model.model_fields_set
    for name, key in shape.required:
        if name not in present:
            out.append((join_path((*prefix, key)), "required key is missing", "required"))
    values = model.__dict__
    for name, key, allowed in shape.enums:
        value = values[name]
        if value is not None and not (isinstance(value, str) and value in allowed):
            _enum_problems(value, allowed, (*prefix, key), out)
    for key in _keys_in_order(model, shape):
        value = values.get(shape.python_names.get(key, ""))
        if isinstance(value, SpecModel):
            _walk(value, (*prefix, key), out)
        elif type(value) is dict:
            # Keyed tables of spec models (prices by resolution); plain JSON holds none.
            for table_key, item in value.items():
                if isinstance(item, SpecModel):
                    _walk(item, (*prefix, key, table_key), out)


def _keys_in_order(model: SpecModel, shape: _Shape) -> tuple[str, ...]:
    """The keys as read, so findings follow the file; declared order for a model built in code."""
    keys = model.read_keys()
    if keys:
        return keys
    present = model.model_fields_set
    return tuple(wire for name, wire in shape.wire_names.items() if name in present)


def _enum_problems(
    value: Any,
    allowed: frozenset[str],
    path: tuple[str | int, ...],
    out: list[tuple[str, str, str]],
) -> None:
    values = value if isinstance(value, list) else [value]
    choices = ", ".join(sorted(allowed))
    for index, item in enumerate(values):
        if item is not None and item not in allowed:
            where = (*path, index) if isinstance(value, list) else path
            out.append((join_path(where), f"{item!r} is not one of {choices}", "enum"))
