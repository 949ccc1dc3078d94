"""The catalog: reading sources, validating them, and the immutable snapshot built from them."""

from modelcatalog.catalog.findings import Finding, Mode, Origin, Severity
from modelcatalog.catalog.snapshot import CatalogModel, CatalogSnapshot
from modelcatalog.catalog.sources import CatalogSource, read_source
from modelcatalog.catalog.validation import CheckedCatalog, check_catalog

__all__ = [
    "CatalogModel",
    "CatalogSnapshot",
    "CatalogSource",
    "CheckedCatalog",
    "Finding",
    "Mode",
    "Origin",
    "Severity",
    "check_catalog",
    "read_source",
]
