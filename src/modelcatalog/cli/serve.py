"""``modelcatalog serve``: serve a catalog over HTTP (see :mod:`modelcatalog.api.service`).

The catalog is read and validated before the port is opened: a Venice dump in compatible
mode (unknown keys and types are logged as warnings, never refused), a catalog directory in
strict mode (the operator's own data; rule violations are errors). Any error refuses the
start with exit code 1 and the located findings; unreadable data exits 2.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from modelcatalog.cli import app
from modelcatalog.errors import (
    CatalogInvalid,
    InvalidInstant,
    SchemaOutOfDate,
    SourceError,
    StoreUnavailable,
)
from modelcatalog.instants import parse_instant
from modelcatalog.settings import Settings

if TYPE_CHECKING:
    from modelcatalog.api.app import CatalogApp
    from modelcatalog.catalog.snapshot import CatalogSnapshot

__all__: list[str] = []


def _instant_option(text: str) -> datetime:
    # The one instant parser (modelcatalog.instants), reported as a usage error of the flag.
    try:
        return parse_instant(text, "now")
    except InvalidInstant as exc:
        raise typer.BadParameter(exc.message) from exc


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
            parser=_instant_option,
            metavar="INSTANT",
            help="Freeze the clock at this ISO 8601 instant (previews, tests); naive is UTC.",
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
    # Loaded here, not at import, so that every other command starts without the server stack.
    from modelcatalog.api import service

    service.configure_logging(settings)
    snapshot = _snapshot_or_exit(settings) if settings.catalog is not None else None
    application = _store_app_or_exit(settings) if snapshot is None else None
    service.run(settings, application, snapshot)


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
    from modelcatalog.api.service import store_app

    err = Console(stderr=True, highlight=False)
    try:
        return store_app(settings)
    except StoreUnavailable as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True)
        raise typer.Exit(2) from exc
    except (SchemaOutOfDate, CatalogInvalid, SourceError) as exc:
        err.print(f"[red]refusing to serve:[/red] {exc}", markup=True)
        raise typer.Exit(1) from exc


def _snapshot_or_exit(settings: Settings) -> CatalogSnapshot:
    from modelcatalog.api.service import load_snapshot

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
