"""The ``modelcatalog`` command line: a thin layer over the importable library.

Each command lives in its own module and registers itself on :data:`app`. Commands raise typed
errors; exit codes are the same everywhere and applied in one place, :mod:`.exits`.
"""

from __future__ import annotations

import typer

from modelcatalog.cli.exits import CommandGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="modelcatalog",
    cls=CommandGroup,
    help="A self-hostable model catalog that speaks the Venice.ai /api/v1/models dialect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """A self-hostable model catalog that speaks the Venice.ai /api/v1/models dialect."""


# Command modules register themselves on ``app`` when imported.
from modelcatalog.cli import imports as _imports  # noqa: E402, F401
from modelcatalog.cli import models as _models  # noqa: E402, F401
from modelcatalog.cli import quote as _quote  # noqa: E402, F401
from modelcatalog.cli import serve as _serve  # noqa: E402, F401
from modelcatalog.cli import store as _store  # noqa: E402, F401
from modelcatalog.cli import sync as _sync  # noqa: E402, F401
from modelcatalog.cli import validate as _validate  # noqa: E402, F401


def main() -> None:
    """Entry point of the ``modelcatalog`` console script."""
    app()
