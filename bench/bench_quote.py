#!/usr/bin/env python3
"""Quotes per second, in process and over HTTP, each against a baseline run beside it.

    .venv/bin/python bench/bench_quote.py [--seconds 2] [--http-seconds 5] [--concurrency 16]
                                          [--rounds 1] [--no-http] [--driver auto|wrk|httpx]
                                          [--json FILE]

In process (best of three runs of ``--seconds`` each, one core):

- baseline: one dict lookup and one ``Decimal`` multiply -- the least a price lookup costs;
- ``quote()`` of a parsed usage, and ``parse_usage_json()`` + ``quote()`` of the JSON body, for
  a text model with cache and extended tiers, gpt-image-2's quality matrix and a music model
  with duration tiers (records from the bundled catalog).

Over HTTP: a real ``modelcatalog serve`` on a free loopback port (one worker, uvloop +
httptools), driven by ``wrk`` (one thread) when it is installed, else by an httpx client, with
``--concurrency`` keep-alive connections. The baseline is ``GET /healthz`` through the same
driver, so the ratio shows what a quote adds to a request that does next to nothing. With
``--rounds N`` the baseline and the quotes are measured in turn N times, and each figure is the
best of its rounds (a machine shared with other work disturbs both alike).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from figures import Figure, at_least, write_figures

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog, read_source
from modelcatalog.pricing import Quote, parse_usage_json, quote
from modelcatalog.spec.record import ModelRecord

#: Requests over HTTP should answer at least this fraction of ``GET /healthz``'s rate.
GOAL_HEALTHZ = 0.8

#: (model id, usage body): one request per pricing shape that costs the most to quote.
CASES = (
    (
        "claude-opus-4-6",
        b'{"input_tokens": 150000, "cache_read_tokens": 40000, "cache_write_tokens": 20000,'
        b' "output_tokens": 4000}',
    ),
    ("gpt-image-2", b'{"resolution": "2K", "quality": "medium", "images": 3, "upscale": "2x"}'),
    ("ace-step-15", b'{"seconds": 120}'),
)


def _parse_and_quote(record: ModelRecord[Any], body: bytes) -> Quote:
    return quote(record, parse_usage_json(body))


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second, best of three runs of about ``seconds`` each."""
    best = 0.0
    for _ in range(3):
        count, batch = 0, 200
        start = time.perf_counter()
        deadline = start + seconds
        while (now := time.perf_counter()) < deadline:
            for _ in range(batch):
                operation()
            count += batch
        best = max(best, count / (now - start))
    return best


def in_process(seconds: float) -> list[Figure]:
    snapshot = CatalogSnapshot.from_checked(
        check_catalog(read_source(BUNDLED_CATALOG), Mode.COMPATIBLE)
    )
    prices = {"input": Decimal("0.7"), "output": Decimal("2.8")}
    quantity = Decimal(150000)
    baseline = rate(lambda: prices["input"] * quantity, seconds)
    print(f"in process, baseline dict lookup + Decimal multiply: {baseline:,.0f}/s")
    figures = []
    for model_id, body in CASES:
        record = snapshot.by_id[model_id].record
        usage = parse_usage_json(body)
        items = len(quote(record, usage).items)
        parsed = rate(partial(quote, record, usage), seconds)
        full = rate(partial(_parse_and_quote, record, body), seconds)
        print(
            f"  {model_id} ({items} items): quote {parsed:,.0f}/s "
            f"({baseline / parsed:.0f}x baseline cost); "
            f"parse + quote {full:,.0f}/s ({baseline / full:.0f}x)"
        )
        figures.append(
            Figure(
                "quote",
                f"in process: parse + quote {model_id} ({items} items)",
                round(full),
                "/s",
                "dict lookup + Decimal multiply",
                round(baseline),
                round(full / baseline, 4),
            )
        )
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "modelcatalog"), "serve", "--port", str(port)]
    # The bundled catalog as a file: no store, so the run leaves no data directory behind.
    command += ["--catalog", str(BUNDLED_CATALOG)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(
        f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}"
    )


async def http_rate(
    base: str, request: Callable[[httpx.AsyncClient], Any], seconds: float, concurrency: int
) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        for _ in range(50):
            (await request(client)).raise_for_status()
        count = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                response = await request(client)
                if response.status_code != 200:
                    raise SystemExit(f"unexpected {response.status_code}: {response.text}")
                count += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - start)


def over_http(seconds: float, concurrency: int, driver: str, rounds: int = 1) -> list[Figure]:
    """Each quote and ``GET /healthz``, measured in turn ``rounds`` times; the best of each.

    Other work on the machine comes and goes: rounds that alternate the baseline and the
    quotes expose both to it alike, and the best round of each is the least disturbed.
    """
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    measure = wrk_rate if driver == "wrk" else httpx_rate
    paths = {model_id: f"/api/v1/models/{model_id}/quote" for model_id, _ in CASES}
    health = 0.0
    best = dict.fromkeys(paths, 0.0)
    try:
        for round_ in range(1, rounds + 1):
            round_health = measure(base, "/healthz", None, seconds, concurrency)
            health = max(health, round_health)
            print(
                f"over HTTP ({driver}, {concurrency} connections), round {round_}/{rounds}, "
                f"GET /healthz: {round_health:,.0f}/s"
            )
            for model_id, body in CASES:
                quotes = measure(base, paths[model_id], body, seconds, concurrency)
                best[model_id] = max(best[model_id], quotes)
                print(
                    f"  POST quote {model_id}: {quotes:,.0f}/s "
                    f"({quotes / round_health:.2f}x this round's healthz)"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"best of {rounds}: GET /healthz {health:,.0f}/s; "
        + ", ".join(f"{m} {best[m]:,.0f}/s ({best[m] / health:.2f}x)" for m in best)
    )
    return [
        healthz_figure("quote", f"POST quote {model_id}", best[model_id], health, driver)
        for model_id in paths
    ]


def healthz_figure(bench: str, name: str, rate: float, health: float, driver: str) -> Figure:
    """A request rate over HTTP held to the goal of ``GOAL_HEALTHZ`` x ``GET /healthz``'s."""
    ratio = rate / health
    return Figure(
        bench,
        f"HTTP ({driver}): {name}",
        round(rate),
        "req/s",
        "GET /healthz",
        round(health),
        round(ratio, 2),
        f">= {GOAL_HEALTHZ:g} x",
        at_least(ratio, GOAL_HEALTHZ),
    )


def httpx_rate(base: str, path: str, body: bytes | None, seconds: float, clients: int) -> float:
    def request(client: httpx.AsyncClient) -> Any:
        return client.get(path) if body is None else client.post(path, content=body)

    return asyncio.run(http_rate(base, request, seconds, clients))


def wrk_rate(base: str, path: str, body: bytes | None, seconds: float, clients: int) -> float:
    script = ""
    if body is not None:
        script = (
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{body.decode()}]]\n"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + _WRK_CHECK)
    command = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        lua.name,
        base + path,
    ]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    if "Non-2xx" in output or "non-200" in output:
        raise SystemExit(f"{path}: the server answered errors:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    return float(found.group(1))


#: Makes wrk report any answer other than 200, so a failing route cannot look fast.
_WRK_CHECK = """
local bad = 0
response = function(status, headers, body) if status ~= 200 then bad = bad + 1 end end
done = function(summary, latency, requests)
  if bad > 0 then io.write("non-200 answers: " .. bad .. "\\n") end
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--http-seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=1, help="HTTP rounds, healthz and quotes in turn; best of"
    )
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
        figures += over_http(args.http_seconds, args.concurrency, driver, args.rounds)
    write_figures(args.json, figures)


if __name__ == "__main__":
    main()
