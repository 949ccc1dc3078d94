"""``modelcatalog quote``: the exact cost of a request, from the catalog the service serves.

Which catalog prices it (docs/cli.md, "Which catalog a command reads"): ``--url`` asks a
running service; ``--catalog`` reads files; otherwise the store that ``serve`` would serve
(``--data-dir``/``--database`` or their environment variables) when one exists, else the
bundled catalog.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog
from modelcatalog.cli import app
from modelcatalog.cli.store import Database, DataDir
from modelcatalog.errors import (
    CatalogInvalid,
    InvalidUsage,
    NotFound,
    QuoteError,
    ServiceRefused,
    ServiceUnavailable,
    SourceError,
)
from modelcatalog.pricing import Usage, parse_at, parse_usage, quote


def _option(help_text: str) -> Any:
    return typer.Option(help=help_text, show_default=False)


@app.command("quote")
def quote_command(
    model: Annotated[str, typer.Argument(help="The model id (case-sensitive).")],
    input_tokens: Annotated[str | None, _option("Uncached input tokens.")] = None,
    output_tokens: Annotated[str | None, _option("Output tokens.")] = None,
    cache_read_tokens: Annotated[str | None, _option("Input tokens read from cache.")] = None,
    cache_write_tokens: Annotated[str | None, _option("Input tokens written to cache.")] = None,
    images: Annotated[str | None, _option("Images generated or edited (default 1).")] = None,
    resolution: Annotated[
        str | None, _option("Image resolution, e.g. 1K (default: model's).")
    ] = None,
    quality: Annotated[str | None, _option("Image quality: low, medium, high.")] = None,
    upscale: Annotated[str | None, _option("Upscale factor: 2x or 4x.")] = None,
    characters: Annotated[str | None, _option("Characters of text (TTS, music).")] = None,
    audio_seconds: Annotated[str | None, _option("Seconds of audio transcribed (ASR).")] = None,
    seconds: Annotated[str | None, _option("Seconds of music or sound generated.")] = None,
    generations: Annotated[str | None, _option("Music generations (default 1).")] = None,
    at: Annotated[
        str | None, _option("Price as of this ISO 8601 instant (history: a store or --url).")
    ] = None,
    catalog: Annotated[
        list[Path] | None, _option("Catalog directory, model file or dump instead of the store.")
    ] = None,
    url: Annotated[str | None, _option("Base URL of a running modelcatalog service.")] = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the quote as JSON.")] = False,
) -> None:
    """Quote the exact cost of a request in USD and DIEM, with its line items."""
    quantities = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": cache_read_tokens,
        "cache_write_tokens": cache_write_tokens,
        "images": images,
        "characters": characters,
        "audio_seconds": audio_seconds,
        "seconds": seconds,
        "generations": generations,
    }
    choices = {"resolution": resolution, "quality": quality, "upscale": upscale}
    usage = _usage(quantities, choices)
    instant = None if at is None else parse_at(at)
    if url is not None:
        if catalog:
            raise typer.BadParameter("give either --catalog or --url, not both", param_hint="--url")
        body, source = _remote(url, model, usage, at), url
    elif catalog:
        body, source = _local(catalog, model, usage, instant), ", ".join(map(str, catalog))
    else:
        body, source = _from_store(data_dir, database, model, usage, instant)
    if as_json:
        typer.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_table(body, source)


def _usage(quantities: dict[str, str | None], choices: dict[str, str | None]) -> Usage:
    data: dict[str, Any] = {k: v for k, v in choices.items() if v is not None}
    for name, text in quantities.items():
        if text is None:
            continue
        try:
            data[name] = Decimal(text.strip())
        except InvalidOperation:
            raise InvalidUsage(f"must be a number, got {text!r}", field=name) from None
    return parse_usage(data)


def _local(paths: list[Path], model: str, usage: Usage, instant: datetime | None) -> dict[str, Any]:
    return _priced(_load(paths), ", ".join(map(str, paths)), model, usage, instant)


def _priced(
    snapshot: CatalogSnapshot,
    source: str,
    model: str,
    usage: Usage,
    instant: datetime | None,
    *,
    from_history: bool = False,
) -> dict[str, Any]:
    entry = snapshot.by_id.get(model)
    if entry is None:
        raise NotFound(f"unknown model {model!r} in {source}")
    try:
        result = quote(entry.record, usage, instant)
    except QuoteError as exc:
        exc.add_note(model)
        raise
    return result.to_json(snapshot.version, from_history=from_history)


def _from_store(
    data_dir: Path | None,
    database: str | None,
    model: str,
    usage: Usage,
    instant: datetime | None,
) -> tuple[dict[str, Any], str]:
    """Price with the store ``serve`` would serve; the bundled catalog when there is none."""
    from modelcatalog.store import Store
    from modelcatalog.store.engine import DATABASE_FILE, default_data_dir, resolve_url, shown_url

    if database is None and not (data_dir or default_data_dir()).joinpath(DATABASE_FILE).exists():
        if data_dir is not None:
            raise SourceError(f"{data_dir}: no store here (serve or import creates one)")
        return _local([BUNDLED_CATALOG], model, usage, instant), "the bundled catalog"
    source = f"store {shown_url(resolve_url(data_dir, database))}"
    with Store.open(
        data_dir, database, initialise=False, application_name="modelcatalog-cli"
    ) as store:
        if store.head() == 0:  # serve would seed it with the bundled catalog
            return _local([BUNDLED_CATALOG], model, usage, instant), "the bundled catalog"
        snapshot = store.snapshot() if instant is None else store.snapshot_at(instant)
    body = _priced(snapshot, source, model, usage, instant, from_history=instant is not None)
    return body, source


def _load(paths: list[Path]) -> CatalogSnapshot:
    source = read_source(paths[0])
    for path in paths[1:]:
        source.extend(read_source(path))
    try:
        return CatalogSnapshot.from_checked(check_catalog(source, Mode.COMPATIBLE))
    except CatalogInvalid as exc:
        exc.add_note("the catalog is invalid (run modelcatalog validate)")
        raise


def _remote(url: str, model: str, usage: Usage, at: str | None) -> dict[str, Any]:
    import httpx  # only --url needs an HTTP client; keep it out of every other command's start

    endpoint = f"{url.rstrip('/')}/api/v1/models/{model}/quote"
    try:
        response = httpx.post(
            endpoint,
            content=usage.to_json_text(),
            params={"at": at} if at is not None else None,
            headers={"content-type": "application/json"},
            timeout=30,
        )
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(f"cannot reach {endpoint}: {exc}") from exc
    try:
        body: Any = response.json()
    except ValueError:
        raise ServiceUnavailable(
            f"{endpoint} answered {response.status_code} without a JSON body"
        ) from None
    if response.is_success and isinstance(body, dict):
        return body
    message = body.get("error") if isinstance(body, dict) else None
    shown = f"{endpoint}: {response.status_code} {message or response.reason_phrase}"
    if response.status_code < 500:
        raise ServiceRefused(shown, response.status_code)
    raise ServiceUnavailable(shown)


def _print_table(body: dict[str, Any], source: str) -> None:
    table = Table(title=f"Quote for {body['id']}", title_justify="left")
    for column in ("Item", "Quantity", "Unit"):
        table.add_column(column)
    table.add_column("USD", justify="right")
    table.add_column("DIEM", justify="right")
    for item in body["items"]:
        table.add_row(item["name"], item["quantity"], item["unit"], item["usd"], item["diem"])
    table.add_section()
    table.add_row("Total", "", "", body["usd"], body["diem"], style="bold")
    console = Console(highlight=False)
    console.print(table)
    console.print(_at_note(body.get("at") or {}, source), soft_wrap=True)


def _at_note(at: dict[str, Any], source: str) -> str:
    version = f"{at.get('version') or 'unknown'} of {source}"
    if at.get("from_history"):
        return f"Prices of catalog version {version}, current at {at.get('requested')}."
    if at.get("requested"):
        return (
            f"Prices of the current catalog (version {version}), not as of "
            f"{at['requested']}: this catalog keeps no history (a store does)."
        )
    return f"Prices of the current catalog (version {version})."
