"""The machine-readable result of a benchmark: figures, each with its baseline and goal.

Every script in ``bench/`` takes ``--json PATH`` and writes the figures it measured there (a
JSON list of :class:`Figure`), besides its human-readable output; ``bench/run.py`` collects
them into one table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Figure", "at_least", "at_most", "read_figures", "write_figures"]


@dataclass(frozen=True)
class Figure:
    """One measured figure, the baseline measured beside it and the goal it is held to."""

    bench: str
    name: str
    value: float
    unit: str
    #: What the value is compared with, measured in the same run ("" when there is none).
    baseline_name: str = ""
    baseline: float | None = None
    #: ``value / baseline`` (or what the goal is about, e.g. p99 over nginx's p99).
    ratio: float | None = None
    goal: str = ""
    #: None when the figure has no goal, or when it must not be judged (a noisy quick run).
    met: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def at_least(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def at_most(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def write_figures(path: Path | None, figures: Iterable[Figure]) -> None:
    """Write ``figures`` as JSON to ``path`` (nothing when ``path`` is None)."""
    if path is not None:
        path.write_text(json.dumps([f.to_json() for f in figures], indent=1) + "\n")


def read_figures(path: Path) -> list[Figure]:
    return [Figure(**item) for item in json.loads(path.read_text())]
