"""What validation says about a catalog: located errors and warnings.

Every finding names where it is, as ``path/to/file.yaml:model_spec.pricing.input.usd`` for a
catalog file or ``dump.json:data[3](model-id).model_spec.pricing`` for a Venice dump, so that
an operator can go straight to the line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Finding", "Mode", "Origin", "Severity"]


class Mode(enum.StrEnum):
    """How strictly a catalog is checked.

    ``compatible`` (dumps and imports of real data): unknown keys, unknown enum values, missing
    properties and rule violations are warnings; only values of the wrong JSON type, a record
    without an ``id`` or ``type``, and duplicate ids are errors.
    ``strict`` (an operator's own catalog): all of those are errors.
    """

    COMPATIBLE = "compatible"
    STRICT = "strict"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record (or alias file) was read from.

    ``source`` is the file; ``anchor`` locates the record inside it (``data[3](model-id)`` in a
    dump), empty for a file that holds one record.
    """

    source: str
    anchor: str = ""

    def at(self, path: str = "") -> str:
        """The location of ``path`` (dotted, wire names) inside this record."""
        if self.anchor:
            base = f"{self.source}:{self.anchor}"
            return f"{base}.{path}" if path else base
        return f"{self.source}:{path}" if path else self.source


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a catalog."""

    severity: Severity
    location: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def as_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "rule": self.rule,
        }
