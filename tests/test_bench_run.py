"""bench/run.py: every benchmark's figures read from its --json, one table, the docs section."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

BENCH = ROOT / "bench"


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", BENCH / name)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while defining
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def run() -> ModuleType:
    return _module("run.py")


def test_every_bench_script_is_run() -> None:
    listed = {bench.script for bench in _module("run.py").BENCHES}
    assert listed == {path.name for path in BENCH.glob("bench_*.py")}


def test_validate_writes_its_figures_as_json(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    command = [sys.executable, str(BENCH / "bench_validate.py"), "--sizes", "40,80"]
    subprocess.run([*command, "--repeat", "1", "--json", str(out)], check=True, cwd=ROOT)
    figures = json.loads(out.read_text())
    names = [figure["name"] for figure in figures]
    assert names[0] == "40 models: parse, check, build"
    assert "80 models: parse, check, build (CPU time)" in names
    assert "80 models, fresh process: peak RSS" in names
    assert "80 models, fresh process: then warming every view" in names
    first = figures[0]
    assert first["baseline_name"] == "orjson.loads + json.dumps"
    assert first["ratio"] == pytest.approx(first["value"] / first["baseline"], rel=0.05)
    growth = next(f for f in figures if f["name"].startswith("growth"))
    assert growth["met"] is (growth["value"] <= 1.2)


def test_table_has_a_row_per_figure_and_what_was_not_run(run: ModuleType) -> None:
    figures = _module("figures.py")
    ok = run.Outcome(run.BENCHES[0], load_before=1.5, load_after=2.25, seconds=12)
    ok.figures = [
        figures.Figure("validate", "10,000 models", 1.5, "s", "orjson", 0.25, 6.0, "<= 2 s", True),
        figures.Figure("validate", "growth", 1.3, "x", goal="<= 1.2", met=False),
    ]
    missing = run.Outcome(run.BENCHES[3], status="not run", note="needs nginx and wrk")
    machine = {"cpu": "CPU", "cores": "2", "kernel": "Linux 6", "python": "3.11.7"}
    table = run.render(run.Run("quick", machine, "2026-12-06 03:00 UTC", [ok, missing]))
    assert "| validate | 10,000 models | 1.5 s | orjson 0.25 | 6 | <= 2 s | yes |" in table
    assert "| validate | growth | 1.3 x |  |  | <= 1.2 | **no** |" in table
    assert "| http | not run: needs nginx and wrk | 0 | 0.00 → 0.00 |" in table
    assert "| validate | ok | 12 | 1.50 → 2.25 |" in table
    assert "2 CPUs (CPU), Linux 6, Python 3.11.7" in table


def test_docs_section_is_replaced_between_the_markers(run: ModuleType) -> None:
    text = f"before\n{run.START}\nold table\n{run.END}\nafter\n"
    assert run.replace_section(text, "new") == f"before\n{run.START}\nnew\n{run.END}\nafter\n"
    assert run.START in (ROOT / "docs" / "performance.md").read_text()


def test_docs_without_markers_are_refused(run: ModuleType) -> None:
    with pytest.raises(SystemExit, match="no <!-- bench:run start -->"):
        run.replace_section("no markers here\n", "new")


def test_http_bench_says_what_is_missing_instead_of_installing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_http = _module("bench_http.py")
    monkeypatch.setattr(bench_http, "_which", lambda tool: None)
    monkeypatch.setattr(sys, "argv", ["bench_http.py", "--no-install"])
    assert bench_http.main() == 3
    assert "nginx, wrk missing" in capsys.readouterr().err
    assert "apt-get install -y nginx-light wrk" in bench_http.INSTALL_HINT


def test_http_figures_name_each_worker_count_and_the_scaling() -> None:
    bench_http = _module("bench_http.py")
    spread = sys.modules["spread"]
    results = {}
    for workers, ours, nginx in ((1, 100.0, 200.0), (2, 180.0, 300.0)):
        for name, rate in (("modelcatalog", ours), ("nginx", nginx)):
            cell = bench_http.Cell(rps=[rate], p50=[1.0], p99=[2.0], slowest=[3.0])
            cell.usage = [spread.Usage(5.0, [3.0, 1.0][:workers], 1.0, [24, 8][:workers])]
            results[("listing", 32, workers, name)] = cell
    args = argparse.Namespace(workers="1,2", rounds=3, seconds=5)
    figures = {f.name: f for f in bench_http.figures(results, args)}
    two = figures["listing c32 (workers 2, 3x5s): req/s"]
    assert (two.value, two.baseline, two.ratio, two.met) == (180, 300, 0.6, False)
    assert "listing c32 (workers 1, 3x5s): req/s" in figures
    scaling = figures["listing c32 (workers 2 over 1, 3x5s): req/s scaling"]
    assert (scaling.value, scaling.baseline, scaling.ratio) == (1.8, 1.5, 1.2)
    share = figures["listing c32 (workers 2, 3x5s): busiest worker's share of the CPU"]
    assert share.value == 75.0
    cost = figures["listing c32 (workers 1, 3x5s): CPU per request, server + wrk"]
    assert (cost.value, cost.baseline, cost.ratio) == (8000.0, 4000.0, 2.0)
