#!/usr/bin/env python3
"""The read path against nginx serving the same bytes as a static file, side by side.

    .venv/bin/python bench/bench_http.py [--seconds 5] [--rounds 2] [--connections 32,128]
                                         [--workers 1] [--threads 1] [--target-kb 150]
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
from dataclasses import dataclass, field
from pathlib import Path

import httpx
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
    service = Service.start(dump, args.workers, work, args.variant)
    nginx: Nginx | None = None
    try:
        body, gzipped, etag = service.listing()
        nginx = Nginx.start(work, body, gzipped, args.workers)
        targets = {"nginx": nginx.url, "modelcatalog": service.url}
        etags = {"nginx": nginx.etag(), "modelcatalog": etag}
        check(targets, etags, body)
        results = run(targets, etags, args)
    finally:
        service.stop()
        if nginx is not None:
            nginx.stop()
    print_report(results, len(body), args)
    write_figures(args.json, figures(results, args))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per cell")
    parser.add_argument("--connections", default="32,128", help="wrk -c values")
    parser.add_argument("--workers", type=int, default=1, help="server processes, each side")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t")
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

    @classmethod
    def start(cls, dump: Path, workers: int, work: Path, variant: str = "direct") -> Service:
        port = free_port()
        log = work / "modelcatalog.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
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
        return cls(url, process)

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

    @classmethod
    def start(cls, work: Path, body: bytes, gzipped: bytes, workers: int) -> Nginx:
        (work / "all.json").write_bytes(body)
        (work / "all.json.gz").write_bytes(gzipped)
        port = free_port()
        config = work / "nginx.conf"
        config.write_text(_NGINX_CONF.format(work=work, port=port, workers=workers))
        nginx = _which("nginx") or "nginx"
        log = work / "nginx.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [nginx, "-c", str(config), "-p", str(work)], stdout=out, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        wait_for(url + PATH, process, log)
        return cls(url, process, config)

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
        listen 127.0.0.1:{port};
        location = /api/v1/models {{
            default_type application/json;
            alias {work}/all.json;
            gzip_static on;
            gzip_vary on;
        }}
    }}
}}
"""


def request_headers(scenario: str, etag: str) -> dict[str, str]:
    if scenario == "304":
        return {"If-None-Match": etag}
    if scenario == "gzip":
        return {"Accept-Encoding": "gzip"}
    return {}


def check(targets: dict[str, str], etags: dict[str, str], body: bytes) -> None:
    """Both servers answer each scenario alike before anything is measured."""
    for name, url in targets.items():
        for scenario in SCENARIOS:
            headers = {"Accept-Encoding": "identity", **request_headers(scenario, etags[name])}
            with httpx.stream("GET", url + PATH, headers=headers) as response:
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


Results = dict[tuple[str, int, str], Cell]


def run(targets: dict[str, str], etags: dict[str, str], args: argparse.Namespace) -> Results:
    results: Results = {}
    connections = [int(c) for c in args.connections.split(",")]
    for round_ in range(args.rounds):
        for scenario in SCENARIOS:
            for conns in connections:
                order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
                for name in order:
                    headers = request_headers(scenario, etags[name])
                    cell = results.setdefault((scenario, conns, name), Cell())
                    _wrk(cell, targets[name] + PATH, headers, conns, args)
                    print(
                        f"round {round_ + 1} {scenario:7} c{conns:<4} {name:12} "
                        f"{cell.rps[-1]:>10,.0f} req/s  p99 {cell.p99[-1]:.2f} ms",
                        flush=True,
                    )
    return results


def _wrk(
    cell: Cell, url: str, headers: dict[str, str], conns: int, args: argparse.Namespace
) -> None:
    command = [_which("wrk") or "wrk", "-t", str(args.threads), "-c", str(conns)]
    command += ["-d", f"{args.seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    cell.rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)))  # type: ignore[union-attr]
    cell.p50.append(_latency(output, "50%"))
    cell.p99.append(_latency(output, "99%"))
    cell.slowest.append(_slowest(output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    cell.errors += int(errors.group(1)) if errors else 0
    if socket_errors:
        cell.errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))


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


#: Issue goals, modelcatalog over nginx, one worker against one: the rate ratio by request.
GOAL_RATE = {"listing": 0.9, "304": 0.75, "gzip": 0.75}
GOAL_P99_RATIO = 2.0
GOAL_SLOWEST_MS = 50.0


def figures(results: Results, args: argparse.Namespace) -> list[Figure]:
    """Each request's rate and p99 against nginx's, and the slowest request at c128."""
    out = []
    setup = f"workers {args.workers}, {args.rounds}x{args.seconds}s"
    for (scenario, conns, name), ours in sorted(results.items()):
        if name != "modelcatalog":
            continue
        base = results[(scenario, conns, "nginx")]
        rps_b, rps_o = statistics.mean(base.rps), statistics.mean(ours.rps)
        p99_b, p99_o = statistics.mean(base.p99), statistics.mean(ours.p99)
        rate_goal = GOAL_RATE[scenario]
        label = f"{scenario} c{conns} ({setup})"
        out.append(
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
            )
        )
        out.append(
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
            )
        )
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


def print_report(results: Results, body_size: int, args: argparse.Namespace) -> None:
    print()
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )
    print(
        f"type=all listing {body_size:,} bytes; {args.workers} worker(s) each side; "
        f"wrk -t{args.threads}, {args.seconds}s x {args.rounds} interleaved rounds (mean); "
        f"variant {args.variant}"
    )
    print()
    print(
        "| Request | wrk -c | nginx req/s | modelcatalog req/s | ratio | nginx p50 / p99 ms "
        "| modelcatalog p50 / p99 ms | p99 ratio | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in SCENARIOS:
        for conns in sorted({c for s, c, _ in results if s == scenario}):
            base, ours = (
                results[(scenario, conns, "nginx")],
                results[(scenario, conns, "modelcatalog")],
            )
            rps_b, rps_o = statistics.mean(base.rps), statistics.mean(ours.rps)
            p99_b, p99_o = statistics.mean(base.p99), statistics.mean(ours.p99)
            print(
                f"| {scenario} | {conns} | {rps_b:,.0f} | {rps_o:,.0f} | {rps_o / rps_b:.2f} "
                f"| {statistics.mean(base.p50):.2f} / {p99_b:.2f} "
                f"| {statistics.mean(ours.p50):.2f} / {p99_o:.2f} | {p99_o / p99_b:.2f} "
                f"| {base.errors} / {ours.errors} |"
            )


if __name__ == "__main__":
    sys.exit(main())
