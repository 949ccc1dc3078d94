#!/usr/bin/env python3
"""Resolutions per second against ``GET /models/{id}``, in process and over HTTP.

    .venv/bin/python bench/bench_resolve.py [--seconds 2] [--http-seconds 5] [--concurrency 16]
                                            [--no-http] [--driver auto|wrk|httpx] [--json FILE]

In process (best of three runs of ``--seconds`` each, one core), over the bundled catalog:

- baseline: ``ReadRoutes.respond`` of a cached ``GET /models/{id}`` -- what the raw read
  path does per request once the answer is prepared;
- ``respond`` of ``GET /models/resolve?model=`` for an id, a trait, a compatibility alias and a
  deprecated id (the same path, the resolution prepared per view like the other reads);
- the rule alone (``catalog.resolution.resolve`` over a view's index), and the client's
  ``Resolver.resolve``, which also builds the typed record.

Over HTTP: a real ``modelcatalog serve`` (one worker) on a free loopback port, driven by
``wrk -t1`` when it is installed, else by an httpx client, with ``--concurrency`` keep-alive
connections; the baselines are ``GET /models/{id}`` and ``GET /healthz`` through the same
driver (the goal: a resolution at least 0.8 x the rate of ``/healthz``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench_quote import free_port, healthz_figure, httpx_rate, rate, start_server, wrk_rate
from figures import Figure, write_figures

from modelcatalog.api import CatalogState, create_app
from modelcatalog.api.reads import MODEL, RESOLVE
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.catalog.resolution import resolve
from modelcatalog.catalog.views import Audience
from modelcatalog.client import Resolver
from modelcatalog.settings import Settings

BASELINE_ID = "llama-3.3-70b"
#: (what it exercises, the requested name).
NAMES = (
    ("id", "llama-3.3-70b"),
    ("trait", "default"),
    ("alias", "gpt-4o"),
    ("deprecated id", "qwen3-next-80b"),
)
HEADERS = (b"gzip, br", None, None, None)


def in_process(seconds: float) -> list[Figure]:
    snapshot = CatalogSnapshot.from_checked(
        check_catalog(read_source(BUNDLED_CATALOG), Mode.COMPATIBLE)
    )
    state = CatalogState(snapshot, warm=True)
    reads = create_app(Settings.load(), state).reads
    baseline = rate(lambda: reads.respond(HEADERS, MODEL, BASELINE_ID, b"", head=False), seconds)
    print(f"in process, GET /models/{BASELINE_ID} (cached read): {baseline:,.0f}/s")
    views = state.views()
    index = views.resolution_index(Audience.ANONYMOUS)
    resolver = _resolver(views)
    figures = []
    for kind, name in NAMES:
        query = b"model=" + name.encode()
        served = rate(partial(reads.respond, HEADERS, RESOLVE, "", query, head=False), seconds)
        rule = rate(partial(resolve, index, name), seconds)
        client = rate(partial(resolver.resolve, name), seconds)
        print(
            f"  resolve {name} ({kind}): read {served:,.0f}/s ({served / baseline:.2f}x "
            f"GET /models/{{id}}); rule alone {rule:,.0f}/s; Resolver.resolve {client:,.0f}/s"
        )
        figures.append(
            Figure(
                "resolve",
                f"in process: prepared resolve {name} ({kind})",
                round(served),
                "/s",
                f"prepared GET /models/{BASELINE_ID}",
                round(baseline),
                round(served / baseline, 2),
            )
        )
    return figures


def _resolver(views: object) -> Resolver:
    """A client Resolver over the same listings the service serves anonymously."""
    import orjson

    from modelcatalog.spec.record import MODEL_TYPES

    listing = orjson.loads(views.listing(Audience.ANONYMOUS, "all").identity)  # type: ignore[attr-defined]
    maps: dict[str, dict[str, dict[str, str]]] = {"traits": {}, "aliases": {}}
    for model_type in MODEL_TYPES:
        traits = views.traits(Audience.ANONYMOUS, model_type)  # type: ignore[attr-defined]
        aliases = views.compatibility_mapping(Audience.ANONYMOUS, model_type)  # type: ignore[attr-defined]
        maps["traits"][model_type] = orjson.loads(traits.identity)["data"]
        maps["aliases"][model_type] = orjson.loads(aliases.identity)["data"]
    return Resolver(listing["data"], maps["traits"], maps["aliases"])


def over_http(seconds: float, concurrency: int, driver: str) -> list[Figure]:
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    measure: Callable[..., float] = wrk_rate if driver == "wrk" else httpx_rate
    figures = []
    try:
        health = measure(base, "/healthz", None, seconds, concurrency)
        baseline = measure(base, f"/api/v1/models/{BASELINE_ID}", None, seconds, concurrency)
        print(
            f"over HTTP ({driver}, {concurrency} connections), GET /healthz: {health:,.0f}/s, "
            f"GET /models/{BASELINE_ID}: {baseline:,.0f}/s ({baseline / health:.2f}x healthz)"
        )
        for kind, name in NAMES:
            path = f"/api/v1/models/resolve?model={name}"
            found = measure(base, path, None, seconds, concurrency)
            print(
                f"  resolve {name} ({kind}): {found:,.0f}/s ({found / baseline:.2f}x "
                f"GET /models/{{id}}, {found / health:.2f}x healthz)"
            )
            figures.append(
                healthz_figure("resolve", f"resolve {name} ({kind})", found, health, driver)
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--http-seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--driver", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if shutil.which("wrk") else "httpx"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    figures = in_process(args.seconds)
    if not args.no_http:
        figures += over_http(args.http_seconds, args.concurrency, driver)
    write_figures(args.json, figures)


if __name__ == "__main__":
    main()
