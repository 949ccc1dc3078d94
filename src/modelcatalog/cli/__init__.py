"""The ``modelcatalog`` command line: a thin layer over the importable library.

Each command lives in its own module and registers itself on :data:`app`. Exit codes are the
same everywhere: 0 success, 1 the input was read but is invalid (or the request was refused),
2 the input could not be read or the command was used wrongly.
"""

from __future__ import annotations

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="modelcatalog",
    help="A self-hostable model catalog that speaks the Venice.ai /api/v1/models dialect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """A self-hostable model catalog that speaks the Venice.ai /api/v1/models dialect."""


# Command modules register themselves on ``app`` when imported.
from modelcatalog.cli import quote as _quote  # noqa: E402, F401
from modelcatalog.cli import serve as _serve  # noqa: E402, F401
from modelcatalog.cli import store as _store  # noqa: E402, F401
from modelcatalog.cli import validate as _validate  # noqa: E402, F401


def main() -> None:
    """Entry point of the ``modelcatalog`` console script."""
    app()
