#!/usr/bin/env python3
"""What one direct read costs in process: the answer, and the request through the protocol.

    .venv/bin/python bench/bench_direct.py [--loops 100000] [--repeat 5] [--json FILE]

The service over the same ~150 KB catalog as bench_http.py, with its metrics on, as
``modelcatalog serve`` builds it. Two things are timed for a 304 (``If-None-Match``) and a
gzip answer of ``GET /api/v1/models?type=all``:

- ``CatalogApp.answer_directly``: the read itself (route, headers, prepared bytes, metrics);
- the whole request through :class:`~modelcatalog.api.direct.DirectReadProtocol` on uvloop:
  the raw request fed to ``data_received`` (parsing, the answer, the head, the write to a
  transport that drops it, the keep-alive timer), no sockets.

Each figure is the best of ``--repeat`` runs of ``--loops`` requests in the thread's CPU time,
so that other work on a shared machine moves it little. Against the same code measured
elsewhere, compare runs of this script alternated with the other code, not single figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import uvloop
from bench_http import NOW, PATH, build_dump
from figures import Figure, write_figures
from uvicorn.config import Config
from uvicorn.server import ServerState

from modelcatalog.api import CatalogApp, build_service
from modelcatalog.api.direct import DirectReadProtocol
from modelcatalog.settings import Settings


class NullTransport(asyncio.Transport):
    """Takes every write and drops it: the cost measured is the server's, not the socket's."""

    writes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1

    def writelines(self, data: Any) -> None:
        self.writes += 1

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


def best_us(call: Callable[[], object], loops: int, repeat: int) -> float:
    """Best of ``repeat`` runs, in µs of this thread's CPU time per call."""
    best = float("inf")
    for _ in range(repeat):
        started = time.thread_time()
        for _ in range(loops):
            call()
        best = min(best, (time.thread_time() - started) / loops * 1e6)
    return best


async def measure(app: CatalogApp, loops: int, repeat: int) -> dict[str, float]:
    path, _, query = PATH.encode().partition(b"?")
    plain = app.answer_directly(path, query, [], head=False)
    assert plain is not None
    etag = dict(plain[1])[b"etag"]
    headers = {"304": [(b"if-none-match", etag)], "gzip": [(b"accept-encoding", b"gzip")]}
    config = Config(app, http=DirectReadProtocol, lifespan="off")
    config.load()
    state = ServerState()
    state.default_headers = [(b"date", b"Sun, 06 Dec 2026 06:00:00 GMT")]
    protocol = DirectReadProtocol(config, state, {}, asyncio.get_running_loop())
    transport = NullTransport()
    protocol.connection_made(transport)
    found: dict[str, float] = {}
    for name, fields in headers.items():
        answer = partial(app.answer_directly, path, query, fields, head=False)
        found[f"answer_directly, {name}"] = best_us(answer, loops, repeat)
        lines = [f"GET {PATH} HTTP/1.1", "Host: 127.0.0.1:8000"]
        lines += [f"{k.decode()}: {v.decode()}" for k, v in fields]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
        found[f"request through the protocol, {name}"] = best_us(
            partial(protocol.data_received, raw), loops // 2, repeat
        )
    protocol.connection_lost(None)
    # Every request was answered directly: none became an ASGI task, whose write would wait.
    assert transport.writes == 2 * repeat * (loops // 2), transport.writes
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--loops", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--target-kb", type=int, default=150)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    dump = build_dump(
        Path(tempfile.mkdtemp(prefix="bench-direct-")) / "c.json", args.target_kb * 1024
    )
    app = build_service(Settings(catalog=dump, now=NOW))
    gc.freeze()  # as serve does once the catalog is loaded
    found = uvloop.run(measure(app, args.loops, args.repeat))
    figures = []
    for name, value in found.items():
        print(f"{name:42} {value:7.3f} µs")
        figures.append(Figure("direct", f"in process: {name}", round(value, 3), "µs"))
    write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
