"""Replica convergence and reload-under-load, measured side by side in one run.

    .venv/bin/python bench/bench_replicas.py [--writes 60] [--seconds 10] [--large 10000]
                                             [--large-seconds 20] [--json FILE]

1. Three ``modelcatalog serve`` replicas on a fresh PostgreSQL database: an admin write goes to
   one replica, and the time until all three serve the new version is measured, per write.
   Goal: p99 <= 1 s.
2. One replica under ``wrk`` load on ``GET /api/v1/models?type=all``: first steady state, then
   with a new catalog version committed every second (each one changes one model's price, and
   is a reload and swap on the replica). Goal: zero non-2xx responses and p99 within 2x of the
   steady state. Run on the bundled catalog, then on a store seeded with ``--large``
   generated models (bench_validate's dump; 10,000 by default), whose listing rate under
   reloads is reported against its steady rate too.
3. Where one reload of that large catalog spends its CPU, in process: the document parse, then
   a full build (check, snapshot, views) against an incremental one (catalog/reuse.py).

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and ``wrk``; the database is dropped after.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import orjson
import psycopg
from bench_validate import generate_dump
from figures import Figure, at_most, write_figures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.store.factory import text_model  # noqa: E402
from tests.store.servers import servers, wait_for  # noqa: E402

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog  # noqa: E402
from modelcatalog.catalog.reuse import SnapshotBuilder  # noqa: E402
from modelcatalog.catalog.views import SnapshotLifecycles, ViewSet  # noqa: E402
from modelcatalog.store import Store  # noqa: E402
from modelcatalog.store import keys as store_keys  # noqa: E402
from modelcatalog.store.document import CatalogDocument  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
T = TypeVar("T")


def convergence(url: str, writes: int, logs: Path) -> list[float]:
    with Store.open(database_url=url) as store:
        key = store_keys.create_key(store, "bench", admin=True)[1]
    auth = {"authorization": f"Bearer {key}"}
    times = []
    with servers(3, "--database", url, log_dir=logs) as replicas:
        for index in range(writes):
            body = orjson.dumps(text_model(f"bench-{index}"))
            response = replicas[index % 3].client.post(
                "/admin/v1/models", content=body, headers=auth
            )
            wanted = str(response.json()["version"]["version"])
            started = time.monotonic()
            for replica in replicas:
                wait_for(lambda r=replica, w=wanted: r.version() == w, interval=0.001)
            times.append(time.monotonic() - started)
    return sorted(times)


def wrk(url: str, seconds: int) -> tuple[float, int, float]:
    """(p99 ms, non-2xx responses, requests/s) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = int(bad.group(1)) if bad else 0
    if errors:
        print("   ", errors.group(0))
    return float(p99.group(1)) * scale, non_2xx, float(rate.group(1)) if rate else 0.0


def _with_reload_price(price: float, document: CatalogDocument) -> CatalogDocument:
    return document.with_model(text_model("reload", usd_in=price))


def seed_large(url: str, size: int) -> None:
    """Give the empty store at ``url`` a first version of ``size`` generated models."""
    records = generate_dump(size)["data"]
    document = CatalogDocument.from_records(records, from_dump=True)
    with Store.open(database_url=url) as store:
        store.commit(lambda _current: document, author="bench", message=f"{size} models")


def reload_under_load(url: str, seconds: int, logs: Path, label: str = "") -> list[Figure]:
    """Steady state, then a version that changes one model's price every second, under wrk.

    ``label`` prefixes the figure names (the catalog's size); the bundled catalog has none.
    """
    with servers(1, "--database", url, log_dir=logs) as (server,):
        target = f"{server.url}/api/v1/models?type=all"
        steady = wrk(target, seconds)
        stop = threading.Event()
        commits = 0

        def writer() -> None:
            nonlocal commits
            with Store.open(database_url=url) as store:
                while not stop.wait(1.0):
                    price = (10 + commits) / 100  # 0.11, 0.12, ...: a clean decimal price
                    store.commit(
                        partial(_with_reload_price, price),
                        author="bench",
                        message="reload",
                        validated=True,  # a one-model change of a valid catalog stays valid
                    )
                    commits += 1

        thread = threading.Thread(target=writer)
        thread.start()
        loaded = wrk(target, seconds)
        stop.set()
        thread.join()
        reloads = re.search(
            r"modelcatalog_reloads_total ([\d.]+)", server.client.get("/metrics").text
        )
    shown = label or "bundled catalog"
    print(f"{shown}:")
    print(
        f"  steady state:        p99 {steady[0]:.2f} ms, non-2xx {steady[1]}, {steady[2]:.0f} req/s"
    )
    print(
        f"  reload every second: p99 {loaded[0]:.2f} ms, non-2xx {loaded[1]}, {loaded[2]:.0f} req/s"
        f" ({commits} commits, {reloads.group(1) if reloads else '?'} reloads)"
    )
    ratio = loaded[0] / steady[0]
    print(f"  p99 ratio (reloading / steady): {ratio:.2f}  (goal <= 2.0)")
    prefix = f"{label}, " if label else ""
    figures = [
        Figure(
            "replicas",
            f"{prefix}reload every second: p99",
            round(loaded[0], 2),
            "ms",
            "steady-state p99",
            round(steady[0], 2),
            round(ratio, 2),
            "<= 2 x",
            at_most(ratio, 2.0),
        ),
        Figure(
            "replicas",
            f"{prefix}reload every second: non-2xx",
            loaded[1],
            "",
            goal="0",
            met=loaded[1] == 0,
        ),
    ]
    figures.append(
        Figure(
            "replicas",
            f"{prefix}reload every second: versions loaded during the run",
            float(reloads.group(1)) if reloads else 0,
            "",
            "versions committed",
            commits,
        )
    )
    if label:
        figures.append(
            Figure(
                "replicas",
                f"{prefix}reload every second: listing rate",
                round(loaded[2]),
                "req/s",
                "steady state",
                round(steady[2]),
                round(loaded[2] / steady[2], 2) if steady[2] else None,
            )
        )
    return figures


def _cpu(run: Callable[[], T]) -> tuple[float, T]:
    started = time.process_time()
    result = run()
    return time.process_time() - started, result


def reload_phases(size: int) -> dict[str, float]:
    """CPU seconds of each step of one reload of a ``size``-model catalog in process, the
    version changing one model's price: full (as a fresh replica loads) and incremental."""
    records = generate_dump(size)["data"]
    document = CatalogDocument.from_records(records, from_dump=True)
    at = datetime.now(UTC)
    builder = SnapshotBuilder(Mode.COMPATIBLE)
    first = builder.build(document.to_source("v1"), "1")
    earlier = ViewSet(SnapshotLifecycles(first), at)
    earlier.warm()
    blob = _with_reload_price(0.11, document).to_json()
    phases: dict[str, float] = {}
    phases["document parse"], parsed = _cpu(lambda: CatalogDocument.from_json(blob))
    source = parsed.to_source("v2")
    phases["full: check"], checked = _cpu(lambda: check_catalog(source, Mode.COMPATIBLE))
    phases["full: snapshot"], full = _cpu(lambda: CatalogSnapshot.from_checked(checked, "2"))
    views = ViewSet(SnapshotLifecycles(full), at)
    phases["full: views"], _ = _cpu(views.warm)
    phases["incremental: check + snapshot"], snapshot = _cpu(lambda: builder.build(source, "2"))
    phases["incremental: views"], _ = _cpu(
        lambda: ViewSet(SnapshotLifecycles(snapshot), at, earlier).warm()
    )
    for name, seconds in phases.items():
        print(f"  {size:,} models, {name}: {seconds * 1000:.0f} ms CPU")
    return phases


def phase_figures(size: int) -> list[Figure]:
    phases = reload_phases(size)
    full = sum(v for k, v in phases.items() if not k.startswith("incremental"))
    fast = sum(v for k, v in phases.items() if not k.startswith("full"))
    print(f"  one reload: {full:.3f} s CPU in full, {fast:.3f} s incremental")
    return [
        Figure(
            "replicas",
            f"{size:,} models, one reload in process (CPU time)",
            round(fast, 3),
            "s",
            "full build",
            round(full, 3),
            round(fast / full, 3),
        )
    ]


#: Exit status when PostgreSQL or wrk is missing (bench/run.py reports it as not run).
NOT_RUN = 3


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A fresh PostgreSQL database's URL, dropped after; raises OperationalError without one."""
    name = f"modelcatalog_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def convergence_figures(url: str, writes: int, logs: Path) -> list[Figure]:
    times = convergence(url, writes, logs)
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    print(
        f"convergence of 3 replicas over {len(times)} writes: "
        f"median {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms  (goal p99 <= 1000 ms)"
    )
    return [
        Figure(
            "replicas",
            f"convergence of 3 replicas, {len(times)} writes: p99",
            round(p99 * 1000, 1),
            "ms",
            goal="<= 1000 ms",
            met=at_most(p99 * 1000, 1000.0),
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--large", type=int, default=10_000, help="models of the large catalog (0: skip it)"
    )
    parser.add_argument(
        "--large-seconds",
        type=int,
        default=20,
        help="each wrk run on the large catalog (long enough for reloads to land in it)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("not run: wrk missing; install it with `apt-get install -y wrk`", file=sys.stderr)
        return NOT_RUN
    try:
        with database() as url, tempfile.TemporaryDirectory() as logs:
            figures = convergence_figures(url, args.writes, Path(logs))
            figures += reload_under_load(url, args.seconds, Path(logs))
        if args.large:
            figures += phase_figures(args.large)
            with database() as url, tempfile.TemporaryDirectory() as logs:
                seed_large(url, args.large)
                label = f"{args.large:,} models"
                seconds = max(args.seconds, args.large_seconds)
                figures += reload_under_load(url, seconds, Path(logs), label)
    except psycopg.OperationalError as exc:
        print(f"not run: no PostgreSQL at {SERVER}: {exc}", file=sys.stderr)
        return NOT_RUN
    write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
