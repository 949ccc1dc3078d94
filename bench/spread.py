"""Which processes serve a port, and how one wrk run's work spread over them (Linux).

With several server processes on two CPUs, a rate alone does not say whether both processes
worked or one did all of it, nor how much of the machine the load generator itself took. A
:class:`Meter` around a wrk run reads, from ``/proc``, each serving process's CPU time before
and after, wrk's own CPU time (the waited-for children of this process), and, once the
connections are open, how many of them each serving process holds (``ss``). It asserts
nothing; bench_http.py prints and reports what it read.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = ["Meter", "Usage", "children", "connections", "cpu_seconds", "wait_idle", "workers"]

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (empty where /proc does not say)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(n) for n in task.read_text().split()]
        except OSError:
            continue
    return sorted(out)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICK


def wrk_cpu_seconds() -> float:
    """CPU time of this process's waited-for children: wrk, once ``subprocess.run`` returns."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def connections(port: int) -> dict[int, int]:
    """Established TCP connections on the server side of ``port``, counted by owning pid."""
    ss = shutil.which("ss") or shutil.which("ss", path="/usr/sbin:/sbin")
    if ss is None:
        return {}
    command = [ss, "-Htnp", "state", "established", f"( sport = :{port} )"]
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    counts: dict[int, int] = {}
    for line in output.splitlines():
        for pid in set(re.findall(r"pid=(\d+)", line)):
            counts[int(pid)] = counts.get(int(pid), 0) + 1
    return counts


def workers(parent: int, marker: str, count: int, timeout: float = 120.0) -> list[int]:
    """The ``count`` children of ``parent`` whose command line holds ``marker``, once started."""
    deadline = time.monotonic() + timeout
    found: list[int] = []
    while time.monotonic() < deadline:
        found = [pid for pid in children(parent) if marker in cmdline(pid)]
        if len(found) == count:
            return found
        time.sleep(0.1)
    raise SystemExit(f"process {parent}: expected {count} workers ({marker}), found {found}")


def wait_idle(pids: list[int], *, quiet: float = 0.5, timeout: float = 120.0) -> None:
    """Wait until none of ``pids`` has used CPU for ``quiet`` seconds: all have started.

    A second worker may still be loading the catalog when the first answers; measuring then
    would time one worker against two nginx workers.
    """
    deadline = time.monotonic() + timeout
    before = [cpu_seconds(p) for p in pids]
    while time.monotonic() < deadline:
        time.sleep(quiet)
        after = [cpu_seconds(p) for p in pids]
        if after == before:
            return
        before = after


@dataclass
class Usage:
    """What one wrk run cost, and where the connections went."""

    wall: float
    #: CPU seconds of each serving process, in the order of the meter's pids.
    cpu: list[float]
    wrk_cpu: float
    #: Connections each serving process held once wrk had opened them, same order.
    connections: list[int] = field(default_factory=list)


class Meter:
    """``with Meter(port, pids, sample_after) as meter: run wrk`` -> ``meter.usage``."""

    def __init__(self, port: int, pids: list[int], sample_after: float) -> None:
        self.port, self.pids = port, pids
        self._timer = threading.Timer(sample_after, self._sample)
        self._held: dict[int, int] = {}
        self.usage: Usage | None = None

    def __enter__(self) -> Meter:
        self._cpu = [cpu_seconds(p) for p in self.pids]
        self._wrk = wrk_cpu_seconds()
        self._start = time.monotonic()
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        wall = time.monotonic() - self._start
        self._timer.cancel()
        self._timer.join()
        cpu = [cpu_seconds(p) - c for p, c in zip(self.pids, self._cpu, strict=True)]
        held = [self._held.get(p, 0) for p in self.pids]
        self.usage = Usage(wall, cpu, wrk_cpu_seconds() - self._wrk, held)

    def _sample(self) -> None:
        self._held = connections(self.port)
