"""``modelcatalog validate``: check catalog directories, model files and Venice dumps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Finding, Mode, Severity
from modelcatalog.catalog.sources import CatalogSource, read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.cli import app
from modelcatalog.errors import SourceError


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
    try:
        source = _read_all(paths or [BUNDLED_CATALOG])
    except SourceError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
        raise typer.Exit(2) from exc
    checked = check_catalog(source, mode)
    if as_json:
        typer.echo(
            orjson.dumps([f.as_json() for f in checked.findings], option=orjson.OPT_INDENT_2)
        )
    else:
        _print_report(checked.findings, len(checked.entries), mode)
    raise typer.Exit(0 if checked.ok else 1)


def _read_all(paths: list[Path]) -> CatalogSource:
    source = CatalogSource()
    for path in paths:
        source.extend(read_source(path))
    return source


def _print_report(findings: tuple[Finding, ...], models: int, mode: Mode) -> None:
    console = Console(highlight=False)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    for finding in findings:
        style = "red" if finding.severity is Severity.ERROR else "yellow"
        console.print(
            f"[{style}]{finding.severity.value}[/{style}] {finding}", markup=True, soft_wrap=True
        )
    warnings = len(findings) - errors
    verdict = "[green]valid[/green]" if not errors else "[red]invalid[/red]"
    summary = f"{models} models checked ({mode.value} mode): {errors} errors, {warnings} warnings"
    console.print(f"{summary}: {verdict}", markup=True)
