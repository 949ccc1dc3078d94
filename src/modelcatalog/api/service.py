"""Assemble and run the service that ``modelcatalog serve`` starts.

The catalog is read and validated before the port is opened: a Venice dump in compatible
mode (unknown keys and types are logged as warnings, never refused), a catalog directory in
strict mode (the operator's own data). Without ``--catalog`` the service runs on the store.
The command line (``cli/serve.py``) imports this module only when it serves, so other
commands start without loading the server stack.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import socket
from pathlib import Path

import uvicorn
from starlette.routing import BaseRoute
from uvicorn.supervisors import Multiprocess

from modelcatalog.api.app import CatalogApp
from modelcatalog.api.direct import DirectReadProtocol
from modelcatalog.api.quote import quote_routes
from modelcatalog.api.state import CatalogState
from modelcatalog.api.stored import build_file_app, build_store_app, open_service_store
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.lifecycle import frozen_clock, system_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import CannotListen, ServiceUnavailable
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.engine import resolve_url, shown_url
from modelcatalog.web import page_routes

__all__ = [
    "build_app",
    "configure_logging",
    "extension_routes",
    "load_snapshot",
    "run",
    "serving_line",
    "settle_heap",
    "store_app",
    "worker_app",
]

log = logging.getLogger("modelcatalog.serve")
#: How the parent hands its resolved settings to worker processes (``--workers`` > 1).
_WORKER_SETTINGS_ENV = "_MODELCATALOG_WORKER_SETTINGS"
_SHOWN_WARNINGS = 20


def load_snapshot(path: Path | None) -> CatalogSnapshot:
    """Read and validate the catalog to serve; raises SourceError or CatalogInvalid."""
    source = read_source(path or BUNDLED_CATALOG)
    mode = Mode.COMPATIBLE if source.from_dump else Mode.STRICT
    checked = check_catalog(source, mode)
    for finding in checked.warnings[:_SHOWN_WARNINGS]:
        log.warning("catalog: %s", finding)
    if len(checked.warnings) > _SHOWN_WARNINGS:
        hidden = len(checked.warnings) - _SHOWN_WARNINGS
        log.warning("catalog: %d more warnings (see `modelcatalog validate`)", hidden)
    snapshot = CatalogSnapshot.from_checked(checked)
    log.info("catalog %s: %d models (%s mode)", snapshot.version, len(snapshot.models), mode)
    return snapshot


def extension_routes(
    settings: Settings, state: CatalogState, store: Store | None = None
) -> list[BaseRoute]:
    """Routes beyond the read API that ``serve`` mounts (quotes, the browser's pages)."""
    return [*quote_routes(settings, state, store), *page_routes(settings, state, store)]


def build_app(settings: Settings, snapshot: CatalogSnapshot | None = None) -> CatalogApp:
    """The service for ``settings``, loading the catalog unless ``snapshot`` is given."""
    clock = system_clock if settings.now is None else frozen_clock(settings.now)
    if snapshot is None and settings.catalog is None:
        # No catalog file: serve the store (admin API, versions, replicas); see api/stored.py.
        return build_store_app(settings, clock, extension_routes)
    state = CatalogState(snapshot or load_snapshot(settings.catalog), clock, warm=True)
    return build_file_app(settings, state, extension_routes)


def worker_app() -> CatalogApp:
    """uvicorn factory for worker processes: rebuilds the app from the parent's settings."""
    settings = Settings.model_validate_json(os.environ[_WORKER_SETTINGS_ENV])
    configure_logging(settings)
    application = build_app(settings)
    settle_heap()
    return application


def store_app(settings: Settings) -> CatalogApp | None:
    """Open (and seed) the store before the port opens; ``None`` when workers open their own.

    Raises what opening the store raises (StoreUnavailable, SchemaOutOfDate, ...).
    """
    if settings.workers > 1:
        open_service_store(settings).close()  # each worker opens its own
        return None
    clock = system_clock if settings.now is None else frozen_clock(settings.now)
    return build_store_app(settings, clock, extension_routes)


def run(
    settings: Settings, application: CatalogApp | None, snapshot: CatalogSnapshot | None
) -> None:
    """Serve until SIGTERM or SIGINT: ``application`` if built, else one built here.

    The port is bound here, before uvicorn starts, so that an address in use is a
    :class:`CannotListen` with a clear message instead of uvicorn's own exit.
    """
    listener = _listen(settings.host, settings.port)
    served = application.state.snapshot if application is not None else snapshot
    log.info("%s", serving_line(settings, served))
    config = dict(
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=DirectReadProtocol,
        lifespan="on",
        access_log=False,  # the service writes its own JSON line per request (api/ops.py)
        log_level=settings.log_level,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    if settings.workers > 1:
        os.environ[_WORKER_SETTINGS_ENV] = settings.model_dump_json()
        target = "modelcatalog.api.service:worker_app"
        workers = uvicorn.Config(target, factory=True, workers=settings.workers, **config)  # type: ignore[arg-type]
        Multiprocess(workers, sockets=[listener]).run()
        return
    application = application or build_app(settings, snapshot)
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


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason += ": another process listens there; stop it or choose another --port"
        raise CannotListen(f"cannot listen on {host}:{port}: {reason}") from exc
    sock.set_inheritable(True)
    return sock


def settle_heap() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    The catalog is hundreds of thousands of long-lived objects. Left in the collector's oldest
    generation, every full collection walks all of them in the middle of some request, which
    showed up as tens of milliseconds on the listing's p99 (docs/performance.md).
    """
    gc.collect()
    gc.freeze()


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
