"""``modelcatalog import``: replace the stored catalog with a catalog directory, a Venice dump,
or (``--from``) what an importer maps from LiteLLM's price map or a Venice-compatible listing.

With ``--from`` the source is a file or an http(s) URL; the import report (skipped entries by
reason, lost information, defaulted fields, unknown prices) goes to stdout as a table, or as
JSON with ``--json``; progress goes to stderr. Nothing is written when the source cannot be
read or mapped, or with ``--dry-run``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from modelcatalog.cli import app
from modelcatalog.cli.store import (
    AsJson,
    Author,
    Database,
    DataDir,
    Expect,
    Force,
    Message,
    author_name,
    echo_json,
    open_store,
    progress_bar,
    write_settings,
)
from modelcatalog.errors import ImportRefused

if TYPE_CHECKING:
    from modelcatalog.importers import ImportOptions, ImportReport, ImportResult
    from modelcatalog.store import Store, VersionInfo

__all__: list[str] = []

KINDS = ("litellm", "venice")
#: Report lines shown per section of the table; --json has them all.
_SHOWN = 10


@app.command("import")
def import_(
    source: Annotated[
        str,
        typer.Argument(
            help="A catalog directory or a Venice dump; with --from a file or an http(s) URL.",
        ),
    ],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Map SOURCE with an importer: litellm (LiteLLM's price map) or venice (a "
            "/api/v1/models body); a URL without --from is read as venice.",
            show_default=False,
        ),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAMES",
            help="Keep these providers only (comma-separated, repeatable).",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAMES",
            help="Keep these modes (LiteLLM) or types (Venice) only (comma-separated).",
            show_default=False,
        ),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD=VALUE",
            help="A value for a required field the source does not state (repeatable): "
            "privacy, quantization, capabilities, diem.",
            show_default=False,
        ),
    ] = None,
    owned_by: Annotated[
        str | None,
        typer.Option(help="owned_by of every record. [default: the provider]", show_default=False),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=3600, help="Seconds to wait for a URL.")
    ] = 30.0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Map and report, write nothing.")
    ] = False,
    message: Message = None,
    author: Author = None,
    expected: Expect = None,
    force: Force = False,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Replace the stored catalog with SOURCE as one new version (checked strictly first).

    An import that would remove more than destructive_write_share of the models (or all of
    them) is refused unless --force. See docs/import.md.
    """
    kind = _kind(from_, source)
    share, owners = write_settings(force)
    if kind is None:
        _import_catalog_files(
            Path(source), message, author, expected, share, owners, data_dir, database, as_json
        )
        return
    from modelcatalog.importers import ImportOptions, parse_defaults

    options = ImportOptions(
        providers=_names(provider),
        modes=_names(mode),
        defaults=parse_defaults(default or ()),
        owned_by=owned_by,
        accepted_owned_by=owners,
        source=source,
    )
    with progress_bar(not as_json) as report:
        result = _mapped(kind, source, options, timeout, report)
        info = None
        if not dry_run:
            with open_store(data_dir, database, owners) as store:
                info = _commit(
                    store,
                    result,
                    share,
                    expected,
                    report,
                    author=author,
                    message=message or f"import {kind} {source}",
                )
    _print_outcome(result.report, info, as_json)


def _commit(
    store: Store,
    result: ImportResult,
    share: float | None,
    expected: int | None,
    report: Callable[[str, int, int], None],
    *,
    author: str | None,
    message: str,
) -> VersionInfo:
    from modelcatalog.store.document import CatalogDocument

    document = CatalogDocument.from_records(result.models, from_dump=result.from_listing)
    return store.commit(
        lambda _current: document,
        author=author_name(author),
        message=message,
        expected=expected,
        progress=lambda done, total: report("writing", done, total),
        max_removed_share=share,
    )


def _kind(from_: str | None, source: str) -> str | None:
    from modelcatalog.importers.fetch import is_url

    if from_ is None:
        return "venice" if is_url(source) else None
    if from_ not in KINDS:
        raise typer.BadParameter(f"one of {', '.join(KINDS)}, not {from_!r}", param_hint="--from")
    return from_


def _names(given: list[str] | None) -> frozenset[str] | None:
    if not given:
        return None
    return frozenset(name.strip() for item in given for name in item.split(",") if name.strip())


def _mapped(
    kind: str,
    source: str,
    options: ImportOptions,
    timeout: float,
    report: Callable[[str, int, int], None],
) -> ImportResult:
    from modelcatalog.importers import import_catalog, read_source

    report(f"reading {source}", 0, 0)
    raw = read_source(source, timeout=timeout)
    report(f"mapping {len(raw)} bytes", 0, 0)
    result = import_catalog(kind, raw, options)
    if not result.models:
        raise ImportRefused(
            f"{source}: no entry could be imported ({result.report.entries} read, "
            f"{result.report.filtered} filtered out, {len(result.report.skipped)} skipped); "
            "nothing was written"
        )
    return result


def _import_catalog_files(
    path: Path,
    message: str | None,
    author: str | None,
    expected: int | None,
    share: float | None,
    owners: frozenset[str],
    data_dir: Path | None,
    database: str | None,
    as_json: bool,
) -> None:
    from modelcatalog.catalog.sources import read_source

    with open_store(data_dir, database, owners) as store, progress_bar(not as_json) as report:
        report("reading", 0, 0)
        source = read_source(path)
        report(f"checking {len(source.records)} models", 0, 0)
        info = store.import_source(
            source,
            author=author_name(author),
            message=message or f"import {path.name}",
            expected=expected,
            progress=lambda done, total: report("writing", done, total),
            max_removed_share=share,
        )
    if as_json:
        echo_json(info.as_json())
    else:
        typer.echo(f"version {info.id}: {info.model_count} models ({info.message})")


def _print_outcome(report: ImportReport, info: VersionInfo | None, as_json: bool) -> None:
    if as_json:
        echo_json({"version": None if info is None else info.as_json(), "report": report.to_json()})
        return
    out = Console(highlight=False)
    out.print(_summary(report))
    if info is None:
        out.print(f"dry run: {report.imported} models mapped, nothing written")
    else:
        out.print(f"version {info.id}: {info.model_count} models ({info.message})")


def _summary(report: ImportReport) -> Table:
    table = Table("", "entries", title=f"import --from {report.kind}")
    table.add_row(f"read from {report.source}", str(report.entries))
    for model_type, count in sorted(report.by_type.items()):
        table.add_row(f"imported: {model_type}", str(count))
    if report.filtered:
        table.add_row("filtered out (--provider, --mode)", str(report.filtered))
    _rows(table, "skipped", report.by_reason())
    _rows(table, "lost", report.lost_fields())
    _rows(table, "default", {k: len(v) for k, v in report.defaulted.items()})
    if report.price_unknown:
        table.add_row("price unknown (quotes refused)", str(len(report.price_unknown)))
    return table


def _rows(table: Table, label: str, counts: dict[str, int]) -> None:
    for name, count in list(counts.items())[:_SHOWN]:
        table.add_row(f"{label}: {name}", str(count))
    if len(counts) > _SHOWN:
        rest = sum(list(counts.values())[_SHOWN:])
        table.add_row(f"{label}: {len(counts) - _SHOWN} more (see --json)", str(rest))
