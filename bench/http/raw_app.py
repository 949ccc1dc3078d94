"""The ASGI read path alone: no direct reads, no operator instrumentation (metrics, access log).

``bench_http.py --variant raw`` serves this under uvicorn's own httptools protocol, to show
what ``modelcatalog serve`` adds or saves on top of the plain ASGI path.

    MODELCATALOG_CATALOG=dump.json MODELCATALOG_NOW=2026-12-01 \
        uvicorn --factory bench.http.raw_app:app --loop uvloop --http httptools
"""

from __future__ import annotations

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.api.source import load_snapshot
from modelcatalog.catalog.lifecycle import frozen_clock, system_clock
from modelcatalog.settings import Settings


def app() -> CatalogApp:
    settings = Settings.load()
    clock = system_clock if settings.now is None else frozen_clock(settings.now)
    return create_app(settings, CatalogState(load_snapshot(settings.catalog), clock))
