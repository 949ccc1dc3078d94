#!/usr/bin/env python3
"""Run every benchmark in bench/ and print one table: each figure, its baseline, ratio and goal.

    python3 bench/run.py [--quick | --full] [--only validate,quote,...] [--json FILE]
                         [--write-docs]

``--quick`` (the default) keeps the whole run to a few minutes: short runs, one round, smaller
sizes. ``--full`` runs each benchmark with the arguments behind the figures documented in
docs/performance.md. ``--write-docs`` rewrites the generated section of docs/performance.md
(between the ``bench:run`` markers) with the table, the machine it ran on and the load
average before and after each benchmark. Each benchmark runs in its own process with
``--json`` and is read from there; its full output goes to a log named in the table when it
fails. Benchmarks whose tools are missing (nginx and wrk, PostgreSQL) are listed as not run,
with what to install.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOCS = ROOT / "docs" / "performance.md"
START = "<!-- bench:run start -->"
END = "<!-- bench:run end -->"
#: The exit status with which a benchmark says a tool it needs is missing.
NOT_RUN = 3
TIMEOUT_SECONDS = 1800

sys.path.insert(0, str(BENCH))
from figures import Figure, read_figures  # noqa: E402


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    quick: tuple[str, ...]
    full: tuple[str, ...]
    needs: str = ""


BENCHES = (
    Bench(
        "validate",
        "bench_validate.py",
        ("--sizes", "2500,10000", "--repeat", "1"),
        ("--sizes", "2500,5000,10000,20000", "--repeat", "3"),
    ),
    Bench(
        "quote",
        "bench_quote.py",
        ("--seconds", "0.5", "--http-seconds", "2"),
        ("--seconds", "2", "--http-seconds", "3", "--rounds", "3"),
        "wrk for the HTTP figures (else an httpx client drives them)",
    ),
    Bench(
        "resolve",
        "bench_resolve.py",
        ("--seconds", "0.5", "--http-seconds", "2"),
        ("--seconds", "2", "--http-seconds", "5"),
        "wrk for the HTTP figures (else an httpx client drives them)",
    ),
    Bench(
        "http",
        "bench_http.py",
        ("--seconds", "2", "--rounds", "1", "--no-install"),
        # Full: one worker each side and two each side, interleaved, and the scaling.
        ("--seconds", "5", "--rounds", "3", "--workers", "1,2", "--no-install"),
        "nginx and wrk: `apt-get install -y nginx-light wrk`",
    ),
    Bench(
        "tail",
        "bench_tail.py",
        ("--seconds", "2"),
        ("--seconds", "5"),
        "wrk: `apt-get install -y wrk`",
    ),
    Bench(
        "direct",
        "bench_direct.py",
        ("--loops", "20000", "--repeat", "3"),
        ("--loops", "100000", "--repeat", "5"),
    ),
    Bench(
        "replicas",
        "bench_replicas.py",
        ("--writes", "20", "--seconds", "3", "--large-seconds", "10"),
        ("--writes", "60", "--seconds", "8", "--large-seconds", "25"),
        "PostgreSQL on 127.0.0.1:5432 and wrk",
    ),
    Bench("import", "bench_import.py", ("--repeat", "1"), ("--repeat", "3")),
    Bench(
        "sync",
        "bench_sync.py",
        ("--repeat", "1"),
        ("--repeat", "2"),
        "SQLite by default; `--database postgresql://...` for PostgreSQL",
    ),
    Bench(
        "pages",
        "bench_pages.py",
        ("--sizes", "bundled,5000", "--requests", "50", "--runs", "1"),
        ("--sizes", "bundled,5000", "--requests", "200", "--runs", "3"),
    ),
    Bench(
        "hostile",
        "bench_hostile.py",
        ("--count", "1000", "--at-count", "200", "--length", "4000"),
        ("--count", "4000", "--at-count", "1000", "--length", "7800"),
    ),
)


@dataclass
class Outcome:
    """What one benchmark gave: its figures, or why it has none."""

    bench: Bench
    figures: list[Figure] = field(default_factory=list)
    #: "ok", "not run" (a tool is missing) or "failed".
    status: str = "ok"
    note: str = ""
    seconds: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0


@dataclass
class Run:
    mode: str
    machine: dict[str, str]
    started: str
    outcomes: list[Outcome]


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    python = _python()
    chosen = [b for b in BENCHES if args.only is None or b.name in args.only.split(",")]
    mode = "full" if args.full else "quick"
    run = Run(mode, machine(python), _now(), [])
    logs = Path(tempfile.mkdtemp(prefix="bench-run-"))
    for bench in chosen:
        print(f"== {bench.name} ({mode}) ...", flush=True)
        outcome = run_bench(python, bench, mode, logs)
        print(f"   {outcome.status} in {outcome.seconds:.0f} s {outcome.note}".rstrip(), flush=True)
        run.outcomes.append(outcome)
    print()
    print(render(run))
    if args.json:
        args.json.write_text(json.dumps(_run_json(run), indent=1) + "\n")
    if args.write_docs:
        DOCS.write_text(replace_section(DOCS.read_text(), render(run)))
        print(f"wrote {DOCS.relative_to(ROOT)}")
    return 1 if any(o.status == "failed" for o in run.outcomes) else 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a few minutes in all (the default)")
    size.add_argument("--full", action="store_true", help="the documented figures (longer)")
    names = ",".join(b.name for b in BENCHES)
    parser.add_argument("--only", help=f"comma-separated benchmarks among {names}")
    parser.add_argument("--json", type=Path, help="also write every figure here as JSON")
    parser.add_argument(
        "--write-docs", action="store_true", help="regenerate the table in docs/performance.md"
    )
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - {b.name for b in BENCHES} if args.only else set()
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose among {names}")
    return args


def _python() -> str:
    """The project's virtual environment (created by dev.py if need be), where modelcatalog is."""
    sys.path.insert(0, str(ROOT))
    import dev

    dev.ensure_venv()
    return str(dev.BIN / "python")


def run_bench(python: str, bench: Bench, mode: str, logs: Path) -> Outcome:
    outcome = Outcome(bench, load_before=os.getloadavg()[0])
    result = logs / f"{bench.name}.json"
    log = logs / f"{bench.name}.log"
    arguments = bench.full if mode == "full" else bench.quick
    command = [python, str(BENCH / bench.script), *arguments, "--json", str(result)]
    started = time.monotonic()
    with log.open("w") as out:
        try:
            code = subprocess.run(
                command, stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS, cwd=ROOT
            ).returncode
        except subprocess.TimeoutExpired:
            code = -1
    outcome.seconds = time.monotonic() - started
    outcome.load_after = os.getloadavg()[0]
    if code == 0 and result.exists():
        outcome.figures = read_figures(result)
    elif code == NOT_RUN:
        outcome.status, outcome.note = "not run", f"needs {bench.needs}"
    else:
        outcome.status, outcome.note = "failed", f"exit {code}, see {log}"
    return outcome


def machine(python: str) -> dict[str, str]:
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "kernel": f"{platform.system()} {platform.release()}",
        "python": version or platform.python_version(),
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(run: Run) -> str:
    """The run as Markdown: the machine, one table of every figure, and what was not run."""
    m = run.machine
    lines = [
        f"Run {run.started} with `python3 bench/run.py --{run.mode}` on {m['cores']} CPUs "
        f"({m['cpu']}), {m['kernel']}, Python {m['python']}.",
        "",
        "| Benchmark | Figure | Value | Baseline | Ratio | Goal | Met |",
        "|---|---|---:|---|---:|---|:---:|",
    ]
    for outcome in run.outcomes:
        lines += [_row(f) for f in outcome.figures]
    lines += ["", "| Benchmark | Status | Seconds | Load average before → after |"]
    lines += ["|---|---|---:|---|"]
    for o in run.outcomes:
        status = f"{o.status}: {o.note}" if o.note else o.status
        lines.append(
            f"| {o.bench.name} | {status} | {o.seconds:.0f} "
            f"| {o.load_before:.2f} → {o.load_after:.2f} |"
        )
    return "\n".join(lines)


def _row(f: Figure) -> str:
    value = f"{_number(f.value)} {f.unit}".strip()
    baseline = f"{f.baseline_name} {_number(f.baseline)}".strip() if f.baseline_name else ""
    ratio = "" if f.ratio is None else _number(f.ratio)
    met = {True: "yes", False: "**no**", None: ""}[f.met]
    return f"| {f.bench} | {f.name} | {value} | {baseline} | {ratio} | {f.goal} | {met} |"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def replace_section(text: str, block: str) -> str:
    """``text`` with what stands between the bench:run markers replaced by ``block``."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{DOCS.name} has no {START} ... {END} section to regenerate")
    return f"{text[: start + len(START)]}\n{block}\n{text[end:]}"


def _run_json(run: Run) -> dict[str, object]:
    return {
        "mode": run.mode,
        "started": run.started,
        "machine": run.machine,
        "benchmarks": [
            {
                "name": o.bench.name,
                "status": o.status,
                "note": o.note,
                "seconds": round(o.seconds, 1),
                "load_before": o.load_before,
                "load_after": o.load_after,
                "figures": [f.to_json() for f in o.figures],
            }
            for o in run.outcomes
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
