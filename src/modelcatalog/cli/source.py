"""Which catalog a command reads (docs/cli.md, "Which catalog a command reads"), in one place.

The first that applies: ``--url`` (or ``MODELCATALOG_URL``) asks a running service;
``--catalog`` reads files; otherwise the store that ``serve`` would serve (``--data-dir`` /
``--database`` or their variables) when one exists, else the bundled catalog, which is what
``serve`` would seed that store with. ``quote`` and ``models`` read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.errors import CatalogInvalid, SourceError

__all__ = [
    "CatalogFiles",
    "LocalCatalog",
    "ServiceUrl",
    "chosen_url",
    "load_files",
    "local_catalog",
]

ServiceUrl = Annotated[
    str | None,
    typer.Option(
        envvar="MODELCATALOG_URL",
        help="Base URL of a running modelcatalog service.",
        show_default=False,
    ),
]
CatalogFiles = Annotated[
    list[Path] | None,
    typer.Option(
        help="Catalog directory, model file or dump instead of the store.", show_default=False
    ),
]


@dataclass(frozen=True, slots=True)
class LocalCatalog:
    """A catalog read in process; ``source`` names it for the user."""

    snapshot: CatalogSnapshot
    source: str
    #: Whether the snapshot is the store's version current at an instant asked for.
    from_history: bool = False


def chosen_url(ctx: typer.Context, url: str | None, catalog: list[Path] | None) -> str | None:
    """The service to ask, if any: ``--url`` and ``--catalog`` together are a usage error,
    but a ``MODELCATALOG_URL`` in the environment yields to an explicit ``--catalog``."""
    if url is None or not catalog:
        return url
    source = ctx.get_parameter_source("url")
    if source is not None and source.name == "ENVIRONMENT":
        return None
    raise typer.BadParameter("give either --catalog or --url, not both", param_hint="--url")


def local_catalog(
    catalog: list[Path] | None,
    data_dir: Path | None,
    database: str | None,
    instant: datetime | None = None,
) -> LocalCatalog:
    """The files, else the store ``serve`` would serve (as of ``instant``), else the bundled
    catalog when the default data directory holds no store."""
    if catalog:
        return LocalCatalog(load_files(catalog), ", ".join(map(str, catalog)))
    from modelcatalog.catalog.lifecycle import system_clock
    from modelcatalog.store import Store
    from modelcatalog.store.engine import DATABASE_FILE, default_data_dir, resolve_url, shown_url

    if database is None and not (data_dir or default_data_dir()).joinpath(DATABASE_FILE).exists():
        if data_dir is not None:
            raise SourceError(f"{data_dir}: no store here (serve or import creates one)")
        return _bundled()
    source = f"store {shown_url(resolve_url(data_dir, database))}"
    with Store.open(
        data_dir, database, initialise=False, application_name="modelcatalog-cli"
    ) as store:
        if store.head() == 0:  # serve would seed it with the bundled catalog
            return _bundled()
        # As ?at= on the service (api/timeline.py): only an instant already past is history.
        past = instant is not None and instant < system_clock()
        snapshot = store.snapshot_at(instant) if past and instant else store.snapshot()
    return LocalCatalog(snapshot, source, from_history=past)


def _bundled() -> LocalCatalog:
    return LocalCatalog(load_files([BUNDLED_CATALOG]), "the bundled catalog")


def load_files(paths: list[Path]) -> CatalogSnapshot:
    """A snapshot of catalog files (directories, model files, dumps), validated leniently."""
    source = read_source(paths[0])
    for path in paths[1:]:
        source.extend(read_source(path))
    try:
        return CatalogSnapshot.from_checked(check_catalog(source, Mode.COMPATIBLE))
    except CatalogInvalid as exc:
        exc.add_note("the catalog is invalid (run modelcatalog validate)")
        raise
