#!/usr/bin/env python3
"""How long importing LiteLLM's whole price map takes, and building a served catalog from it.

    .venv/bin/python bench/bench_import.py [--repeat 3]

Times, best of ``--repeat`` runs, on tests/fixtures/litellm-cost-map (4,878 entries):

- baseline: ``json.loads`` of the file with ``parse_float=Decimal`` -- the least an exact
  importer must do, measured in the same run so the ratios do not depend on the machine;
- import: ``import_catalog("litellm", ...)``: parse, map every entry, apply the defaults and
  check every record with the catalog's strict rules;
- build: what a store does with the result before serving it -- strict validation of the whole
  catalog and ``CatalogSnapshot.from_checked``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from figures import Figure, write_figures

from modelcatalog.catalog import CatalogSnapshot, Mode, check_catalog
from modelcatalog.catalog.findings import Origin
from modelcatalog.catalog.sources import CatalogSource, SourceRecord
from modelcatalog.importers import ImportOptions, ImportResult, import_catalog

MAP = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/litellm-cost-map/model_prices_and_context_window_1.110.2.json"
)
DEFAULTS = {
    "privacy": "anonymized",
    "quantization": "not-available",
    "capabilities": "false",
    "diem": "1",
}


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def owners(raw: bytes) -> frozenset[str]:
    entries = json.loads(raw)
    return frozenset(
        e["litellm_provider"]
        for e in entries.values()
        if isinstance(e.get("litellm_provider"), str)
    )


def build(result: ImportResult, accepted: frozenset[str]) -> CatalogSnapshot:
    source = CatalogSource(
        records=[SourceRecord(Origin("import", str(m["id"])), m) for m in result.models]
    )
    return CatalogSnapshot.from_checked(check_catalog(source, Mode.STRICT, owned_by=accepted))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run.py)")
    args = parser.parse_args()
    raw = MAP.read_bytes()
    accepted = owners(raw)
    options = ImportOptions(defaults=DEFAULTS, accepted_owned_by=accepted)
    baseline, _ = best_of(args.repeat, lambda: json.loads(raw, parse_float=Decimal))
    imported_s, result = best_of(args.repeat, lambda: import_catalog("litellm", raw, options))
    built_s, snapshot = best_of(args.repeat, lambda: build(result, accepted))
    print(f"source: {MAP.name}, {len(raw) / 1e6:.1f} MB, {result.report.entries} entries")
    print(f"imported {result.report.imported} models, snapshot of {len(snapshot.models)}")
    print(f"{'step':<40} {'seconds':>8} {'x baseline':>11}")
    rows = [
        ("baseline: json.loads(parse_float=Decimal)", baseline),
        ("import (map, defaults, strict check)", imported_s),
        ("catalog build (strict check, snapshot)", built_s),
        ("import + build", imported_s + built_s),
    ]
    for name, seconds in rows:
        print(f"{name:<40} {seconds:>8.3f} {seconds / baseline:>11.1f}")
    write_figures(
        args.json,
        [
            Figure("import", name, seconds, "s", rows[0][0], baseline, seconds / baseline)
            for name, seconds in rows[1:]
        ],
    )


if __name__ == "__main__":
    main()
