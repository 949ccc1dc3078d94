#!/usr/bin/env python3
"""Render time of the browser's pages against the JSON listing of the same catalog.

    .venv/bin/python bench/bench_pages.py [--sizes bundled,5000] [--requests 200] [--runs 3]

For the bundled catalog and a generated one (bench_validate.generate_dump, the live API's type
mix), in process through httpx's ASGI transport (one core, no network), it times each request:

- baseline: ``GET /api/v1/models?type=all``, the JSON listing of every model, whose bytes the
  service prepares once per catalog version;
- ``GET /`` (the first page of 50), a filtered and sorted catalog page, a model page and a
  comparison of two models, rendered on every request.

It prints the median and 90th percentile of each route, the ratio of the page's median to the
baseline's, and the spread of the medians over ``--runs`` runs. The first render of ``/`` per
catalog version also builds the rows the queries read; that cold render is printed apart.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import time
from pathlib import Path

import httpx
import orjson
from bench_validate import generate_dump
from figures import Figure, write_figures

from modelcatalog.api import CatalogApp, CatalogState, create_app
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.catalog.sources import read_document_bytes
from modelcatalog.settings import Settings
from modelcatalog.web import page_routes

BASELINE = "/api/v1/models?type=all"


def snapshot_of(size: str) -> CatalogSnapshot:
    if size == "bundled":
        source = read_source(BUNDLED_CATALOG)
    else:
        source = read_document_bytes(orjson.dumps(generate_dump(int(size))), "dump.json")
    return CatalogSnapshot.from_checked(check_catalog(source, Mode.COMPATIBLE))


def app_of(snapshot: CatalogSnapshot) -> CatalogApp:
    settings = Settings.load()
    state = CatalogState(snapshot, warm=True)
    return create_app(settings, state, groups=[page_routes])


def routes_of(snapshot: CatalogSnapshot) -> dict[str, str]:
    text = [m.id for m in snapshot.models if m.type == "text"]
    return {
        "GET / (first 50)": "/",
        "GET /?type=text&cap=vision&sort=-input-price": "/?type=text&cap=vision&sort=-input-price",
        "GET /?q=... (search)": "/?q=model",
        "GET /models/{id}": f"/models/{text[0]}",
        "GET /compare?ids=a,b": f"/compare?ids={text[0]},{text[1]}",
    }


async def timings(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    found = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        found.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return found


async def one_run(app: CatalogApp, routes: dict[str, str], requests: int) -> dict[str, list[float]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        found = {"baseline " + BASELINE: await timings(client, BASELINE, requests)}
        for name, path in routes.items():
            found[name] = await timings(client, path, requests)
    return found


async def cold_render(snapshot: CatalogSnapshot) -> float:
    app = app_of(snapshot)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        return (await timings(client, "/", 1))[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(size: str, runs: list[dict[str, list[float]]], cold: float, count: int) -> list[Figure]:
    print(f"\n## {size} catalog ({count} models); cold first render of /: {ms(cold)}")
    print("| route | median | p90 | x baseline | medians over runs |")
    print("|---|---|---|---|---|")
    baseline = statistics.median(t for run in runs for t in run["baseline " + BASELINE])
    figures: list[Figure] = []
    for name in runs[0]:
        every = [t for run in runs for t in run[name]]
        medians = [statistics.median(run[name]) for run in runs]
        p90 = statistics.quantiles(every, n=10)[-1]
        median = statistics.median(every)
        spread = f"{ms(min(medians))} to {ms(max(medians))}"
        print(f"| {name} | {ms(median)} | {ms(p90)} | {median / baseline:.2f} | {spread} |")
        if not name.startswith("baseline"):
            figures.append(
                Figure("pages", f"{name}, {size} catalog", median * 1000, "ms median",
                       f"JSON listing, {size} catalog", baseline * 1000, median / baseline)
            )  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="bundled,5000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run.py)")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    figures: list[Figure] = []
    for size in args.sizes.split(","):
        snapshot = snapshot_of(size)
        cold = asyncio.run(cold_render(snapshot))
        app = app_of(snapshot)
        routes = routes_of(snapshot)
        runs = [asyncio.run(one_run(app, routes, args.requests)) for _ in range(args.runs)]
        figures += report(size, runs, cold, len(snapshot.models))
    write_figures(args.json, figures)


if __name__ == "__main__":
    main()
