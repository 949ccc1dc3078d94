"""One instant parser: every route and command reads instants alike, and none that Python
cannot hold in UTC becomes a 500 -- it is a 400 naming the field.

Over real HTTP against ``modelcatalog serve`` on a fresh store, plus unit tests of
:mod:`modelcatalog.instants` and of the places that read record dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from modelcatalog.catalog import Mode, check_catalog
from modelcatalog.catalog.lifecycle import parse_instant as lifecycle_instant
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_document_bytes
from modelcatalog.catalog.views import Audience, SnapshotLifecycles, ViewSet
from modelcatalog.cli import app
from modelcatalog.errors import InvalidInstant, InvalidSettings, InvalidUsage
from modelcatalog.instants import format_instant, parse_instant, try_instant
from modelcatalog.pricing import parse_at
from modelcatalog.settings import Settings
from tests.hardening.store_server import StoreServer, store_server
from tests.store.factory import dump, text_model
from tests.store.servers import run_cli

#: Valid ISO 8601 with an offset, but outside datetime's range once moved to UTC.
EDGES = ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]
NOT_INSTANTS = ["yesterday", "", "2026-13-01", "2026-03-01T25:00:00Z", "1" * 5000]
MODEL = "qwen3-next-80b"  # a text model of the bundled catalog


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreServer]:
    with store_server(tmp_path_factory.mktemp("instants")) as server:
        yield server


# -- the parser ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T14:00:00+02:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        (" 2026-03-01T12:00:00.5Z ", datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)),
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("0001-01-01T00:00:00-01:00", datetime(1, 1, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_normalises_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_instant(text, "at")
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("text", [*EDGES, *NOT_INSTANTS])
def test_unusable_instants_raise_one_typed_error_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInstant) as raised:
        parse_instant(text, "removesAt")
    assert raised.value.field == "removesAt" and raised.value.details == {"field": "removesAt"}
    assert try_instant(text) is None


@pytest.mark.parametrize("value", [None, 20260301, 1.5, True, ["2026-03-01"]])
def test_only_strings_are_instants(value: Any) -> None:
    with pytest.raises(InvalidInstant):
        parse_instant(value, "at")


def test_a_zone_can_be_required() -> None:
    with pytest.raises(InvalidInstant, match="no time zone"):
        parse_instant("2026-03-01T00:00:00", "startsAt", zone_required=True)
    assert try_instant("2026-03-01T00:00:00Z", zone_required=True) is not None


def test_one_canonical_text() -> None:
    assert format_instant(datetime(2026, 3, 1, 14, tzinfo=UTC)) == "2026-03-01T14:00:00Z"
    assert format_instant(datetime(2026, 3, 1, 14)) == "2026-03-01T14:00:00Z"
    assert format_instant(parse_instant("2026-03-01T14:00:00+02:00", "at")) == (
        "2026-03-01T12:00:00Z"
    )


@pytest.mark.parametrize("text", EDGES)
def test_every_reader_of_instants_refuses_the_edges(text: str) -> None:
    with pytest.raises(InvalidUsage) as raised:
        parse_at(text)
    assert raised.value.field == "at"
    with pytest.raises(InvalidSettings, match="now"):
        Settings.load(now=text)
    assert lifecycle_instant(text) is None


# -- record dates at the edges of the calendar -----------------------------------------


def _deprecated(model_id: str, removes_at: str) -> dict[str, Any]:
    record = text_model(model_id)
    deprecation = {"removesAt": removes_at, "date": removes_at, "autoRemap": False}
    record["model_spec"]["deprecation"] = deprecation
    return record


@pytest.mark.parametrize("removes_at", [*EDGES, "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_edge_dates_in_records_build_a_servable_snapshot(removes_at: str) -> None:
    body = orjson.dumps(dump(_deprecated("edge", removes_at), text_model("plain")))
    checked = check_catalog(read_document_bytes(body, "dump.json"), Mode.COMPATIBLE)
    snapshot = CatalogSnapshot.from_checked(checked)
    for at in (datetime(1, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)):
        views = ViewSet(SnapshotLifecycles(snapshot), at)
        listed = {m.id for m in views.listed(Audience.ANONYMOUS)}
        assert "plain" in listed


@pytest.mark.parametrize("removes_at", EDGES)
def test_strict_validation_reports_an_edge_date(removes_at: str) -> None:
    body = orjson.dumps(dump(_deprecated("edge", removes_at)))
    checked = check_catalog(read_document_bytes(body, "dump.json"), Mode.STRICT)
    assert {f.rule for f in checked.errors} == {"deprecation-dates"}


# -- over HTTP ---------------------------------------------------------------------------


@pytest.mark.parametrize("at", [*EDGES, "yesterday"])
@pytest.mark.parametrize("path", ["/api/v1/models", f"/api/v1/models/{MODEL}"])
def test_at_on_reads_is_a_400_naming_at(served: StoreServer, path: str, at: str) -> None:
    # The same error as a quote's ?at= (below): one parser, one error, on every route.
    response = served.client.get(path, params={"at": at})
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"field": "at"}


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59Z", "9999-12-31T22:59:59-01:00"])
def test_the_last_representable_instant_is_served(served: StoreServer, at: str) -> None:
    response = served.client.get("/api/v1/models", params={"at": at})
    assert response.status_code == 200, response.text


def test_an_instant_before_the_first_version_is_a_404(served: StoreServer) -> None:
    response = served.client.get("/api/v1/models", params={"at": "0001-01-01T01:00:00+01:00"})
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("at", EDGES)
def test_at_on_quotes_is_a_400_naming_at(served: StoreServer, at: str) -> None:
    response = served.client.post(
        f"/api/v1/models/{MODEL}/quote", params={"at": at}, json={"input_tokens": 1000}
    )
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"field": "at"}


@pytest.mark.parametrize("field", ["removesAt", "startsAt"])
@pytest.mark.parametrize("value", [*EDGES, "soon", 1767225600, True])
def test_retire_instants_are_a_400_naming_the_field(
    served: StoreServer, field: str, value: Any
) -> None:
    body = {"removesAt": "2030-01-01T00:00:00Z", field: value}
    with served.unchanged():
        response = served.send("POST", f"/admin/v1/models/{MODEL}/retire", body)
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"field": field}


def test_a_retire_writes_the_canonical_form(served: StoreServer) -> None:
    created = served.send("POST", "/admin/v1/models", text_model("retiring-soon"))
    assert created.status_code == 201, created.text
    body = {"removesAt": "2030-01-01T02:00:00+02:00", "startsAt": "2029-12-01"}
    response = served.send("POST", "/admin/v1/models/retiring-soon/retire", body)
    assert response.status_code == 200, response.text
    stored = served.send("GET", "/admin/v1/models/retiring-soon").json()
    deprecation = stored["model_spec"]["deprecation"]
    assert deprecation["removesAt"] == deprecation["date"] == "2030-01-01T00:00:00Z"
    assert deprecation["startsAt"] == "2029-12-01T00:00:00Z"


@pytest.mark.parametrize("removes_at", EDGES)
def test_a_record_with_an_edge_date_is_refused_not_crashed(
    served: StoreServer, removes_at: str
) -> None:
    with served.unchanged():
        response = served.send("POST", "/admin/v1/models", _deprecated("edgy", removes_at))
    assert response.status_code == 422, response.text
    rules = {f["rule"] for f in response.json()["details"]["findings"]}
    assert rules == {"deprecation-dates"}


def test_a_served_dump_with_edge_dates_answers_reads(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    dates = [*EDGES, "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z"]
    records = [_deprecated(f"edge-{i}", at) for i, at in enumerate(dates)]
    path.write_bytes(orjson.dumps(dump(*records, text_model("plain"))))
    with store_server(tmp_path, "--catalog", str(path)) as served:
        for query in ("", "?at=2026-01-01T00:00:00Z", "?at=9999-12-31T23:59:59.999999Z"):
            response = served.client.get("/api/v1/models" + query)
            assert response.status_code == 200, response.text
            assert "plain" in {m["id"] for m in response.json()["data"]}
        # Unreadable dates are treated as absent (validation warned about them).
        for model_id in ("edge-0", "edge-1"):
            assert served.client.get(f"/api/v1/models/{model_id}").status_code == 200
        last = served.client.get("/api/v1/models/edge-2")
        assert last.status_code == 200, last.text
        assert served.client.get("/api/v1/models/edge-3").status_code == 410


# -- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize("at", EDGES)
def test_the_cli_refuses_edge_instants_with_a_message(at: str) -> None:
    quoted = CliRunner().invoke(app, ["quote", MODEL, "--input-tokens", "10", "--at", at])
    assert quoted.exit_code == 2 and "--at" in quoted.output, quoted.output
    served = run_cli("serve", "--now", at, "--port", "1")
    assert served.returncode == 2 and "now" in served.stderr, served.stderr


def test_serve_now_reads_offsets_and_dates() -> None:
    assert Settings.load(now="2026-03-01T02:00:00+02:00").now == datetime(2026, 3, 1, tzinfo=UTC)
    assert Settings.load(now="2026-03-01").now == datetime(2026, 3, 1, tzinfo=UTC)
