"""The exit codes of every ``modelcatalog`` command, and the one place errors become them.

Commands raise the typed errors of :mod:`modelcatalog.errors` (or ``typer.BadParameter`` for
a wrong option, as the option parser does, exit 2); :class:`CommandGroup`, the root command
group, prints the error's message on stderr and exits with the code :func:`exit_code` gives
it. A command puts context before a message with ``exc.add_note("refusing to serve")`` and
re-raises.
docs/cli.md shows :data:`EXIT_CODES` as a table; tests/test_cli_exits.py runs every command
into each of its failure classes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from modelcatalog import errors

__all__ = ["EXIT_CODES", "CommandGroup", "ExitCode", "exit_code"]


class ExitCode(IntEnum):
    """What a command's exit status means, the same for every command."""

    OK = 0
    INVALID = 1
    UNUSABLE = 2
    UNAVAILABLE = 3
    CANNOT_LISTEN = 4


#: Code -> what it means, as docs/cli.md shows it.
EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "Success.",
    ExitCode.INVALID: "The input was read but is invalid, or the request was refused: catalog "
    "errors, an unknown model, usage a model cannot price, a stale `--expect`, an existing "
    "key, a store schema that is not this release's, a 4xx answer from `--url`, a sync "
    "source that answered with no or far fewer models, a sync lock another process holds, a "
    "pending change set already decided.",
    ExitCode.UNUSABLE: "The input could not be read or the command was used wrongly: a missing "
    "or unparsable file or import source (or one over its size limit), a bad option or option "
    "value, an invalid setting "
    "(flag, `MODELCATALOG_*` variable or settings file).",
    ExitCode.UNAVAILABLE: "The store or the service could not be reached: the database is "
    "down or refuses the connection, `--url` does not answer or answers with a server error, "
    "an `import` source URL cannot be fetched (no answer, a timeout, an HTTP error).",
    ExitCode.CANNOT_LISTEN: "`serve` cannot listen on its host and port: another process "
    "holds the port, or the address is not allowed.",
}

#: Error class -> exit code; the first matching class wins, so subclasses come first. Every
#: other ModelCatalogError is a refusal of input that was read: ``ExitCode.INVALID``.
_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (errors.CannotListen, ExitCode.CANNOT_LISTEN),
    (errors.StoreUnavailable, ExitCode.UNAVAILABLE),
    (errors.ServiceUnavailable, ExitCode.UNAVAILABLE),
    (errors.UpstreamUnavailable, ExitCode.UNAVAILABLE),
    (errors.SourceError, ExitCode.UNUSABLE),
    (errors.InvalidSettings, ExitCode.UNUSABLE),
    (errors.InvalidUsage, ExitCode.UNUSABLE),
)


def exit_code(exc: errors.ModelCatalogError) -> ExitCode:
    """The exit code of a command that failed with ``exc``."""
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    return ExitCode.INVALID


class CommandGroup(TyperGroup):
    """The root command group: turns the errors of every command into a message and a code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except errors.ModelCatalogError as exc:
            _fail(exc)


def _fail(exc: errors.ModelCatalogError) -> NoReturn:
    err = Console(stderr=True, highlight=False, emoji=False)
    if isinstance(exc, errors.CatalogInvalid):
        for finding in exc.findings:
            if finding.severity == "error":
                err.print(f"[red]error[/red] {escape(str(finding))}", soft_wrap=True)
    context = "".join(f"{text}: " for text in getattr(exc, "__notes__", ()))
    err.print(f"[red]error:[/red] {escape(context + _message(exc))}", soft_wrap=True)
    raise typer.Exit(int(exit_code(exc))) from exc


def _message(exc: errors.ModelCatalogError) -> str:
    if isinstance(exc, errors.InvalidUsage) and exc.field is not None:
        # Usage fields are given as options on the command line: name the option.
        flag = "--" + exc.field.replace("_", "-")
        return f"{flag}: {str(exc).removeprefix(exc.field + ' ')}"
    return str(exc)
