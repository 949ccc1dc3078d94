#!/usr/bin/env python3
"""Where the read path's tail comes from: collector pauses and event-loop stalls beside wrk's.

    .venv/bin/python bench/bench_tail.py [--seconds 5] [--connections 32,128] [--json FILE]

Starts the service as ``modelcatalog serve`` does (uvloop, the direct read protocol, the
loaded heap frozen) on the same ~150 KB catalog as bench_http.py, but in a process of this
script that also records, while wrk drives each request (listing, 304, gzip):

- every garbage collection (``gc.callbacks``): how many per generation, the longest, the total;
- event-loop stalls: a task that asks to wake every millisecond records how late it wakes
  (any callback that holds the loop -- a request, a timer, a collection -- shows as lateness),
  and for each wake the CPU time the process used meanwhile and the responses it completed:
  a stall with CPU time near its length is work done in one loop turn (a burst of requests),
  one with little CPU time is the process waiting for a CPU (the scheduler);
- the reads that took the ASGI path instead of the direct one (from ``/metrics``);
- the process's CPU time and the machine's load average, since on a shared machine a stall
  can also be the scheduler giving the CPU to someone else (wrk included).

Each wrk run is followed by a SIGUSR1 that makes the server write what it recorded and start
afresh, so each row is one run. Needs wrk; reports and compares, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from bench_http import PATH, SCENARIOS, Cell, _which, build_dump, free_port, request_headers
from bench_http import _wrk as wrk_into
from figures import Figure, at_most, write_figures

NOT_RUN = 3
TICK = 0.001


class Recorder:
    """Collector pauses and loop lateness since the last reset."""

    def __init__(self) -> None:
        self.reset()
        self._started = 0.0

    def reset(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self.lateness: list[float] = []
        #: Per wake: (lateness, process CPU seconds meanwhile, responses completed meanwhile).
        self.wakes: list[tuple[float, float, int]] = []
        self.cpu = time.process_time()

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    async def heartbeat(self, responses: Callable[[], int]) -> None:
        while True:
            before, cpu, answered = time.perf_counter(), time.process_time(), responses()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            self.lateness.append(late)
            self.wakes.append((late, time.process_time() - cpu, responses() - answered))

    def summary(self) -> dict[str, Any]:
        late = sorted(self.lateness) or [0.0]
        by_gen = {g: [d for gen, d in self.pauses if gen == g] for g in (0, 1, 2)}
        return {
            "gc": {
                str(g): {
                    "count": len(d),
                    "max_ms": 1000 * max(d, default=0.0),
                    "total_ms": 1000 * sum(d),
                }
                for g, d in by_gen.items()
            },
            "loop_late_p99_ms": 1000 * late[int(0.99 * (len(late) - 1))],
            "loop_late_max_ms": 1000 * late[-1],
            "loop_stalls_over_10ms": sum(1 for x in late if x > 0.010),
            **self._stalls(),
            "cpu_s": time.process_time() - self.cpu,
        }

    def _stalls(self) -> dict[str, Any]:
        """The longest stall's CPU time and responses; stalls over 10 ms by what they were."""
        _, cpu, answered = max(self.wakes, default=(0.0, 0.0, 0))
        long = [(w, c) for w, c, _ in self.wakes if w > 0.010]
        return {
            "longest_stall_cpu_ms": 1000 * cpu,
            "longest_stall_responses": answered,
            # CPU time under half the wake's wall time: the process waited for a CPU.
            "stalls_over_10ms_waiting": sum(1 for w, c in long if c < 0.5 * (w + TICK)),
        }


def serve(port: int, dump: Path, out: Path) -> None:
    """The child: ``modelcatalog serve --catalog dump`` with the recorder attached."""
    import uvicorn

    from modelcatalog.api.direct import http_protocol
    from modelcatalog.api.server import settle_heap
    from modelcatalog.api.service import build_service
    from modelcatalog.settings import Settings

    settings = Settings(catalog=dump, port=port, now="2026-12-01")
    app = build_service(settings)
    settle_heap()
    recorder = Recorder()
    gc.callbacks.append(recorder.on_gc)

    def dump_and_reset(*_: object) -> None:
        out.write_text(json.dumps(recorder.summary()))
        recorder.reset()

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=http_protocol(settings),  # as serve chooses it
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump_and_reset)
        beat = asyncio.create_task(recorder.heartbeat(lambda: server.server_state.total_requests))
        await server.serve()
        beat.cancel()

    import uvloop

    uvloop.run(main())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", default="32,128")
    parser.add_argument("--target-kb", type=int, default=150)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]), Path(args.serve[2]))
        return 0
    if _which("wrk") is None:
        print("not run: wrk missing; install it with `apt-get install -y wrk`", file=sys.stderr)
        return NOT_RUN
    work = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    dump = build_dump(work / "catalog.json", args.target_kb * 1024)
    port, stats = free_port(), work / "stats.json"
    command = [sys.executable, __file__, "--serve", str(port), str(dump), str(stats)]
    server = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    try:
        etag = _wait(url, server)
        figures = _drive(server, url, etag, stats, args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    write_figures(args.json, figures)
    return 0


def _wait(url: str, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            return httpx.get(url + PATH, headers={"Accept-Encoding": "identity"}).headers["etag"]
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _drive(
    server: subprocess.Popen[bytes], url: str, etag: str, stats: Path, args: argparse.Namespace
) -> list[Figure]:
    wrk_args = argparse.Namespace(threads=1, seconds=args.seconds)
    print(
        "| Request | wrk -c | req/s | p99 ms | slowest ms | gc gen0/1/2 | longest gc ms "
        "| loop late p99 / max ms | longest stall: CPU ms / responses "
        "| stalls > 10 ms (waiting for a CPU) | reads on the ASGI path | server CPU s "
        "| load before → after |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---|---|---|---:|---:|---|")
    figures = []
    for scenario in SCENARIOS:
        for conns in (int(c) for c in args.connections.split(",")):
            server.send_signal(signal.SIGUSR1)  # start afresh
            time.sleep(0.2)
            load, before = os.getloadavg()[0], _listing_reads(url)
            cell = Cell()
            wrk_into(cell, url + PATH, request_headers(scenario, etag), conns, wrk_args)
            server.send_signal(signal.SIGUSR1)
            time.sleep(0.2)
            got = json.loads(stats.read_text())
            after = _listing_reads(url)
            got["asgi_reads"] = (after[0] - before[0]) - (after[1] - before[1])
            longest = _print_row(scenario, conns, cell, got, load)
            figures += _figures(f"{scenario} c{conns}", cell, longest, got)
    return figures


def _print_row(scenario: str, conns: int, cell: Cell, got: dict[str, Any], load: float) -> float:
    """Print one run's row; returns its longest collection in ms."""
    gcs = got["gc"]
    counts = "/".join(str(gcs[g]["count"]) for g in ("0", "1", "2"))
    longest: float = max(gcs[g]["max_ms"] for g in ("0", "1", "2"))
    print(
        f"| {scenario} | {conns} | {statistics.mean(cell.rps):,.0f} | {cell.p99[0]:.2f} "
        f"| {cell.slowest[0]:.2f} | {counts} | {longest:.2f} "
        f"| {got['loop_late_p99_ms']:.2f} / {got['loop_late_max_ms']:.2f} "
        f"| {got['longest_stall_cpu_ms']:.2f} / {got['longest_stall_responses']} "
        f"| {got['loop_stalls_over_10ms']} ({got['stalls_over_10ms_waiting']}) "
        f"| {got['asgi_reads']:,.0f} | {got['cpu_s']:.2f} "
        f"| {load:.2f} → {os.getloadavg()[0]:.2f} |",
        flush=True,
    )
    return longest


def _figures(name: str, cell: Cell, longest: float, got: dict[str, Any]) -> list[Figure]:
    return [
        Figure("tail", f"{name}: slowest request", round(cell.slowest[0], 2), "ms"),
        Figure("tail", f"{name}: longest collection", round(longest, 2), "ms"),
        Figure(
            "tail",
            f"{name}: longest event-loop stall",
            round(got["loop_late_max_ms"], 2),
            "ms",
            goal="<= 50 ms",
            met=at_most(got["loop_late_max_ms"], 50.0),
        ),
    ]


def _listing_reads(url: str) -> tuple[float, float]:
    """All reads of the listing route so far, and those answered directly (from /metrics)."""
    text = httpx.get(url + "/metrics").text
    route = 'route="/api/v1/models"'
    total = direct = 0.0
    for line in text.splitlines():
        if route in line and line.startswith("modelcatalog_requests_total{"):
            total += float(line.rsplit(" ", 1)[1])
        elif route in line and line.startswith("modelcatalog_direct_reads_total{"):
            direct += float(line.rsplit(" ", 1)[1])
    return total, direct


if __name__ == "__main__":
    sys.exit(main())
