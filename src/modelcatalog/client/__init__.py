"""A typed Python client of the catalog API that keeps working through a catalog outage.

    from modelcatalog.client import Catalog, Resolver

    with Catalog("http://127.0.0.1:8000", cache_path="catalog-cache.json") as catalog:
        resolver = Resolver.fetch(catalog)
        model = resolver.resolve("gpt-4o").model  # in process, by the service's own rule

- ``catalog``  :class:`Catalog` and :class:`AsyncCatalog` (httpx): ``list``, ``get``, ``traits``,
  ``compatibility_mapping``, ``resolve``, ``quote``, ``history``
- ``resolver`` :class:`Resolver`: the resolution rule over fetched listings
- ``models``   what they return; :class:`Freshness` says how old an answer is
- ``_core``    revalidation (``If-None-Match``), the kept copies, errors

docs/client.md describes it with runnable examples.
"""

from modelcatalog.client.catalog import AsyncCatalog, Catalog
from modelcatalog.client.models import (
    Freshness,
    HistoryEntry,
    QuoteAnswer,
    QuoteItem,
    ResolutionStep,
    Resolved,
)
from modelcatalog.client.resolver import Resolver

__all__ = [
    "AsyncCatalog",
    "Catalog",
    "Freshness",
    "HistoryEntry",
    "QuoteAnswer",
    "QuoteItem",
    "ResolutionStep",
    "Resolved",
    "Resolver",
]
