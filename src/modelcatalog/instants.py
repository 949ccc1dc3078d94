"""Instants, read and written one way everywhere: ``?at=``, lifecycle dates, retire, quotes.

:func:`parse_instant` reads ISO 8601 (``2026-03-01``, ``2026-03-01T12:00:00Z``, an offset such
as ``+02:00``; a naive value is UTC) and returns an aware UTC datetime. A value that is not an
instant, or that names an instant Python cannot hold once it is moved to UTC
(``9999-12-31T23:59:59-01:00`` is in year 10000), raises :class:`InvalidInstant` naming the
field -- never ``ValueError`` or ``OverflowError``, which would surface as a 500.
:func:`format_instant` writes the one canonical form, ``2026-03-01T12:00:00Z``. The store keeps
instants as integer microseconds since the Unix epoch: :func:`to_microseconds` and
:func:`from_microseconds` convert, exactly (no float rounding).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from modelcatalog.errors import InvalidInstant

__all__ = [
    "InvalidInstant",
    "as_utc",
    "format_day",
    "format_instant",
    "from_microseconds",
    "from_unix_seconds",
    "parse_instant",
    "to_microseconds",
    "try_instant",
]

#: Longer than any ISO 8601 instant with microseconds and an offset; refuse before parsing.
_MAX_LENGTH = 64
EXAMPLE = "2026-03-01T00:00:00Z"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def parse_instant(text: object, field: str, *, zone_required: bool = False) -> datetime:
    """``text`` as an aware UTC instant; raises :class:`InvalidInstant` naming ``field``.

    With ``zone_required`` a naive value is refused instead of being read as UTC (catalog
    records must say which instant they mean).
    """
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LENGTH:
        raise InvalidInstant(field, text)
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInstant(field, text) from exc
    if zone_required and parsed.tzinfo is None:
        raise InvalidInstant(field, text, "has no time zone")
    try:
        return as_utc(parsed)
    except OverflowError as exc:
        raise InvalidInstant(field, text, "lies outside the years 1 to 9999 in UTC") from exc


def try_instant(text: object, *, zone_required: bool = False) -> datetime | None:
    """Like :func:`parse_instant`, but ``None`` for anything that is not a usable instant."""
    try:
        return parse_instant(text, "instant", zone_required=zone_required)
    except InvalidInstant:
        return None


def as_utc(at: datetime) -> datetime:
    """``at`` as an aware UTC instant; a naive datetime is read as UTC.

    Raises ``OverflowError`` when the instant is outside what a datetime holds in UTC; use
    :func:`parse_instant` for input from outside.
    """
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def format_instant(at: datetime) -> str:
    """The canonical text of an instant: UTC with a ``Z`` (``2026-03-01T12:00:00Z``)."""
    return as_utc(at).isoformat().replace("+00:00", "Z")


def format_day(at: datetime) -> str:
    """An instant as people read it on a page: ``2026-02-05``, and ``14:30 UTC`` after it
    when it is not midnight."""
    at = as_utc(at)
    if (at.hour, at.minute, at.second) == (0, 0, 0):
        return at.strftime("%Y-%m-%d")
    return at.strftime("%Y-%m-%d %H:%M UTC")


def from_unix_seconds(value: float) -> datetime:
    """The aware UTC instant of a Unix time in seconds (a record's ``created``)."""
    return datetime.fromtimestamp(value, UTC)


def to_microseconds(at: datetime) -> int:
    """``at`` as integer microseconds since the Unix epoch (how the store keeps instants)."""
    return (as_utc(at) - _EPOCH) // _MICROSECOND


def from_microseconds(value: int) -> datetime:
    """The aware UTC instant of integer microseconds since the Unix epoch."""
    return _EPOCH + value * _MICROSECOND
