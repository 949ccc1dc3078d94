"""Instants are parsed and written by modelcatalog.instants alone (tests/hardening/test_instants.py
holds the parser to its rules); the store's microsecond form converts exactly."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import modelcatalog
from modelcatalog.instants import from_microseconds, to_microseconds

SRC = Path(modelcatalog.__file__).parent
#: Ways to read or write an instant other than the one module's.
_ELSEWHERE = re.compile(r"\b(isoformat|fromisoformat|strftime|strptime|fromtimestamp)\(")


def test_no_module_but_instants_parses_or_formats_an_instant() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "instants.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _ELSEWHERE.search(line)
    ]
    assert found == [], "use modelcatalog.instants instead:\n" + "\n".join(found)


@given(st.datetimes(timezones=st.just(UTC)))
def test_microseconds_round_trip_exactly(at: datetime) -> None:
    assert from_microseconds(to_microseconds(at)) == at


def test_microseconds_count_from_the_epoch() -> None:
    assert to_microseconds(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == 1_000_005
    assert to_microseconds(datetime(1970, 1, 1)) == 0  # naive is UTC
