"""Run the service that ``modelcatalog serve`` starts: bind, configure uvicorn, serve.

The catalog is read and validated, or the store opened, before the port is opened, so that a
bad catalog or an unreachable database refuses the start with its own message. The port is
bound here, before uvicorn starts, so that an address in use is a :class:`CannotListen`.
The command line (``cli/serve.py``) imports this module only when it serves, so other
commands start without loading the server stack.

With several workers on Linux each worker listens on a socket of its own bound with
``SO_REUSEPORT`` (the ``reuse_port`` setting), and the kernel spreads new connections over
them by a hash of their addresses. On one shared socket, whichever worker wakes first accepts
every connection waiting, and a client that opens its connections at once (a pool, a proxy,
wrk) could leave one worker with all of them and the other idle (docs/performance.md).
"""

from __future__ import annotations

import errno
import gc
import os
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from modelcatalog.api.app import CatalogApp
from modelcatalog.api.direct import http_protocol
from modelcatalog.api.logs import configure_logging
from modelcatalog.api.service import build_service
from modelcatalog.api.source import load_snapshot, log, open_service_store
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.errors import CannotListen, ServiceUnavailable
from modelcatalog.settings import Settings
from modelcatalog.store.engine import resolve_url, shown_url

__all__ = [
    "REUSE_PORT_WORKS",
    "listen",
    "prepare",
    "run",
    "serving_line",
    "settle_heap",
    "worker_app",
]

#: How the parent hands its resolved settings to worker processes (``--workers`` > 1).
_WORKER_SETTINGS_ENV = "_MODELCATALOG_WORKER_SETTINGS"


def prepare(settings: Settings) -> tuple[CatalogApp | None, CatalogSnapshot | None]:
    """Before the port opens: the app (``None`` when worker processes build their own) and
    the snapshot it will serve (``None`` when workers read it from the store).

    Raises what reading the catalog or opening the store raises (CatalogInvalid,
    StoreUnavailable, SchemaOutOfDate, ...).
    """
    snapshot = (
        None
        if settings.catalog is None
        else load_snapshot(settings.catalog, settings.accepted_owned_by)
    )
    if settings.workers > 1:
        if snapshot is None:
            open_service_store(settings).close()  # seeds an empty one; each worker opens its own
        return None, snapshot
    application = build_service(settings, snapshot=snapshot)
    return application, application.state.snapshot


def worker_app() -> CatalogApp:
    """uvicorn factory for worker processes: rebuilds the app from the parent's settings."""
    settings = Settings.model_validate_json(os.environ[_WORKER_SETTINGS_ENV])
    configure_logging(settings)
    application = build_service(settings)
    settle_heap()
    return application


def run(settings: Settings, application: CatalogApp | None, served: CatalogSnapshot | None) -> None:
    """Serve until SIGTERM or SIGINT: ``application``, or worker processes that build theirs."""
    protocol = http_protocol(settings)  # may refuse the start: before the port opens
    per_worker = application is None and settings.reuse_port and REUSE_PORT_WORKS
    listener = listen(settings.host, settings.port, reuse_port=per_worker)
    log.info("%s", serving_line(settings, served))
    config = dict(
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=protocol,
        lifespan="on",
        access_log=False,  # the service writes its own JSON line per request (api/logs.py)
        log_level=settings.log_level,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    if application is None:
        os.environ[_WORKER_SETTINGS_ENV] = settings.model_dump_json()
        target = "modelcatalog.api.server:worker_app"
        workers = uvicorn.Config(target, factory=True, workers=settings.workers, **config)  # type: ignore[arg-type]
        Multiprocess(workers, sockets=[listener]).run()
        return
    settle_heap()
    server = uvicorn.Server(uvicorn.Config(application, **config))  # type: ignore[arg-type]
    server.run(sockets=[listener])
    if not server.started:
        raise ServiceUnavailable("the service did not start (see the log above)")


def serving_line(settings: Settings, served: CatalogSnapshot | None) -> str:
    """What this process serves, from where, on which address, with how many workers.

    ``served`` is None when workers open the store themselves; its head is read here.
    """
    if settings.catalog is not None:
        source = f"file {settings.catalog}"
    else:
        source = f"store {shown_url(resolve_url(settings.data_dir, settings.database_url))}"
    if served is not None:
        version, models = served.version, len(served.models)
    else:
        store = open_service_store(settings)
        try:
            (head,) = store.versions(limit=1)
        finally:
            store.close()
        version, models = str(head.id), head.model_count
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    workers = f"{settings.workers} worker{'s' if settings.workers > 1 else ''}"
    return (
        f"serving {source}: catalog version {version}, {models} models, "
        f"on http://{host}:{settings.port} with {workers}"
    )


#: Linux spreads connections over the sockets of one ``SO_REUSEPORT`` group; other systems
#: either lack the option or hand every connection to one socket of the group.
REUSE_PORT_WORKS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listen(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """The bound socket; with ``reuse_port``, the address claimed for each worker's own socket.

    The port is first bound without ``SO_REUSEPORT``, so that one another process holds (even
    one that shares it with ``SO_REUSEPORT``, such as a second ``serve --workers``) is refused
    here rather than joined. The parent never listens on a :class:`_PerWorkerSocket`, so it
    never takes a connection: it holds the port while workers come and go.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _bind(_new_socket(socket.socket, family, reuse_port=False), host, port)
    if reuse_port:
        sock.close()
        sock = _bind(_new_socket(_PerWorkerSocket, family, reuse_port=True), host, port)
    sock.set_inheritable(True)
    return sock


def _new_socket(kind: type[socket.socket], family: int, *, reuse_port: bool) -> socket.socket:
    sock = kind(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def _bind(sock: socket.socket, host: str, port: int) -> socket.socket:
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason += ": another process listens there; stop it or choose another --port"
        raise CannotListen(f"cannot listen on {host}:{port}: {reason}") from exc
    return sock


class _PerWorkerSocket(socket.socket):
    """A socket that arrives in a worker process as a new socket of its own on the same address.

    uvicorn hands its worker processes the listening sockets by pickling them; a plain socket
    travels as a duplicate of the parent's (one accept queue for all). This one travels as its
    address, and unpickling it in the worker binds a fresh ``SO_REUSEPORT`` socket there, so
    every worker uvicorn starts, restarts or adds gets its own accept queue.
    """

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (_bind_in_worker, (int(self.family), self.getsockname()))


def _bind_in_worker(family: int, address: tuple[Any, ...]) -> socket.socket:
    sock = _new_socket(socket.socket, family, reuse_port=True)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        # uvicorn's supervisor stops, rather than restarts, a worker that exits with this code.
        log.critical("worker cannot listen on %s: %s", address, exc.strerror or exc)
        raise SystemExit(STARTUP_FAILURE) from exc
    return sock


def settle_heap() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    The catalog is hundreds of thousands of long-lived objects. Left in the collector's oldest
    generation, every full collection walks all of them in the middle of some request, which
    showed up as tens of milliseconds on the listing's p99 (docs/performance.md).
    """
    gc.collect()
    gc.freeze()
