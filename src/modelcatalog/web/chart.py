"""A model's price history, from its store history as the caller may see it, as a table and a
server-rendered SVG step chart (no script, no external asset).

The history (:func:`modelcatalog.api.history.history_json`) lists each version that changed
the model with the fields it changed; an ``added`` entry lists none. Prices are therefore
rebuilt backwards from the record as served now: each change is undone in turn, which gives
the prices in force from every entry on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from modelcatalog.instants import try_instant
from modelcatalog.web.render import date_text, number_text

__all__ = [
    "PriceChange",
    "PriceHistory",
    "price_history",
    "series_labels",
    "series_labels_raw",
    "svg_chart",
]

PRICING = "model_spec.pricing"
_MAX_SERIES = 6
_WIDTH, _HEIGHT, _LEFT, _RIGHT, _TOP, _BOTTOM = 640, 240, 64, 16, 16, 40


@dataclass(frozen=True, slots=True)
class PriceChange:
    date: str
    version: int
    price: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class PriceHistory:
    #: ``(instant, {price path: USD})`` from each history entry on, oldest first.
    points: tuple[tuple[datetime, Mapping[str, float]], ...]
    changes: tuple[PriceChange, ...]
    first_seen: str | None


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}")
    else:
        yield path, value


def _usd(values: Mapping[str, Any]) -> dict[str, float]:
    return {
        path: float(value)
        for path, value in values.items()
        if path.endswith(".usd") and isinstance(value, int | float) and not isinstance(value, bool)
    }


def _label(path: str) -> str:
    return path.removeprefix(PRICING + ".").removesuffix(".usd")


def price_history(entries: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> PriceHistory:
    """The prices from every entry of ``entries`` (a history body's ``data``) on."""
    state = dict(_leaves(record.get("model_spec", {}).get("pricing", {}), PRICING))
    points: list[tuple[datetime, Mapping[str, float]]] = []
    changes: list[PriceChange] = []
    first_seen = None
    for entry in reversed(entries):
        instant = try_instant(str(entry.get("effective_at")))
        if instant is None:
            continue
        kind = entry.get("kind")
        points.append((instant, _usd(state) if kind != "removed" else {}))
        if kind == "added":
            first_seen = date_text(instant)
        for change in entry.get("fields") or ():
            path = str(change.get("path"))
            if path != PRICING and not path.startswith(PRICING + "."):
                continue
            old, new = (
                dict(_leaves(change.get("old"), path)),
                dict(_leaves(change.get("new"), path)),
            )
            for leaf in new:
                state.pop(leaf, None)
            state.update({k: v for k, v in old.items() if v is not None})
            for leaf in dict.fromkeys([*old, *new]):
                changes.append(
                    PriceChange(
                        date_text(instant),
                        int(entry.get("version") or 0),
                        _label(leaf),
                        _shown(old.get(leaf)),
                        _shown(new.get(leaf)),
                    )
                )
    return PriceHistory(tuple(reversed(points)), tuple(changes), first_seen)


def _shown(value: Any) -> str:
    return "—" if value is None else number_text(value)


def svg_chart(history: PriceHistory, now: datetime) -> str | None:
    """A step chart of the USD prices over time; ``None`` when there is nothing to draw."""
    series = series_labels_raw(history)
    if not history.points or not series:
        return None
    start = history.points[0][0]
    end = max(now, history.points[-1][0])
    span = (end - start).total_seconds() or 1.0
    top = max(v for _, values in history.points for k, v in values.items() if k in series) or 1.0

    def x(instant: datetime) -> float:
        return _LEFT + (instant - start).total_seconds() / span * (_WIDTH - _LEFT - _RIGHT)

    def y(value: float) -> float:
        return _HEIGHT - _BOTTOM - value / (top * 1.1) * (_HEIGHT - _TOP - _BOTTOM)

    parts = [_axes(top, y, date_text(start), date_text(end))]
    for index, name in enumerate(series):
        path = _step_path(history, name, x, y, x(end))
        if path:
            parts.append(f'<path class="series s{index}" d="{path}"/>')
    title = "Price history in USD: " + ", ".join(_label(n) for n in series)
    return (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">{title}</title>{"".join(parts)}</svg>'
    )


def series_labels(history: PriceHistory) -> list[str]:
    """The labels of the charted series, in the order of their classes ``s0``, ``s1``, ..."""
    return [_label(n) for n in series_labels_raw(history)]


def series_labels_raw(history: PriceHistory) -> list[str]:
    names: list[str] = []
    for _, values in history.points:
        names += [n for n in values if n not in names]
    # Input and output first: what readers compare; then the rest in record order.
    names.sort(key=lambda n: not n.endswith((".input.usd", ".output.usd")) or "extended" in n)
    return names[:_MAX_SERIES]


def _step_path(history: PriceHistory, name: str, x: Any, y: Any, right: float) -> str:
    commands: list[str] = []
    previous: float | None = None
    for instant, values in history.points:
        value = values.get(name)
        if value is None:
            previous = None
            continue
        if previous is None:
            commands.append(f"M{x(instant):.1f},{y(value):.1f}")
        else:
            commands.append(f"H{x(instant):.1f}V{y(value):.1f}")
        previous = value
    if commands and previous is not None:
        commands.append(f"H{right:.1f}")
    return "".join(commands)


def _axes(top: float, y: Any, first: str, last: str) -> str:
    ticks = []
    for fraction in (0, 0.5, 1):
        value = top * fraction
        level = y(value)
        ticks.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{level:.1f}" '
            f'y2="{level:.1f}"/><text class="tick" x="{_LEFT - 6}" y="{level + 4:.1f}" '
            f'text-anchor="end">${number_text(round(value, 6))}</text>'
        )
    base = _HEIGHT - _BOTTOM
    ticks.append(
        f'<text class="tick" x="{_LEFT}" y="{base + 16}">{first}</text>'
        f'<text class="tick" x="{_WIDTH - _RIGHT}" y="{base + 16}" text-anchor="end">{last}</text>'
    )
    return "".join(ticks)
