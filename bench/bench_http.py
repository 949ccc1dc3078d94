#!/usr/bin/env python3
"""The read path against nginx serving the same bytes as a static file, side by side.

    .venv/bin/python bench/bench_http.py [--seconds 5] [--rounds 2] [--connections 32,128]
                                         [--workers 1|2|1,2] [--threads 1] [--target-kb 150]
                                         [--sockets reuseport|shared]
                                         [--variant direct|stock|raw] [--no-install]
                                         [--json FILE]

Installs ``nginx`` (nginx-light) and ``wrk`` from Debian's packages when missing (as root:
``apt-get install -y nginx-light wrk``); with ``--no-install`` it says which are missing and
exits with status 3 instead. Builds a
catalog whose ``type=all`` listing is ~150 KB (the bundled models, repeated under new ids),
starts ``modelcatalog serve`` on it and nginx with the same number of worker processes
serving the service's own listing bytes (and its gzip bytes, via ``gzip_static``) from a
file, then runs ``wrk`` against both, interleaved round by round, for three requests: the
listing, a revalidation answered 304, and the gzip listing. Prints req/s, p50 and p99 of each
and the ratios to nginx, the machine's ceiling for serving those bytes. ``--variant stock``
serves with ``http_fast_path = false`` (uvicorn's own protocol): run it beside ``direct`` to
see what the fast path is worth.

``--workers 1,2`` starts a service and an nginx for each count and interleaves all four, so
the scaling from one worker to two (req/s with two over req/s with one, each side) comes
from the same rounds. Around every wrk run it also reads each serving process's CPU time,
wrk's own, and how many connections each process holds (bench/spread.py): on two CPUs wrk
and the servers share the machine, and a shared accept socket may hand one process most of
the connections.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import spread
import yaml
from figures import Figure, at_least, at_most, write_figures

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from modelcatalog.bundled import BUNDLED_CATALOG  # noqa: E402

MODELCATALOG = str(Path(sys.executable).parent / "modelcatalog")
PATH = "/api/v1/models?type=all"
NOW = "2026-12-01"
SCENARIOS = ("listing", "304", "gzip")
_RAW_APP = "bench.http.raw_app:app"


def main() -> int:
    args = _arguments()
    missing = ensure_tools(install=not args.no_install)
    if missing:
        print(f"not run: {', '.join(missing)} missing; {INSTALL_HINT}", file=sys.stderr)
        return NOT_RUN
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    dump = build_dump(work / "catalog.json", args.target_kb * 1024)
    pairs: list[Pair] = []
    try:
        for workers in worker_counts(args.workers):
            pairs.append(Pair.start(dump, workers, work / f"workers-{workers}", args))
        results = run(pairs, args)
    finally:
        for pair in pairs:
            pair.stop()
    print_report(results, len(pairs[0].body), args)
    write_figures(args.json, figures(results, args))
    return 0


def worker_counts(text: str) -> list[int]:
    """``--workers 1,2`` -> [1, 2]: each count gets its own service and nginx, side by side."""
    return sorted({int(n) for n in text.split(",")})


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per cell")
    parser.add_argument("--connections", default="32,128", help="wrk -c values")
    parser.add_argument(
        "--workers",
        default="1",
        help="server processes each side; a list (1,2) runs each count, interleaved, and "
        "reports the scaling from the first to the others",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk -t")
    parser.add_argument(
        "--sockets",
        choices=("reuseport", "shared"),
        default="reuseport",
        help="with several workers: one SO_REUSEPORT socket per worker, each side (the "
        "service's default, nginx's `listen ... reuseport`), or one socket shared by all",
    )
    parser.add_argument("--target-kb", type=int, default=150, help="type=all listing size")
    parser.add_argument(
        "--variant",
        choices=("direct", "stock", "raw"),
        default="direct",
        help="direct: `modelcatalog serve` as shipped (the HTTP fast path); stock: the same "
        "with http_fast_path = false; raw: create_app() on uvicorn, without metrics",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="do not apt-get install nginx or wrk"
    )
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    return parser.parse_args()


#: Exit status when a tool the benchmark needs is missing (bench/run.py reports it as not run).
NOT_RUN = 3
INSTALL_HINT = "install them with `apt-get install -y nginx-light wrk` (Debian, as root)"


def ensure_tools(*, install: bool = True) -> list[str]:
    """Install nginx and wrk from Debian's packages if missing; return those still missing."""
    missing = [tool for tool in ("nginx", "wrk") if _which(tool) is None]
    if not missing or not install or shutil.which("apt-get") is None:
        return missing
    print(f"installing {', '.join(missing)} from Debian packages ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    packages = ["nginx-light" if t == "nginx" else t for t in missing]
    if subprocess.run(["apt-get", "install", "-y", "-qq", *packages]).returncode != 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False)
    return [tool for tool in ("nginx", "wrk") if _which(tool) is None]


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin")


def build_dump(path: Path, target_bytes: int) -> Path:
    """A Venice dump of the bundled models, repeated under new ids up to ``target_bytes``."""
    models = []
    for file in sorted(BUNDLED_CATALOG.rglob("*.yaml")):
        if file.parent.name != "aliases":
            record = yaml.safe_load(file.read_text())
            record.pop("x-catalog", None)
            models.append(record)
    out: list[dict[str, object]] = []
    copy = 0
    while len(json.dumps(out, separators=(",", ":"))) < target_bytes:
        model = json.loads(json.dumps(models[copy % len(models)]))
        round_ = copy // len(models)
        if round_:
            model["id"] = f"{model['id']}-r{round_}"
        out.append(model)
        copy += 1
    path.write_text(json.dumps({"data": out, "object": "list", "type": "all"}))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url} exited:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer:\n{log.read_text()}")


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    port: int
    workers: int

    @classmethod
    def start(
        cls,
        dump: Path,
        workers: int,
        work: Path,
        variant: str = "direct",
        *,
        reuse_port: bool = True,
    ) -> Service:
        port = free_port()
        log = work / "modelcatalog.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
        env["MODELCATALOG_REUSE_PORT"] = "true" if reuse_port else "false"
        if variant != "raw":
            env["MODELCATALOG_HTTP_FAST_PATH"] = "true" if variant == "direct" else "false"
            command = [MODELCATALOG, "serve", "--catalog", str(dump), "--port", str(port)]
            command += ["--workers", str(workers), "--now", NOW, "--log-level", "warning"]
        else:
            env.update(MODELCATALOG_CATALOG=str(dump), MODELCATALOG_NOW=NOW, PYTHONPATH=str(ROOT))
            command = [str(Path(sys.executable).parent / "uvicorn"), "--factory", _RAW_APP]
            command += ["--port", str(port), "--workers", str(workers), "--loop", "uvloop"]
            command += ["--http", "httptools", "--no-access-log", "--no-server-header"]
            command += ["--log-level", "warning"]
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", process, log)
        service = cls(url, process, port, workers)
        spread.wait_idle(service.serving_pids())
        return service

    def serving_pids(self) -> list[int]:
        """The processes that answer: the one started, or its worker processes."""
        if self.workers == 1:
            return [self.process.pid]
        return spread.workers(self.process.pid, "spawn_main", self.workers)

    def listing(self) -> tuple[bytes, bytes, str]:
        plain = httpx.get(self.url + PATH, headers={"Accept-Encoding": "identity"})
        with httpx.stream("GET", self.url + PATH, headers={"Accept-Encoding": "gzip"}) as zipped:
            gzipped = b"".join(zipped.iter_raw())
        return plain.content, gzipped, plain.headers["etag"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


@dataclass
class Nginx:
    url: str
    process: subprocess.Popen[bytes]
    config: Path
    port: int
    workers: int

    @classmethod
    def start(
        cls, work: Path, body: bytes, gzipped: bytes, workers: int, reuse_port: bool = True
    ) -> Nginx:
        (work / "all.json").write_bytes(body)
        (work / "all.json.gz").write_bytes(gzipped)
        port = free_port()
        config = work / "nginx.conf"
        listen = f"127.0.0.1:{port}" + (" reuseport" if reuse_port else "")
        config.write_text(_NGINX_CONF.format(work=work, listen=listen, workers=workers))
        nginx = _which("nginx") or "nginx"
        log = work / "nginx.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [nginx, "-c", str(config), "-p", str(work)], stdout=out, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        wait_for(url + PATH, process, log)
        return cls(url, process, config, port, workers)

    def serving_pids(self) -> list[int]:
        """nginx's worker processes (the master only accepts signals)."""
        return spread.workers(self.process.pid, "worker process", self.workers)

    def etag(self) -> str:
        return httpx.get(self.url + PATH, headers={"Accept-Encoding": "identity"}).headers["etag"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)  # graceful for nginx
        self.process.wait(timeout=30)


_NGINX_CONF = """
daemon off;
master_process on;
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    client_body_temp_path {work}/tmp;
    server {{
        listen {listen};
        location = /api/v1/models {{
            default_type application/json;
            alias {work}/all.json;
            gzip_static on;
            gzip_vary on;
        }}
    }}
}}
"""


@dataclass
class Target:
    """One server to drive: where, its ETag, and the processes that answer there."""

    name: str
    workers: int
    url: str
    etag: str
    port: int
    pids: list[int]


@dataclass
class Pair:
    """The service and nginx with the same number of worker processes, answering alike."""

    service: Service
    nginx: Nginx | None
    body: bytes
    targets: list[Target]

    @classmethod
    def start(cls, dump: Path, workers: int, work: Path, args: argparse.Namespace) -> Pair:
        work.mkdir()
        work.chmod(0o755)
        reuse_port = args.sockets == "reuseport"
        service = Service.start(dump, workers, work, args.variant, reuse_port=reuse_port)
        pair = cls(service, None, b"", [])
        try:
            pair.body, gzipped, etag = service.listing()
            pair.nginx = nginx = Nginx.start(work, pair.body, gzipped, workers, reuse_port)
            pair.targets = [
                Target("nginx", workers, nginx.url, nginx.etag(), nginx.port, []),
                Target("modelcatalog", workers, service.url, etag, service.port, []),
            ]
            check(pair.targets, pair.body)
            pair.targets[0].pids = nginx.serving_pids()
            pair.targets[1].pids = service.serving_pids()
        except BaseException:
            pair.stop()
            raise
        for target in pair.targets:
            assert len(target.pids) == workers, (target.name, target.pids)
        return pair

    def stop(self) -> None:
        self.service.stop()
        if self.nginx is not None:
            self.nginx.stop()


def request_headers(scenario: str, etag: str) -> dict[str, str]:
    if scenario == "304":
        return {"If-None-Match": etag}
    if scenario == "gzip":
        return {"Accept-Encoding": "gzip"}
    return {}


def check(targets: list[Target], body: bytes) -> None:
    """Both servers answer each scenario alike before anything is measured."""
    for target in targets:
        name = target.name
        for scenario in SCENARIOS:
            headers = {"Accept-Encoding": "identity", **request_headers(scenario, target.etag)}
            with httpx.stream("GET", target.url + PATH, headers=headers) as response:
                raw = b"".join(response.iter_raw())
                coding = response.headers.get("content-encoding")
                expected = {"listing": 200, "304": 304, "gzip": 200}[scenario]
                assert response.status_code == expected, (name, scenario, response.status_code)
            if scenario == "listing":
                assert raw == body, name
            if scenario == "gzip":
                assert coding == "gzip", (name, coding)


@dataclass
class Cell:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    slowest: list[float] = field(default_factory=list)
    errors: int = 0
    #: wrk's "Socket errors: connect 0, read 0, write 0, timeout 3" lines, when it printed one.
    socket_errors: list[str] = field(default_factory=list)
    #: Per run: each serving process's CPU, wrk's, connections per process (spread.Usage).
    usage: list[spread.Usage] = field(default_factory=list)


#: (request, wrk -c, workers each side, "nginx" or "modelcatalog") -> what its runs measured.
Results = dict[tuple[str, int, int, str], Cell]


def run(pairs: list[Pair], args: argparse.Namespace) -> Results:
    """Every request and connection count against every server, the order flipped each round."""
    results: Results = {}
    connections = [int(c) for c in args.connections.split(",")]
    targets = [target for pair in pairs for target in pair.targets]
    for round_ in range(args.rounds):
        for scenario in SCENARIOS:
            for conns in connections:
                order = targets if round_ % 2 == 0 else list(reversed(targets))
                for target in order:
                    key = (scenario, conns, target.workers, target.name)
                    cell = results.setdefault(key, Cell())
                    headers = request_headers(scenario, target.etag)
                    _wrk(cell, target.url + PATH, headers, conns, args, target)
                    print(f"round {round_ + 1} {scenario:7} c{conns:<4} " + _line(target, cell))
    return results


def _line(target: Target, cell: Cell) -> str:
    line = (
        f"w{target.workers} {target.name:12} {cell.rps[-1]:>10,.0f} req/s  "
        f"p99 {cell.p99[-1]:.2f} ms"
    )
    if cell.usage:
        used = cell.usage[-1]
        cpu = " + ".join(f"{c / used.wall:.0%}" for c in used.cpu)
        held = "/".join(str(n) for n in used.connections)
        line += f"  CPU {cpu}, wrk {used.wrk_cpu / used.wall:.0%}; connections {held}"
    if cell.errors:
        line += f"  ({cell.errors} errors so far; {'; '.join(cell.socket_errors)})"
    return line


def _wrk(
    cell: Cell,
    url: str,
    headers: dict[str, str],
    conns: int,
    args: argparse.Namespace,
    target: Target | None = None,
) -> None:
    """One wrk run into ``cell``; with a ``target``, also what it cost each process."""
    command = [_which("wrk") or "wrk", "-t", str(args.threads), "-c", str(conns)]
    command += ["-d", f"{args.seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if target is None:
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    else:
        with spread.Meter(target.port, target.pids, min(1.0, args.seconds / 2)) as meter:
            output = subprocess.run([*command, url], capture_output=True, text=True, check=True)
        assert meter.usage is not None
        cell.usage.append(meter.usage)
    _parse(cell, output.stdout)


def _parse(cell: Cell, output: str) -> None:
    cell.rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)))  # type: ignore[union-attr]
    cell.p50.append(_latency(output, "50%"))
    cell.p99.append(_latency(output, "99%"))
    cell.slowest.append(_slowest(output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    cell.errors += int(errors.group(1)) if errors else 0
    if socket_errors:
        cell.errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
        cell.socket_errors.append(socket_errors.group(0))


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _slowest(output: str) -> float:
    """The slowest request of a wrk run in ms: the Max column of its Latency line."""
    match = re.search(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s", output, re.M)
    assert match, output
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


#: Issue goals, modelcatalog over nginx with as many workers each side: the rate ratio by request.
GOAL_RATE = {"listing": 0.9, "304": 0.75, "gzip": 0.75}
GOAL_P99_RATIO = 2.0
GOAL_SLOWEST_MS = 50.0


def figures(results: Results, args: argparse.Namespace) -> list[Figure]:
    """Each request's rate and p99 against nginx's, the slowest request at c128; with several
    workers, how the service's CPU spread over them; with several counts, the scaling."""
    out = []
    counts = worker_counts(args.workers)
    for (scenario, conns, workers, name), ours in sorted(results.items()):
        if name != "modelcatalog":
            continue
        base = results[(scenario, conns, workers, "nginx")]
        label = f"{scenario} c{conns} (workers {workers}, {args.rounds}x{args.seconds}s)"
        out += _cell_figures(label, scenario, conns, base, ours)
        cost = _cost_figure(label, base, ours)
        out += [cost] if cost is not None else []
        if workers > 1:
            out.append(_spread_figure(label, base, ours))
        if workers != counts[0]:
            first = (scenario, conns, counts[0])
            out.append(_scaling_figure(scenario, conns, counts[0], workers, results, first, args))
    return out


def _cell_figures(label: str, scenario: str, conns: int, base: Cell, ours: Cell) -> list[Figure]:
    rps_b, rps_o = statistics.mean(base.rps), statistics.mean(ours.rps)
    p99_b, p99_o = statistics.mean(base.p99), statistics.mean(ours.p99)
    rate_goal = GOAL_RATE[scenario]
    out = [
        Figure(
            "http",
            f"{label}: req/s",
            round(rps_o),
            "req/s",
            "nginx",
            round(rps_b),
            round(rps_o / rps_b, 2),
            f">= {rate_goal:g} x",
            at_least(rps_o / rps_b, rate_goal),
        ),
        Figure(
            "http",
            f"{label}: p99",
            round(p99_o, 2),
            "ms",
            "nginx p99",
            round(p99_b, 2),
            round(p99_o / p99_b, 2),
            f"<= {GOAL_P99_RATIO:g} x",
            at_most(p99_o / p99_b, GOAL_P99_RATIO),
        ),
    ]
    if conns >= 128:
        slowest = max(ours.slowest)
        out.append(
            Figure(
                "http",
                f"{label}: slowest request",
                round(slowest, 2),
                "ms",
                "nginx slowest",
                round(max(base.slowest), 2),
                None,
                f"<= {GOAL_SLOWEST_MS:g} ms",
                at_most(slowest, GOAL_SLOWEST_MS),
            )
        )
    return out


def busiest_share(cell: Cell) -> float:
    """The busiest serving process's share of the CPU all of them used, over every run (%)."""
    per_process = [sum(run) for run in zip(*(u.cpu for u in cell.usage), strict=True)]
    total = sum(per_process)
    return 100 * max(per_process) / total if total else 0.0


def cpu_per_request(cell: Cell) -> tuple[float, float] | None:
    """CPU µs per answered request: the serving processes', and wrk's (None if not metered)."""
    requests = sum(rate * u.wall for rate, u in zip(cell.rps, cell.usage, strict=True))
    if not cell.usage or not requests:
        return None
    server = sum(sum(u.cpu) for u in cell.usage) / requests * 1e6
    return server, sum(u.wrk_cpu for u in cell.usage) / requests * 1e6


def _cost_figure(label: str, base: Cell, ours: Cell) -> Figure | None:
    """Server + wrk CPU per request: on two CPUs with two workers, what bounds the rate."""
    cost_o, cost_b = cpu_per_request(ours), cpu_per_request(base)
    if cost_o is None or cost_b is None:
        return None
    return Figure(
        "http",
        f"{label}: CPU per request, server + wrk",
        round(sum(cost_o), 1),
        "µs",
        "nginx + wrk",
        round(sum(cost_b), 1),
        round(sum(cost_o) / sum(cost_b), 2),
    )


def _spread_figure(label: str, base: Cell, ours: Cell) -> Figure:
    share_o, share_b = busiest_share(ours), busiest_share(base)
    return Figure(
        "http",
        f"{label}: busiest worker's share of the CPU",
        round(share_o, 1),
        "%",
        "nginx",
        round(share_b, 1),
        round(share_o / share_b, 2) if share_b else None,
    )


def _scaling_figure(
    scenario: str,
    conns: int,
    first: int,
    workers: int,
    results: Results,
    base_key: tuple[str, int, int],
    args: argparse.Namespace,
) -> Figure:
    """req/s with ``workers`` over req/s with ``first``, the service's beside nginx's."""

    def gain(name: str) -> float:
        many = statistics.mean(results[(scenario, conns, workers, name)].rps)
        return many / statistics.mean(results[(*base_key, name)].rps)

    ours, nginx = gain("modelcatalog"), gain("nginx")
    return Figure(
        "http",
        f"{scenario} c{conns} (workers {workers} over {first}, {args.rounds}x{args.seconds}s): "
        "req/s scaling",
        round(ours, 2),
        "x",
        "nginx",
        round(nginx, 2),
        round(ours / nginx, 2),
    )


def print_report(results: Results, body_size: int, args: argparse.Namespace) -> None:
    print()
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}, "
        f"load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}"
    )
    print(
        f"type=all listing {body_size:,} bytes; workers {args.workers} each side; "
        f"wrk -t{args.threads}, {args.seconds}s x {args.rounds} interleaved rounds (mean); "
        f"variant {args.variant}; sockets {args.sockets}"
    )
    print()
    print(
        "| Request | workers | wrk -c | nginx req/s | modelcatalog req/s | ratio "
        "| nginx p50 / p99 ms | modelcatalog p50 / p99 ms | p99 ratio | errors "
        "| CPU per worker, nginx / modelcatalog | wrk CPU, nginx / modelcatalog |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for scenario, conns, workers, base, ours in _pairs(results):
        print(_report_row(scenario, conns, workers, base, ours))
    print_cost(results)


def print_cost(results: Results) -> None:
    """CPU time per answered request, of the servers and of wrk: what bounds each on 2 CPUs."""
    print()
    print(
        "| Request | workers | wrk -c | CPU µs per request: nginx, its wrk "
        "| modelcatalog, its wrk |"
    )
    print("|---|---:|---:|---:|---:|")
    for scenario, conns, workers, base, ours in _pairs(results):
        print(f"| {scenario} | {workers} | {conns} | {_cost(base)} | {_cost(ours)} |")


def _cost(cell: Cell) -> str:
    cost = cpu_per_request(cell)
    return "-" if cost is None else f"{cost[0]:.0f}, {cost[1]:.0f}"


def _pairs(results: Results) -> Iterator[tuple[str, int, int, Cell, Cell]]:
    """(request, connections, workers, nginx's cell, the service's cell), in report order."""
    for scenario, conns, workers, name in sorted(results, key=_report_order):
        if name == "modelcatalog":
            base = results[(scenario, conns, workers, "nginx")]
            yield scenario, conns, workers, base, results[(scenario, conns, workers, name)]


def _report_order(key: tuple[str, int, int, str]) -> tuple[int, int, int, str]:
    return (SCENARIOS.index(key[0]), key[2], key[1], key[3])


def _report_row(scenario: str, conns: int, workers: int, base: Cell, ours: Cell) -> str:
    rps_b, rps_o = statistics.mean(base.rps), statistics.mean(ours.rps)
    p99_b, p99_o = statistics.mean(base.p99), statistics.mean(ours.p99)
    return (
        f"| {scenario} | {workers} | {conns} | {rps_b:,.0f} | {rps_o:,.0f} | {rps_o / rps_b:.2f} "
        f"| {statistics.mean(base.p50):.2f} / {p99_b:.2f} "
        f"| {statistics.mean(ours.p50):.2f} / {p99_o:.2f} | {p99_o / p99_b:.2f} "
        f"| {base.errors} / {ours.errors} | {_cpu(base)} / {_cpu(ours)} "
        f"| {_wrk_cpu(base)} / {_wrk_cpu(ours)} |"
    )


def _cpu(cell: Cell) -> str:
    """Each serving process's CPU as a share of the wall time, over every run."""
    wall = sum(u.wall for u in cell.usage)
    per_process = [sum(run) for run in zip(*(u.cpu for u in cell.usage), strict=True)]
    return " + ".join(f"{c / wall:.0%}" for c in per_process) if wall else "-"


def _wrk_cpu(cell: Cell) -> str:
    wall = sum(u.wall for u in cell.usage)
    return f"{sum(u.wrk_cpu for u in cell.usage) / wall:.0%}" if wall else "-"


if __name__ == "__main__":
    sys.exit(main())
