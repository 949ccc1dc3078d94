"""``modelcatalog quote``: the exact cost of a request, from the catalog the service serves.

Which catalog prices it (docs/cli.md, "Which catalog a command reads") is chosen by
:mod:`modelcatalog.cli.source`: ``--url`` asks a running service; ``--catalog`` reads files;
otherwise the store that ``serve`` would serve, else the bundled catalog. A name that is not an
id is resolved by the service's rule (``gpt-4o``, ``default``; docs/api.md).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from modelcatalog.catalog.lifecycle import system_clock
from modelcatalog.catalog.snapshot import CatalogModel
from modelcatalog.catalog.views import Audience, SnapshotLifecycles, ViewSet
from modelcatalog.cli import app
from modelcatalog.cli.source import (
    CatalogFiles,
    LocalCatalog,
    ServiceUrl,
    chosen_url,
    local_catalog,
)
from modelcatalog.cli.store import Database, DataDir
from modelcatalog.errors import (
    InvalidUsage,
    ModelNotFound,
    NotFound,
    QuoteError,
    ServiceRefused,
    ServiceUnavailable,
)
from modelcatalog.pricing import Usage, parse_at, parse_usage, quote


def _option(help_text: str) -> Any:
    return typer.Option(help=help_text, show_default=False)


@app.command("quote")
def quote_command(
    ctx: typer.Context,
    model: Annotated[
        str, typer.Argument(help="The model id (case-sensitive), or a trait or alias.")
    ],
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
    catalog: CatalogFiles = None,
    url: ServiceUrl = None,
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
    url = chosen_url(ctx, url, catalog)
    if url is not None:
        body, source = _remote(url, model, usage, at), url
    else:
        local = local_catalog(catalog, data_dir, database, instant)
        body = _priced(local, model, usage, instant)
        source = local.source
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


def _priced(
    local: LocalCatalog, model: str, usage: Usage, instant: datetime | None
) -> dict[str, Any]:
    snapshot = local.snapshot
    entry = snapshot.by_id.get(model) or _resolved(local, model, instant)
    try:
        result = quote(entry.record, usage, instant)
    except QuoteError as exc:
        exc.add_note(model)
        raise
    return result.to_json(snapshot.version, from_history=local.from_history)


def _resolved(local: LocalCatalog, name: str, instant: datetime | None) -> CatalogModel:
    """The model a name that is not an id stands for, by the service's resolution rule (the
    operator's own catalog: every model counts, beta ones too)."""
    views = ViewSet(SnapshotLifecycles(local.snapshot), instant or system_clock())
    try:
        found = views.resolve(Audience.STAFF, name)
    except ModelNotFound as exc:
        near = exc.details.get("suggestions") if exc.details else None
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise NotFound(f"unknown model {name!r} in {local.source}{hint}") from None
    return local.snapshot.by_id[found.model_id]


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
