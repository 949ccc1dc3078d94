"""Store commands: ``import``, ``export``, ``rollback``, ``versions``, ``diff``, ``db upgrade``,
``keys``.

Every command takes ``--data-dir`` (the SQLite store, ``MODELCATALOG_DATA_DIR``) or
``--database`` (a PostgreSQL URL, ``MODELCATALOG_DATABASE_URL``) and ``--json``. Errors are
raised typed; cli/exits.py turns them into the CLI's exit codes.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from modelcatalog.cli import app
from modelcatalog.errors import CatalogInvalid, NotFound

if TYPE_CHECKING:
    from modelcatalog.store import Store

__all__ = [
    "AsJson",
    "Author",
    "DataDir",
    "Database",
    "Decider",
    "Expect",
    "Force",
    "Message",
    "author_name",
    "echo_json",
    "open_store",
    "print_diff",
    "progress_bar",
    "write_settings",
]

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="MODELCATALOG_DATA_DIR",
        help="Directory of the SQLite store. [default: ~/.local/share/modelcatalog]",
    ),
]
Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="MODELCATALOG_DATABASE_URL",
        help="PostgreSQL URL (postgresql://user@host/db); replaces the SQLite store.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
#: The store's version ids are BIGINTs (store.MAX_VERSION); spelt here so that the CLI starts
#: without loading the store. A larger number is a usage error, not a driver overflow.
_MAX_VERSION = 2**63 - 1
Expect = Annotated[
    int | None,
    typer.Option(
        "--expect", min=0, max=_MAX_VERSION, help="Refuse unless this is the current version."
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Write even if it removes more than destructive_write_share of the models."
    ),
]
Message = Annotated[str | None, typer.Option("--message", "-m", help="Why.")]
#: Who a write or a decision is recorded as by: ``--author``, else the user's login name
#: (:func:`author_name`).
Author = Annotated[str | None, typer.Option("--author", help="Who. [default: your user name]")]
Decider = Annotated[
    str | None, typer.Option("--author", help="Who decides. [default: your user name]")
]

db_app = typer.Typer(help="Manage the store's database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")

_err = Console(stderr=True, highlight=False)


def echo_json(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


@contextmanager
def open_store(
    data_dir: Path | None, database: str | None, owned_by: frozenset[str] | None = None
) -> Iterator[Store]:
    """Open the store for a command; a refused write says that nothing was written.

    ``owned_by`` is what a write accepts as a record's owner (the ``owned_by`` setting)."""
    # The store (SQLAlchemy, drivers) loads only for the commands that open one.
    from modelcatalog.store import Store

    try:
        with Store.open(
            data_dir, database, application_name="modelcatalog-cli", owned_by=owned_by
        ) as store:
            yield store
    except CatalogInvalid as exc:
        exc.add_note("nothing was written")
        raise


def author_name(author: str | None) -> str:
    """``--author`` as given, else the user's login name (what the option's help promises)."""
    return author or getpass.getuser()


def write_settings(force: bool) -> tuple[float | None, frozenset[str]]:
    """What a write may remove (None: any, when forced) and the owners it accepts, from the
    settings (InvalidSettings: exit 2 by the table)."""
    from modelcatalog.settings import Settings

    settings = Settings.load()
    return (None if force else settings.destructive_write_share), settings.accepted_owned_by


@app.command()
def rollback(
    version: Annotated[
        int,
        typer.Argument(min=1, max=_MAX_VERSION, help="The version whose catalog to bring back."),
    ],
    message: Message = None,
    author: Author = None,
    expected: Expect = None,
    force: Force = False,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Commit a new version whose catalog equals VERSION's (history is kept, never rewritten)."""
    share, owners = write_settings(force)
    with open_store(data_dir, database, owners) as store:
        info = store.rollback(
            version,
            author=author_name(author),
            message=message,
            expected=expected,
            max_removed_share=share,
        )
    if as_json:
        echo_json(info.as_json())
    else:
        typer.echo(f"version {info.id}: {info.model_count} models ({info.message})")


@contextmanager
def progress_bar(shown: bool) -> Iterator[Callable[[str, int, int], None]]:
    if not shown:
        yield lambda _stage, _done, _total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=_err, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total or None)

        yield report


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Directory (--format dir) or file (dump).")],
    format_: Annotated[
        str, typer.Option("--format", help="dir: one file per model (lossless); dump: JSON.")
    ] = "dir",
    version: Annotated[
        int | None,
        typer.Option(min=1, max=_MAX_VERSION, help="[default: the current version]"),
    ] = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Write a stored version as a catalog directory or a Venice dump (backups, review)."""
    from modelcatalog.store.document import export_directory, export_dump

    if format_ not in {"dir", "dump"}:
        raise typer.BadParameter(f"dir or dump, not {format_!r}", param_hint="--format")
    with open_store(data_dir, database) as store:
        if store.head() == 0:
            raise NotFound("the store has no catalog version yet (import one first)")
        info, document = store.document(version)
    if format_ == "dir":
        if path.exists() and any(path.iterdir()):
            raise typer.BadParameter(
                f"{path} is not empty; export into a new directory", param_hint="PATH"
            )
        export_directory(document, path)
    else:
        export_dump(document, path)
    if as_json:
        echo_json({"version": info.id, "path": str(path), "format": format_})
    else:
        typer.echo(f"version {info.id}: {info.model_count} models written to {path}")


@app.command()
def versions(
    limit: Annotated[
        int, typer.Option(min=1, max=_MAX_VERSION, help="How many, newest first.")
    ] = 20,
    before: Annotated[
        int | None,
        typer.Option(min=1, max=_MAX_VERSION, help="Only versions older than this."),
    ] = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """List catalog versions, newest first."""
    with open_store(data_dir, database) as store:
        found = store.versions(limit=limit, before=before)
    if as_json:
        echo_json([v.as_json() for v in found])
        return
    table = Table("version", "created", "author", "models", "message")
    for info in found:
        created = info.as_json()["created_at"]
        table.add_row(str(info.id), created, info.author, str(info.model_count), info.message)
    Console().print(table)


@app.command()
def diff(
    from_version: Annotated[int, typer.Argument(metavar="A", min=1, max=_MAX_VERSION)],
    to_version: Annotated[int, typer.Argument(metavar="B", min=1, max=_MAX_VERSION)],
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """What changed from version A to version B: models, fields, prices, aliases."""
    with open_store(data_dir, database) as store:
        result = store.diff(from_version, to_version)
    if as_json:
        echo_json(result.as_json())
        return
    print_diff(result.as_json())


def print_diff(diff: dict[str, Any]) -> None:
    out = Console(highlight=False)
    out.print(f"version {diff['from']} -> {diff['to']}")
    for model_id in diff["added"]:
        out.print(f"[green]+ {model_id}[/green]", markup=True)
    for model_id in diff["removed"]:
        out.print(f"[red]- {model_id}[/red]", markup=True)
    for model in diff["changed"]:
        out.print(f"~ {model['id']}")
        for field in model["fields"]:
            old = "(absent)" if field["kind"] == "added" else orjson.dumps(field["old"]).decode()
            new = "(absent)" if field["kind"] == "removed" else orjson.dumps(field["new"]).decode()
            out.print(f"    {field['path']}: {old} -> {new}")
    for alias in diff["aliases"]:
        old, new = alias["old"] or "(absent)", alias["new"] or "(absent)"
        out.print(f"~ alias {alias['type']}/{alias['alias']}: {old} -> {new}")
    if not (diff["added"] or diff["removed"] or diff["changed"] or diff["aliases"]):
        out.print("no changes")


@db_app.command("upgrade")
def db_upgrade(
    data_dir: DataDir = None, database: Database = None, as_json: AsJson = False
) -> None:
    """Create the store or bring its schema up to this release."""
    from modelcatalog.store import Store, schema
    from modelcatalog.store.engine import create_store_engine, resolve_url

    engine = create_store_engine(
        resolve_url(data_dir, database), application_name="modelcatalog-cli"
    )
    try:
        with Store.guard():
            applied = schema.upgrade(engine)
    finally:
        engine.dispose()
    if as_json:
        echo_json({"applied": applied, "current": True})
    elif applied:
        typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        typer.echo("the schema is current")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who holds the key; recorded as author.")],
    beta: Annotated[bool, typer.Option("--beta", help="Sees beta models.")] = False,
    staff: Annotated[bool, typer.Option("--staff", help="Sees everything.")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="May change the catalog.")] = False,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    from modelcatalog.store import keys as store_keys

    with open_store(data_dir, database) as store:
        key, token = store_keys.create_key(store, name, beta=beta, staff=staff, admin=admin)
    if as_json:
        echo_json({**key.as_json(), "key": token})
        return
    typer.echo(token)
    _err.print(f"key {name!r} created; it is shown only now, store it safely.")


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, database: Database = None, as_json: AsJson = False) -> None:
    """List keys (names and grants, never the keys)."""
    from modelcatalog.store import keys as store_keys

    with open_store(data_dir, database) as store:
        found = store_keys.list_keys(store)
    if as_json:
        echo_json([k.as_json() for k in found])
        return
    table = Table("name", "prefix", "grants", "created", "revoked")
    for key in found:
        grants = ",".join(g for g in ("beta", "staff", "admin") if getattr(key, g)) or "-"
        info = key.as_json()
        table.add_row(
            key.name, key.prefix + "…", grants, info["created_at"], info["revoked_at"] or ""
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(
    name: Annotated[str, typer.Argument()],
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Revoke a key at once on every replica."""
    from modelcatalog.store import keys as store_keys

    with open_store(data_dir, database) as store:
        key = store_keys.revoke_key(store, name)
    if as_json:
        echo_json(key.as_json())
    else:
        typer.echo(f"key {name!r} revoked")
