"""Fields of a JSON record named by wire paths (``model_spec.pricing.input.usd``).

The paths are those of :mod:`modelcatalog.store.diff` and of validation findings: object keys
joined by dots, lists taken whole. ``""`` names the whole record. A value that is not there
is :data:`ABSENT`, which is not ``None`` (a JSON ``null`` is a value).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Final

import orjson

__all__ = ["ABSENT", "UNKNOWN", "decode", "encode", "get_path", "leaf_paths", "set_path", "shown"]


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: No value at a path (the key is missing).
ABSENT: Final[Any] = _Marker("ABSENT")
#: Nothing is known of a value (an override set before any sync saw the field).
UNKNOWN: Final[Any] = _Marker("UNKNOWN")


def get_path(record: Any, path: str) -> Any:
    """The value at ``path`` in ``record``, or :data:`ABSENT`."""
    if path == "":
        return record
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return ABSENT
        value = value[key]
    return value


def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at ``path`` (creating objects on the way), or remove it for ABSENT."""
    *parents, last = path.split(".")
    target = record
    for key in parents:
        child = target.get(key)
        if not isinstance(child, dict):
            if value is ABSENT:
                return
            child = target[key] = {}
        target = child
    if value is ABSENT:
        target.pop(last, None)
    else:
        target[last] = copy.deepcopy(value)


def leaf_paths(value: Any, path: str = "") -> Iterator[str]:
    """Every leaf of a JSON value (objects recurse, lists and scalars are leaves)."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from leaf_paths(child, f"{path}.{key}" if path else str(key))
    elif path:
        yield path


def encode(value: Any) -> str | None:
    """A value for a JSON column: ``{"value": v}``, ``{}`` for ABSENT, NULL for UNKNOWN."""
    if value is UNKNOWN:
        return None
    return orjson.dumps({} if value is ABSENT else {"value": value}).decode()


def decode(text: str | None) -> Any:
    if text is None:
        return UNKNOWN
    found = orjson.loads(text)
    return found.get("value", ABSENT)


def shown(value: Any) -> str:
    """A value as a flag message shows it: JSON, or ``(absent)``."""
    if value is ABSENT:
        return "(absent)"
    if value is UNKNOWN:
        return "(unknown)"
    return orjson.dumps(value).decode()
