"""What an import is told: filters, the operator's defaults for fields a source does not know,
and whose name goes into ``owned_by``.

A Venice record has required fields that other sources do not state: ``privacy``, the
``quantization`` and the fifteen capability flags of a text model, a ``diem`` beside every USD
price. An import never invents them. The operator gives one value per field
(``--default privacy=anonymized``), every record that takes it is named in the import report,
and an import that needs a default it was not given is refused naming the field
(:class:`~modelcatalog.errors.ImportRefused`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from modelcatalog.errors import InvalidSettings
from modelcatalog.spec.capabilities import TextCapabilities
from modelcatalog.spec.record import ModelRecord, ModelSpec

__all__ = [
    "DEFAULT_FIELDS",
    "SPEC_OWNED_BY",
    "ImportOptions",
    "parse_defaults",
]

#: The one ``owned_by`` value the wire contract's enum allows: Venice's own name.
SPEC_OWNED_BY: frozenset[str] = ModelRecord.ENUMS["owned_by"]

#: Field an operator may give a default for -> what it means and which values it accepts.
DEFAULT_FIELDS: dict[str, str] = {
    "privacy": "model_spec.privacy of every record without one: "
    + " or ".join(sorted(ModelSpec.ENUMS["privacy"])),
    "quantization": "model_spec.capabilities.quantization of text models without one: "
    + ", ".join(sorted(TextCapabilities.ENUMS["quantization"])),
    "capabilities": "the capability flags a source does not state are false: false",
    "diem": "the DIEM price beside every USD price without one, as a multiple of the USD "
    "price (1: one DIEM per dollar): a decimal number, 0 or more",
}


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import a source. ``None`` filters keep everything.

    ``providers`` keeps the entries of those providers (LiteLLM's ``litellm_provider``, a
    Venice record's ``owned_by``); ``modes`` those of those modes (LiteLLM's ``mode``, a Venice
    record's ``type``). ``owned_by`` replaces every record's ``owned_by`` (None: the provider's
    name for LiteLLM, the record's own for Venice); ``accepted_owned_by`` is what the catalog
    accepts there (the ``owned_by`` setting).
    """

    providers: frozenset[str] | None = None
    modes: frozenset[str] | None = None
    defaults: Mapping[str, str] = field(default_factory=dict)
    owned_by: str | None = None
    accepted_owned_by: frozenset[str] = SPEC_OWNED_BY
    #: Names the source in the report (a path or URL).
    source: str = "-"

    def __post_init__(self) -> None:
        problems = list(_default_problems(self.defaults))
        if problems:
            raise InvalidSettings(problems)

    @property
    def diem_factor(self) -> Decimal | None:
        """DIEM per USD for prices without a DIEM, if the operator gave one."""
        value = self.defaults.get("diem")
        return None if value is None else Decimal(value)


def parse_defaults(given: Iterable[str]) -> dict[str, str]:
    """``["privacy=anonymized", ...]`` as a mapping; refuses a malformed or repeated item."""
    defaults: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise InvalidSettings([f"--default {item!r}: expected FIELD=VALUE"])
        if name in defaults and defaults[name] != value:
            raise InvalidSettings([f"--default {name} is given twice"])
        defaults[name] = value
    return defaults


def _default_problems(defaults: Mapping[str, str]) -> Iterable[str]:
    for name, value in defaults.items():
        if name not in DEFAULT_FIELDS:
            fields = ", ".join(DEFAULT_FIELDS)
            yield f"--default {name}: not a field with a default; one of {fields}"
        elif not _accepted(name, value):
            yield f"--default {name}={value}: accepted: {DEFAULT_FIELDS[name].split(': ')[-1]}"


def _accepted(name: str, value: str) -> bool:
    if name == "privacy":
        return value in ModelSpec.ENUMS["privacy"]
    if name == "quantization":
        return value in TextCapabilities.ENUMS["quantization"]
    if name == "capabilities":
        return value == "false"
    try:
        factor = Decimal(value)
    except InvalidOperation:
        return False
    return factor.is_finite() and factor >= 0
