"""``modelcatalog validate``: check catalog directories, model files and Venice dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode, Severity
from modelcatalog.catalog.sources import CatalogSource, read_source
from modelcatalog.catalog.validation import CheckedCatalog, check_catalog
from modelcatalog.cli import app
from modelcatalog.cli.exits import ExitCode

__all__ = ["validate"]


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Catalog directories, model files or dumps. Default: the bundled catalog."
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Unknown keys, enum values and rule violations are errors."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as a JSON list.")
    ] = False,
) -> None:
    """Validate catalog data. Exit 0 when valid, 1 when invalid, 2 when unreadable."""
    mode = Mode.STRICT if strict else Mode.COMPATIBLE
    source = _read_all(paths or [BUNDLED_CATALOG])
    checked = check_catalog(source, mode, owned_by=_accepted_owners() if strict else None)
    if as_json:
        typer.echo(
            orjson.dumps([f.as_json() for f in checked.findings], option=orjson.OPT_INDENT_2)
        )
    else:
        _print_report(checked, len(source.records))
    raise typer.Exit(ExitCode.OK if checked.ok else ExitCode.INVALID)


def _read_all(paths: list[Path]) -> CatalogSource:
    source = CatalogSource()
    for path in paths:
        source.extend(read_source(path))
    return source


def _print_report(checked: CheckedCatalog, records: int) -> None:
    # Locations like ``file.json:id`` must print as written, not as rich emoji or markup.
    console = Console(highlight=False, emoji=False)
    for finding in checked.findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        console.print(
            f"[{style}]{finding.severity.value}[/{style}] {escape(str(finding))} "
            f"[dim]\\[{finding.rule}][/dim]",
            markup=True,
            soft_wrap=True,
        )
    console.print(_summary(checked, records), markup=True)


def _summary(checked: CheckedCatalog, records: int) -> str:
    errors, warnings = len(checked.errors), len(checked.warnings)
    verdict = "[red]invalid[/red]" if errors else "[green]valid[/green]"
    counts = f"{_plural(records, 'model')}, {_plural(len(checked.aliases), 'alias', 'aliases')}"
    findings = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"{counts} checked ({checked.mode.value} mode): {findings}: {verdict}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _accepted_owners() -> frozenset[str]:
    """The owned_by setting: what a strictly checked catalog may name as owner."""
    from modelcatalog.settings import Settings

    return Settings.load().accepted_owned_by  # InvalidSettings: exit 2 by the table
