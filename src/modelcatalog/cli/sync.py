"""``modelcatalog sync``: sync the stored catalog with its upstream sources, and decide what a
sync held (``sync pending``), the operator's fields (``sync overrides``) and the fields
upstream changed under them (``sync flags``). See docs/sync.md.

The sources and guardrails are the ``sync`` section of the settings (``--settings``,
``MODELCATALOG_SYNC``). A source that fails is reported and the command exits with the code of
its failure after the others ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from modelcatalog.cli import app
from modelcatalog.cli.store import (
    AsJson,
    Database,
    DataDir,
    Decider,
    author_name,
    echo_json,
    open_store,
    print_diff,
    write_settings,
)

if TYPE_CHECKING:
    from modelcatalog.sync.runner import SourceReport

__all__: list[str] = []

sync_app = typer.Typer(invoke_without_command=True)
pending_app = typer.Typer(help="Change sets a sync held for a decision.", no_args_is_help=True)
overrides_app = typer.Typer(
    help="Fields kept as the operator's across syncs.", no_args_is_help=True
)
flags_app = typer.Typer(help="Fields upstream changed under an override.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")
sync_app.add_typer(pending_app, name="pending")
sync_app.add_typer(overrides_app, name="overrides")
sync_app.add_typer(flags_app, name="flags")

SettingsFile = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        envvar="MODELCATALOG_SETTINGS_FILE",
        help="A TOML, YAML or JSON settings file with a sync section.",
    ),
]
SetId = Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The change set's number.")]
Model = Annotated[str, typer.Argument(help="The model id.")]
OfModel = Annotated[str | None, typer.Option("--model", help="One model's only.")]
PathOption = Annotated[
    str | None, typer.Option("--path", help="One field (model_spec.pricing.input.usd).")
]

_out = Console(highlight=False, soft_wrap=True)


@sync_app.callback()
def sync(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", help="Sync this source only. [default: all]")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    settings_file: SettingsFile = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Sync the catalog with its upstream sources: fetch each, map it, apply it as one version.

    A price moving more than max_price_factor times, crossing zero or disappearing, or more
    than max_removals models deprecated at once, is held as a pending change set; a source
    that fails, times out or gives no or far fewer models writes nothing.
    """
    if ctx.invoked_subcommand is not None:
        return
    from modelcatalog.settings import Settings
    from modelcatalog.sync.runner import chosen_sources, run_sync

    settings = Settings.load(settings_file=settings_file)
    chosen_sources(settings.sync.sources, source)  # a wrong --source opens nothing
    owners = settings.accepted_owned_by
    with open_store(data_dir, database, owners) as store:
        report = run_sync(
            store, settings.sync, only=source, dry_run=dry_run, accepted_owned_by=owners
        )
    if as_json:
        echo_json(report.as_json())
    else:
        for item in report.sources:
            _print_source(item)
    if report.failures:
        raise report.failures[0]


def _print_source(report: SourceReport) -> None:
    colour = {"failed": "red", "held": "yellow"}.get(report.status, "green")
    _out.print(
        f"[{colour}]{report.status}[/{colour}] {escape(report.source)}: {escape(report.message)}"
    )
    for reason in report.held:
        _out.print(f"  held: {escape(reason)}")
    for flag in report.flags:
        _out.print(f"  {escape(flag)}")
    for model_id, why in report.skipped.items():
        _out.print(f"  skipped {escape(model_id)}: {escape(why)}")
    if report.diff is not None:
        print_diff(report.diff)


@pending_app.command("list")
def pending_list(
    status: Annotated[
        str, typer.Option(help="open, approved, rejected, superseded or all.")
    ] = "open",
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """List change sets, newest first (the open ones by default)."""
    from modelcatalog.sync import changesets

    if status not in (*changesets.STATUSES, "all"):
        raise typer.BadParameter(f"{', '.join(changesets.STATUSES)} or all", param_hint="--status")
    with open_store(data_dir, database) as store:
        found = changesets.change_sets(store, None if status == "all" else status)
    if as_json:
        echo_json([c.as_json() for c in found])
        return
    table = Table("id", "source", "created", "base", "status", "why")
    for item in found:
        body = item.as_json()
        why = "; ".join(item.reasons[:2]) + (" ..." if len(item.reasons) > 2 else "")
        table.add_row(
            str(item.id), item.source, body["created_at"], str(item.base_version), item.status, why
        )
    Console().print(table)


@pending_app.command("show")
def pending_show(
    set_id: SetId, data_dir: DataDir = None, database: Database = None, as_json: AsJson = False
) -> None:
    """Show one change set: why it is held and its diff against its base version."""
    from modelcatalog.sync import changesets

    with open_store(data_dir, database) as store:
        found = changesets.change_set(store, set_id)
    if as_json:
        echo_json(found.as_json())
        return
    _out.print(f"change set {found.id} ({found.status}) from {escape(found.source)}")
    for reason in found.reasons:
        _out.print(f"  held: {escape(reason)}")
    assert found.diff is not None
    print_diff(found.diff)


@pending_app.command("approve")
def pending_approve(
    set_id: SetId,
    author: Decider = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Commit a change set as one version, if the catalog is still at its base version."""
    from modelcatalog.sync import changesets

    _, owners = write_settings(force=False)
    with open_store(data_dir, database, owners) as store:
        found, info = changesets.approve(store, set_id, author_name(author))
    if as_json:
        echo_json({"change_set": found.as_json(), "version": info.as_json()})
    else:
        typer.echo(f"version {info.id}: {info.model_count} models ({info.message})")


@pending_app.command("reject")
def pending_reject(
    set_id: SetId,
    author: Decider = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """Close a change set without writing anything."""
    from modelcatalog.sync import changesets

    with open_store(data_dir, database) as store:
        found = changesets.reject(store, set_id, author_name(author))
    if as_json:
        echo_json(found.as_json())
    else:
        typer.echo(f"change set {found.id} rejected")


@overrides_app.command("list")
def overrides_list(
    model: OfModel = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """List the fields an operator set by hand, which syncs keep."""
    from modelcatalog.sync.overrides import load_overrides

    with open_store(data_dir, database) as store:
        found = [o for group in load_overrides(store, model).values() for o in group]
    if as_json:
        echo_json([o.as_json() for o in found])
        return
    table = Table("model", "path", "author", "set", "flag")
    for item in found:
        body = item.as_json()
        flag = item.flag.message if item.flag is not None else ""
        table.add_row(
            item.model_id, item.path or "(whole model)", item.author, body["set_at"], flag
        )
    Console().print(table)


def _drop_command(group: typer.Typer, name: str, summary: str, *, overrides: bool) -> None:
    """Register ``overrides clear`` (``overrides``) or ``flags acknowledge``: the same command
    over the overrides table, taking a model's entries (or one field's) and saying how many."""
    done, noun = ("cleared", "override(s)") if overrides else ("acknowledged", "flag(s)")

    def drop(
        model: Model,
        path: PathOption = None,
        data_dir: DataDir = None,
        database: Database = None,
        as_json: AsJson = False,
    ) -> None:
        from modelcatalog.sync.overrides import acknowledge_flags, clear_overrides

        take = clear_overrides if overrides else acknowledge_flags
        with open_store(data_dir, database) as store:
            count = take(store, model, path)
        if as_json:
            echo_json({done: count})
        else:
            typer.echo(f"{count} {noun} of {model} {done}")

    group.command(name, help=summary)(drop)


_drop_command(
    overrides_app,
    "clear",
    "Give a model's fields (or one) back to upstream: the next sync sets them.",
    overrides=True,
)


@flags_app.command("list")
def flags_list(
    model: OfModel = None,
    data_dir: DataDir = None,
    database: Database = None,
    as_json: AsJson = False,
) -> None:
    """List the fields upstream changed under an override: upstream changed: PATH OLD → NEW."""
    from modelcatalog.sync.overrides import list_flags

    with open_store(data_dir, database) as store:
        found = list_flags(store, model)
    if as_json:
        echo_json([f.as_json() for f in found])
        return
    for flag in found:
        _out.print(f"{escape(flag.model_id)}: {escape(flag.message)} (source {flag.source})")


_drop_command(
    flags_app,
    "acknowledge",
    "Dismiss a model's flags (or one), keeping the operator's values.",
    overrides=False,
)
