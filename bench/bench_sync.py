#!/usr/bin/env python3
"""How long a sync of LiteLLM's whole price map takes, against a plain import of it.

    .venv/bin/python bench/bench_sync.py [--repeat 3] [--database postgresql://...]

On tests/fixtures/litellm-cost-map (4,878 entries), best of ``--repeat`` runs, each on a fresh
SQLite store (or a fresh schema of ``--database``):

- baseline: what ``modelcatalog import --from litellm`` does -- read, map, and commit the
  records as one version (strict check, diff, history rows) -- measured in the same run so
  the ratios do not depend on the machine;
- first sync: ``modelcatalog sync`` into the empty store: the same, plus the plan (merge with
  the catalog, overrides, guardrails), the lock and the record of the models it supplied;
- second sync, no change upstream: fetch, map and plan again, find nothing to write.
"""

from __future__ import annotations

import argparse
import gc
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import DEFAULTS, MAP, owners
from figures import Figure, write_figures

from modelcatalog.importers import ImportOptions, import_catalog, read_source
from modelcatalog.settings import SyncSettings, SyncSource
from modelcatalog.store import CatalogDocument, Store
from modelcatalog.sync import run_sync


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


@contextmanager
def fresh_store(directory: str, database: str | None, owned_by: frozenset[str]) -> Iterator[Store]:
    """A store in ``directory``, or in a schema of ``database`` dropped afterwards."""
    if database is None:
        with Store.open(directory, owned_by=owned_by) as store:
            yield store
        return
    schema = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = f"{database}?options=-csearch_path%3D{schema}"
        with Store.open(database_url=url, owned_by=owned_by) as store:
            yield store
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def plain_import(store: Store, options: ImportOptions) -> int:
    result = import_catalog("litellm", read_source(str(MAP)), options)
    document = CatalogDocument.from_records(result.models, from_dump=False)
    return store.commit(lambda _current: document, author="bench", message="import").id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run.py)")
    args = parser.parse_args()
    accepted = owners(MAP.read_bytes())
    options = ImportOptions(defaults=DEFAULTS, accepted_owned_by=accepted)
    source = SyncSource(name="litellm", kind="litellm", url=str(MAP), defaults=DEFAULTS)
    settings = SyncSettings(sources=[source])
    best: dict[str, float] = {}
    models = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as base, tempfile.TemporaryDirectory() as synced:
            with fresh_store(base, args.database, accepted) as store:
                seconds, _ = timed(lambda: plain_import(store, options))
                best["baseline"] = min(best.get("baseline", seconds), seconds)
            with fresh_store(synced, args.database, accepted) as store:
                for step in ("first sync", "second sync (no change)"):
                    seconds, report = timed(
                        lambda: run_sync(store, settings, accepted_owned_by=accepted)
                    )
                    assert not report.failures, report.sources[0].message
                    best[step] = min(best.get(step, seconds), seconds)
                models = len(store.document()[1].models)
    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"source: {MAP.name}; {models} models synced into {backend}, best of {args.repeat}")
    print(f"{'step':<48} {'seconds':>8} {'x baseline':>11}")
    baseline = best["baseline"]
    names = {"baseline": "baseline: import --from litellm (map, commit)"}
    for step, seconds in best.items():
        print(f"{names.get(step, step):<48} {seconds:>8.3f} {seconds / baseline:>11.2f}")
    write_figures(
        args.json,
        [
            Figure(
                "sync",
                f"{step}, {backend}",
                seconds,
                "s",
                names["baseline"],
                baseline,
                seconds / baseline,
            )
            for step, seconds in best.items()
            if step != "baseline"
        ],
    )


if __name__ == "__main__":
    main()
