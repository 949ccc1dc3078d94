"""Query parameters of the browser's pages, checked: a bad value is a 400 naming it.

Every value is bounded (search length, page size, page number, ids to compare) so that no
query string can make a page do more work than its largest legitimate form. An empty value
(a form's "any" choice) is the same as an absent parameter; parameters a page does not know
are ignored, as the API ignores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modelcatalog.catalog.query import CAPABILITIES, SORTS, CatalogQuery
from modelcatalog.errors import InvalidRequestParameters
from modelcatalog.spec.capabilities import TextCapabilities
from modelcatalog.spec.record import MODEL_TYPES, ModelSpec

__all__ = [
    "MAX_COMPARED",
    "MAX_SEARCH",
    "PAGE_SIZES",
    "PRIVACY",
    "QUANTIZATIONS",
    "CatalogParams",
    "catalog_params",
    "compare_ids",
    "page_number",
    "refuse",
]

MAX_SEARCH = 200
MAX_COMPARED = 4
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
#: Larger numbers are refused before any work: no catalog has that many pages.
MAX_PAGE = 100_000
PRIVACY: tuple[str, ...] = tuple(sorted(ModelSpec.ENUMS["privacy"]))
QUANTIZATIONS: tuple[str, ...] = tuple(sorted(TextCapabilities.ENUMS["quantization"]))
_YES_NO = {"yes": True, "no": False}
Params = Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class CatalogParams:
    query: CatalogQuery
    page: int
    per_page: int


def refuse(name: str, message: str) -> InvalidRequestParameters:
    """The API's invalid-parameter error (zod-style details) for one parameter."""
    return InvalidRequestParameters({"_errors": [], name: {"_errors": [message]}})


def _values(params: Params, name: str) -> list[str]:
    return [value for key, value in params if key == name and value != ""]


def _one(params: Params, name: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise refuse(name, f"Expected one value, received {len(values)}")
    return values[0] if values else None


def _choice(params: Params, name: str, accepted: Sequence[str]) -> str | None:
    value = _one(params, name)
    if value is not None and value not in accepted:
        expected = " | ".join(f"'{a}'" for a in accepted)
        raise refuse(name, f"Invalid enum value. Expected {expected}, received '{value[:80]}'")
    return value


def _choices(params: Params, name: str, accepted: Sequence[str]) -> frozenset[str]:
    values = _values(params, name)
    for value in values:
        if value not in accepted:
            expected = " | ".join(f"'{a}'" for a in accepted)
            raise refuse(name, f"Invalid enum value. Expected {expected}, received '{value[:80]}'")
    return frozenset(values)


def _yes_no(params: Params, name: str) -> bool | None:
    value = _choice(params, name, tuple(_YES_NO))
    return None if value is None else _YES_NO[value]


def page_number(params: Params, name: str = "page") -> int:
    """A page number from 1 to :data:`MAX_PAGE` (1 when absent)."""
    value = _one(params, name)
    if value is None:
        return 1
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise refuse(name, f"Expected a whole number from 1 to {MAX_PAGE}")
    number = int(value)
    if not 1 <= number <= MAX_PAGE:
        raise refuse(name, f"Expected a whole number from 1 to {MAX_PAGE}")
    return number


def catalog_params(params: Params) -> CatalogParams:
    """The catalog page's filters, search, sort and page; raises InvalidRequestParameters."""
    search = _one(params, "q") or ""
    if len(search) > MAX_SEARCH:
        raise refuse("q", f"String must contain at most {MAX_SEARCH} character(s)")
    per_page = _choice(params, "per_page", [str(size) for size in PAGE_SIZES])
    query = CatalogQuery(
        types=_choices(params, "type", MODEL_TYPES),
        capabilities=_choices(params, "cap", tuple(CAPABILITIES)),
        privacy=_choice(params, "privacy", PRIVACY),
        quantization=_choice(params, "quantization", QUANTIZATIONS),
        beta=_yes_no(params, "beta"),
        deprecated=_yes_no(params, "deprecated"),
        search=search.strip(),
        sort=_choice(params, "sort", tuple(SORTS)) or "catalog",
    )
    size = DEFAULT_PAGE_SIZE if per_page is None else int(per_page)
    return CatalogParams(query, page_number(params), size)


def compare_ids(params: Params) -> list[str]:
    """The 2 to 4 distinct model ids of ``?ids=a,b,c`` (repeated ``ids`` add to the list)."""
    ids: list[str] = []
    for value in _values(params, "ids"):
        for part in value.split(","):
            part = part.strip()
            if part and part not in ids:
                ids.append(part)
            if len(ids) > MAX_COMPARED:
                raise refuse("ids", f"Compare 2 to {MAX_COMPARED} models; received more")
    if len(ids) < 2:
        raise refuse("ids", f"Compare 2 to {MAX_COMPARED} models; received {len(ids)}")
    return ids
