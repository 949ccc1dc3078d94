"""``modelcatalog serve``: serve a catalog over HTTP with uvicorn (uvloop + httptools).

The catalog is read and validated before the port is opened: a Venice dump in compatible
mode (unknown keys and types are logged as warnings, never refused), a catalog directory in
strict mode (the operator's own data; rule violations are errors). Any error refuses the
start with exit code 1 and the located findings; unreadable data exits 2.
"""

from __future__ import annotations

import gc
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from starlette.routing import BaseRoute

from modelcatalog.api import CatalogApp, CatalogState
from modelcatalog.api.direct import DirectReadProtocol
from modelcatalog.api.quote import quote_routes
from modelcatalog.api.stored import build_file_app, build_store_app, open_service_store
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.lifecycle import frozen_clock, system_clock
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.cli import app
from modelcatalog.errors import CatalogInvalid, SchemaOutOfDate, SourceError, StoreUnavailable
from modelcatalog.settings import Settings
from modelcatalog.store import Store

__all__ = ["build_app", "extension_routes", "load_snapshot", "worker_app"]

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
    """Routes beyond the read API that ``serve`` mounts (quotes, admin, readiness, metrics)."""
    return [*quote_routes(settings, state, store)]


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
    _configure_logging(settings)
    application = build_app(settings)
    settle_heap()
    return application


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind. [default: 127.0.0.1]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="TCP port. [default: 8000]")] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(help="Catalog directory or Venice dump. [default: the bundled catalog]"),
    ] = None,
    now: Annotated[
        datetime | None,
        typer.Option(
            help="Freeze the clock at this ISO 8601 instant (previews, tests).",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"],
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes. [default: 1]")] = None,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="A TOML, YAML or JSON settings file.")
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="critical ... debug. [default: info]")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="SQLite store directory, served when no --catalog is given."),
    ] = None,
    database: Annotated[
        str | None, typer.Option(help="PostgreSQL URL of a store shared by replicas.")
    ] = None,
) -> None:
    """Serve the catalog over HTTP in the Venice /api/v1/models dialect."""
    settings = _settings_or_exit(
        host=host,
        port=port,
        catalog=catalog,
        now=now,
        workers=workers,
        settings_file=settings_file,
        log_level=log_level,
        data_dir=data_dir,
        database_url=database,
    )
    _configure_logging(settings)
    snapshot = _snapshot_or_exit(settings) if settings.catalog is not None else None
    application = _store_app_or_exit(settings) if snapshot is None else None
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
    if settings.workers == 1:
        application = application or build_app(settings, snapshot)
        settle_heap()
        uvicorn.run(application, **config)  # type: ignore[arg-type]
        return
    os.environ[_WORKER_SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run(
        "modelcatalog.cli.serve:worker_app",
        factory=True,
        workers=settings.workers,
        **config,  # type: ignore[arg-type]
    )


def settle_heap() -> None:
    """Move everything loaded so far out of the garbage collector's sight.

    The catalog is hundreds of thousands of long-lived objects. Left in the collector's oldest
    generation, every full collection walks all of them in the middle of some request, which
    showed up as tens of milliseconds on the listing's p99 (docs/performance.md).
    """
    gc.collect()
    gc.freeze()


def _settings_or_exit(**flags: object) -> Settings:
    try:
        return Settings.load(**flags)
    except (ValidationError, ValueError) as exc:
        Console(stderr=True).print(
            f"[red]error:[/red] invalid settings: {exc}", markup=True, highlight=False
        )
        raise typer.Exit(2) from exc


def _store_app_or_exit(settings: Settings) -> CatalogApp | None:
    """Open (and seed) the store before the port opens; refuse to start on a bad store."""
    err = Console(stderr=True, highlight=False)
    try:
        if settings.workers > 1:
            open_service_store(settings).close()  # each worker opens its own
            return None
        clock = system_clock if settings.now is None else frozen_clock(settings.now)
        return build_store_app(settings, clock, extension_routes)
    except StoreUnavailable as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True)
        raise typer.Exit(2) from exc
    except (SchemaOutOfDate, CatalogInvalid, SourceError) as exc:
        err.print(f"[red]refusing to serve:[/red] {exc}", markup=True)
        raise typer.Exit(1) from exc


def _snapshot_or_exit(settings: Settings) -> CatalogSnapshot:
    err = Console(stderr=True, highlight=False)
    try:
        return load_snapshot(settings.catalog)
    except SourceError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True)
        raise typer.Exit(2) from exc
    except CatalogInvalid as exc:
        for finding in exc.findings:
            if finding.severity == "error":
                err.print(f"[red]error[/red] {finding}", markup=True, soft_wrap=True)
        err.print(f"[red]refusing to serve:[/red] {exc}", markup=True)
        raise typer.Exit(1) from exc


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
