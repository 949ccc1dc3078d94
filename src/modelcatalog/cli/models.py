"""``modelcatalog models list|show|traits|resolve``: read the catalog, as tables or as JSON.

The catalog read is chosen as for ``quote`` (:mod:`modelcatalog.cli.source`): ``--url`` (or
``MODELCATALOG_URL``) asks a running service, with ``--api-key`` as its caller; ``--catalog``
reads files; otherwise the store ``serve`` would serve, else the bundled catalog. A local
catalog is the operator's own, read as a ``staff`` key reads it (beta models included).
``--json`` prints the API's JSON for the same request; tables fit an 80-column terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Protocol

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from modelcatalog.catalog.lifecycle import system_clock
from modelcatalog.catalog.views import Audience, SnapshotLifecycles, ViewSet
from modelcatalog.cli import app
from modelcatalog.cli.source import CatalogFiles, ServiceUrl, chosen_url, local_catalog
from modelcatalog.cli.store import Database, DataDir
from modelcatalog.errors import ModelNotFound, NotFound
from modelcatalog.spec.record import MODEL_TYPES

__all__: list[str] = []

models_app = typer.Typer(
    help="Read the catalog: list models, show one, traits, resolve a name.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")

ModelType = Annotated[
    str | None,
    typer.Option(
        "--type", help=f"One of {', '.join(MODEL_TYPES)} (default text).", show_default=False
    ),
]
_LISTINGS = (*MODEL_TYPES, "all", "code")
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
ApiKey = Annotated[
    str | None,
    typer.Option(
        help="Bearer key to read --url with (what its audience sees).", show_default=False
    ),
]


class Reader(Protocol):
    """The API's JSON for each read, from a service or from a local catalog."""

    def listing(self, model_type: str) -> Any: ...
    def model(self, model_id: str) -> Any: ...
    def traits(self, model_type: str) -> Any: ...
    def resolve(self, name: str, model_type: str | None) -> Any: ...


class LocalReader:
    """Reads a local catalog through the service's own views (the very bytes it serves)."""

    def __init__(self, views: ViewSet) -> None:
        self.views = views
        self.audience = Audience.STAFF

    def listing(self, model_type: str) -> Any:
        return orjson.loads(self.views.listing(self.audience, model_type).identity)

    def model(self, model_id: str) -> Any:
        return orjson.loads(self.views.model(self.audience, model_id).encoded.identity)

    def traits(self, model_type: str) -> Any:
        return orjson.loads(self.views.traits(self.audience, model_type).identity)

    def resolve(self, name: str, model_type: str | None) -> Any:
        resolved = self.views.resolution(self.audience, name, model_type)
        return orjson.loads(resolved.encoded.identity)


class RemoteReader:
    """Reads a running service with :class:`modelcatalog.client.Catalog`."""

    def __init__(self, url: str, api_key: str | None) -> None:
        from modelcatalog.client import Catalog  # only --url needs an HTTP client

        self.catalog = Catalog(url, api_key)

    def _get(self, path: str, *params: tuple[str, str]) -> Any:
        from modelcatalog.client._core import Call
        from modelcatalog.client.catalog import _id_path

        return self.catalog.raw(Call("GET", _id_path(path[1:]) if path[0] == "@" else path, params))

    def listing(self, model_type: str) -> Any:
        return self._get("/models", ("type", model_type))

    def model(self, model_id: str) -> Any:
        return self._get("@" + model_id)

    def traits(self, model_type: str) -> Any:
        return self._get("/models/traits", ("type", model_type))

    def resolve(self, name: str, model_type: str | None) -> Any:
        params = [("model", name)] + ([("type", model_type)] if model_type else [])
        return self._get("/models/resolve", *params)


@contextmanager
def _reader(
    ctx: typer.Context,
    url: str | None,
    api_key: str | None,
    catalog: list[Path] | None,
    data_dir: Path | None,
    database: str | None,
) -> Iterator[Reader]:
    url = chosen_url(ctx, url, catalog)
    if url is not None:
        remote = RemoteReader(url, api_key)
        try:
            yield remote
        finally:
            remote.catalog.close()
        return
    local = local_catalog(catalog, data_dir, database)
    yield LocalReader(ViewSet(SnapshotLifecycles(local.snapshot), system_clock()))


def _checked(model_type: str | None, allowed: tuple[str, ...]) -> str | None:
    if model_type is None or model_type in allowed:
        return model_type
    raise typer.BadParameter(
        f"one of {', '.join(allowed)}, not {model_type!r}", param_hint="--type"
    )


def _console() -> Console:
    return Console(highlight=False, emoji=False)


def _print_json(body: Any) -> None:
    typer.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())


@models_app.command("list")
def list_command(
    ctx: typer.Context,
    model_type: Annotated[
        str,
        typer.Option(
            "--type", help="A model type, all or code (default text).", show_default=False
        ),
    ] = "text",
    capability: Annotated[
        list[str] | None,
        typer.Option(
            help="Only models with this capability true (repeatable).", show_default=False
        ),
    ] = None,
    url: ServiceUrl = None,
    api_key: ApiKey = None,
    catalog: CatalogFiles = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """List the models of a type, optionally only those with given capabilities."""
    model_type = _checked(model_type, _LISTINGS) or "text"
    with _reader(ctx, url, api_key, catalog, data_dir, database) as reader:
        body = reader.listing(model_type)
    if capability:
        body["data"] = [m for m in body["data"] if _has_all(m, capability)]
    if as_json:
        _print_json(body)
        return
    table = Table("Id", "Type", "Context", "Traits", "Status", title_justify="left")
    for model in body["data"]:
        spec = model.get("model_spec") or {}
        table.add_row(
            escape(str(model.get("id"))),
            escape(str(model.get("type"))),
            _context(model),
            escape(", ".join(spec.get("traits") or [])),
            _status(spec),
        )
    _console().print(table)


def _has_all(model: Any, capabilities: Iterable[str]) -> bool:
    have = (model.get("model_spec") or {}).get("capabilities") or {}
    return all(have.get(name) is True for name in capabilities)


def _context(model: Any) -> str:
    tokens = model.get("context_length") or (model.get("model_spec") or {}).get(
        "availableContextTokens"
    )
    return f"{tokens:,}" if isinstance(tokens, int) else "-"


def _status(spec: Any) -> str:
    notes = []
    if spec.get("beta") is True:
        notes.append("beta")
    if spec.get("offline") is True:
        notes.append("offline")
    deprecation = spec.get("deprecation")
    if isinstance(deprecation, dict):
        until = deprecation.get("removesAt") or deprecation.get("date")
        notes.append(f"deprecated, removed {str(until)[:10]}" if until else "deprecated")
    return escape(", ".join(notes))


@models_app.command("show")
def show_command(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(metavar="ID", help="The model id (case-sensitive).")],
    url: ServiceUrl = None,
    api_key: ApiKey = None,
    catalog: CatalogFiles = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Show one model as GET /models/{id} answers."""
    with _reader(ctx, url, api_key, catalog, data_dir, database) as reader:
        record = _or_suggest(lambda: reader.model(model_id), reader, model_id)
    if as_json:
        _print_json(record)
        return
    _console().print(_record_table(record))


def _or_suggest(read: Any, reader: Reader, name: str) -> Any:
    """``read()``; an unknown id is refused with the close ids the resolver suggests."""
    try:
        return read()
    except ModelNotFound:
        try:
            reader.resolve(name, None)
        except ModelNotFound as unknown:
            raise _unknown(unknown) from None
        except Exception:
            pass  # suggestions are a courtesy: the not-found stands whatever became of them
        raise


def _unknown(exc: ModelNotFound) -> NotFound:
    """The refusal of an unknown name, naming the close ids the service suggested."""
    near = (exc.details or {}).get("suggestions")
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    return NotFound(f"{exc.message}{hint}")


def _record_table(record: Any) -> Table:
    spec = record.get("model_spec") or {}
    table = Table("Field", "Value", show_header=False, title=escape(str(record.get("id"))))
    rows = [
        ("type", record.get("type")),
        ("name", spec.get("name")),
        ("context", _context(record)),
        ("traits", ", ".join(spec.get("traits") or [])),
        ("capabilities", ", ".join(_true_capabilities(spec))),
        ("pricing", _pricing(spec.get("pricing"))),
        ("status", _status(spec) or "listed"),
        ("description", spec.get("description")),
    ]
    for name, value in rows:
        if value not in (None, ""):
            table.add_row(name, escape(str(value)))
    return table


def _true_capabilities(spec: Any) -> list[str]:
    capabilities = spec.get("capabilities") or {}
    return sorted(k for k, v in capabilities.items() if v is True)


def _pricing(pricing: Any) -> str | None:
    if not isinstance(pricing, dict):
        return None
    parts = []
    for name, price in pricing.items():
        if isinstance(price, dict) and "usd" in price:
            parts.append(f"{name} ${price['usd']}")
    return "; ".join(parts) or "see --json"


@models_app.command("traits")
def traits_command(
    ctx: typer.Context,
    model_type: ModelType = None,
    url: ServiceUrl = None,
    api_key: ApiKey = None,
    catalog: CatalogFiles = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Show which model holds each trait (default, fastest, ...) of a type."""
    model_type = _checked(model_type, MODEL_TYPES) or "text"
    with _reader(ctx, url, api_key, catalog, data_dir, database) as reader:
        body = reader.traits(model_type)
    if as_json:
        _print_json(body)
        return
    table = Table("Trait", "Model", title=f"Traits of {model_type} models", title_justify="left")
    for trait, model_id in body["data"].items():
        table.add_row(escape(trait), escape(str(model_id)))
    _console().print(table)


@models_app.command("resolve")
def resolve_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="An id, a trait, an alias or a removed id.")],
    model_type: ModelType = None,
    url: ServiceUrl = None,
    api_key: ApiKey = None,
    catalog: CatalogFiles = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Resolve a requested name to the model that serves it, by the service's rule."""
    model_type = _checked(model_type, MODEL_TYPES)
    try:
        with _reader(ctx, url, api_key, catalog, data_dir, database) as reader:
            body = reader.resolve(name, model_type)
    except ModelNotFound as exc:
        raise _unknown(exc) from None
    if as_json:
        _print_json(body)
        return
    console = _console()
    console.print(f"{escape(name)} -> {escape(str(body['model']['id']))} ({body['type']})")
    for step in body["via"]:
        console.print(f"  {step['kind']}: {escape(step['from'])} -> {escape(step['to'])}")
    for warning in body["warnings"]:
        text = f"  warning: {warning['code']}"
        if warning.get("removesAt"):
            text += f", removed {warning['removesAt']}"
        if warning.get("replacementModelId"):
            text += f"; use {warning['replacementModelId']}"
        console.print(escape(text))
