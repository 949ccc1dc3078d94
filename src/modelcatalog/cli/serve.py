"""``modelcatalog serve``: serve a catalog over HTTP (see :mod:`modelcatalog.api.service`).

The catalog is read and validated before the port is opened: a Venice dump in compatible
mode (unknown keys and types are logged as warnings, never refused), a catalog directory in
strict mode (the operator's own data; rule violations are errors). Errors refuse the start
with the located findings and the exit code of cli/exits.py's table.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from modelcatalog.cli import app
from modelcatalog.errors import CatalogInvalid, InvalidInstant, SchemaOutOfDate
from modelcatalog.instants import parse_instant
from modelcatalog.settings import Settings

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
    settings = Settings.load(
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
    try:
        snapshot = (
            None
            if settings.catalog is None
            else service.load_snapshot(settings.catalog, settings.accepted_owned_by)
        )
        application = service.store_app(settings) if snapshot is None else None
    except (CatalogInvalid, SchemaOutOfDate) as exc:
        exc.add_note("refusing to serve")
        raise
    service.run(settings, application, snapshot)
