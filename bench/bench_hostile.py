#!/usr/bin/env python3
"""What a hostile client can make the server hold: RSS before and after unique requests.

    .venv/bin/python bench/bench_hostile.py [--count 2000] [--at-count 400] [--length 4000]
                                            [--json FILE]

Starts a real ``modelcatalog serve`` on a throwaway SQLite store (the bundled catalog) and,
for each case, sends ``--count`` identical requests (the baseline: what serving costs when
nothing is new) and then as many requests that each carry a value never sent before:

- ``query``: ``GET /api/v1/models?type=text&pad=<unique, --length bytes>``;
- ``accept-encoding``: ``GET /api/v1/models`` with a unique ``Accept-Encoding`` of --length
  bytes;
- ``origin``: ``GET /api/v1/models`` with a unique ``Origin`` (answered with a CORS header);
- ``at``: ``GET /api/v1/models?at=<unique instant>`` (``--at-count`` requests), instants
  spread over the past and the future, each one second apart.

The server's resident set size (``VmRSS``) is printed after each phase; a cache keyed by
request text that is not bounded in bytes shows as growth in the unique phase far above the
baseline's. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from figures import Figure, at_most, write_figures

MIB = 1024 * 1024
#: Growth over unique requests beyond that over identical ones (tests/hardening/test_caches.py).
GOAL_MIB = 6.0
Request = tuple[str, dict[str, str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "modelcatalog"), "serve", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("modelcatalog serve did not start")


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise SystemExit("no VmRSS in /proc (Linux only)")


def unique_text(index: int, length: int) -> str:
    tag = f"{index:08d}"
    return (tag * (length // len(tag) + 1))[:length]


def cases(length: int) -> dict[str, Callable[[int], Request]]:
    epoch = datetime(2026, 1, 1, tzinfo=UTC)

    def at(index: int) -> Request:
        # Half in the past (the store's history), half in the future (lifecycle clock).
        offset = timedelta(days=400) if index % 2 else timedelta(days=-200)
        instant = epoch + offset + timedelta(seconds=index)
        return f"/api/v1/models?at={instant.strftime('%Y-%m-%dT%H:%M:%SZ')}", {}

    return {
        "query": lambda i: (f"/api/v1/models?type=text&pad={unique_text(i, length)}", {}),
        "accept-encoding": lambda i: (
            "/api/v1/models",
            {"accept-encoding": f"gzip;q=0.5, x-{unique_text(i, length)}"},
        ),
        "origin": lambda i: (
            "/api/v1/models",
            {"origin": f"https://{unique_text(i, min(length, 200))}.example"},
        ),
        "at": at,
    }


def drive(client: httpx.Client, requests: Iterator[Request]) -> None:
    for path, headers in requests:
        answer = client.get(path, headers=headers)
        if answer.status_code >= 500:
            raise SystemExit(f"{path[:80]}: {answer.status_code}")


def run_case(
    client: httpx.Client, pid: int, name: str, make: Callable[[int], Request], count: int
) -> tuple[int, int]:
    """RSS growth over ``count`` identical requests, then over ``count`` unique ones."""
    before = rss(pid)
    drive(client, (make(0) for _ in range(count)))
    repeated = rss(pid)
    drive(client, (make(i + 1) for i in range(count)))
    unique = rss(pid)
    print(
        f"{name:16} {count:6} requests: RSS {before / MIB:7.1f} MiB"
        f" -> {repeated / MIB:7.1f} after identical (+{(repeated - before) / MIB:5.1f})"
        f" -> {unique / MIB:7.1f} after unique (+{(unique - repeated) / MIB:5.1f})"
    )
    return repeated - before, unique - repeated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--at-count", type=int, default=400)
    parser.add_argument("--length", type=int, default=4000)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    figures = []
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(port, Path(data_dir))
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                print(f"server RSS at start: {rss(server.pid) / MIB:.1f} MiB")
                for name, make in cases(args.length).items():
                    count = args.at_count if name == "at" else args.count
                    repeated, unique = run_case(client, server.pid, name, make, count)
                    figures.append(
                        Figure(
                            "hostile",
                            f"RSS growth over {count} unique {name} requests",
                            round(unique / MIB, 1),
                            "MiB",
                            f"growth over {count} identical",
                            round(repeated / MIB, 1),
                            None,
                            f"<= baseline + {GOAL_MIB:g} MiB",
                            at_most((unique - repeated) / MIB, GOAL_MIB),
                        )
                    )
                print(f"server RSS at end: {rss(server.pid) / MIB:.1f} MiB")
        finally:
            server.terminate()
            server.wait(timeout=10)
    write_figures(args.json, figures)


if __name__ == "__main__":
    main()
