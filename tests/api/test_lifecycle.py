"""Lifecycle: deprecation warnings, removal at the instant, 410s, views rebuilt on time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from modelcatalog.api import CatalogState
from modelcatalog.catalog.lifecycle import (
    Lifecycle,
    Window,
    frozen_clock,
    lifecycle_of,
    next_boundary,
    parse_instant,
)
from modelcatalog.catalog.views import Audience, ViewSet
from tests.api.catalogs import (
    DEPRECATED,
    EARLY,
    REMOVED,
    REMOVES,
    RETIRING,
    SUCCESSOR,
    records,
    snapshot_of,
    write_dump,
)
from tests.api.conftest import MovableClock

pytestmark = pytest.mark.anyio


def text_ids(body: dict[str, list[dict[str, str]]]) -> list[str]:
    return [m["id"] for m in body["data"]]


def test_parse_instant_reads_iso_instants_and_dates() -> None:
    assert parse_instant("2027-02-01T00:00:00.000Z") == datetime(2027, 2, 1, tzinfo=UTC)
    assert parse_instant("2027-02-01") == datetime(2027, 2, 1, tzinfo=UTC)
    assert parse_instant("2027-02-01T01:00:00+01:00") == datetime(2027, 2, 1, tzinfo=UTC)
    assert parse_instant("not a date") is None
    assert parse_instant(None) is None


def test_legacy_date_removes_only_when_removes_at_is_absent(tmp_path: Path) -> None:
    legacy = records()[SUCCESSOR]
    legacy["model_spec"]["deprecation"] = {"date": "2026-03-29T00:00:00.000Z"}
    both = records()[RETIRING]
    both["model_spec"]["deprecation"]["date"] = "2020-01-01T00:00:00.000Z"
    snapshot = snapshot_of(write_dump(tmp_path / "dump.json", [legacy, both]))
    by_id = {m.id: lifecycle_of(m) for m in snapshot.models}
    assert by_id[SUCCESSOR].removed_from == datetime(2026, 3, 29, tzinfo=UTC)
    assert by_id[SUCCESSOR].is_deprecated(datetime(2026, 3, 1, tzinfo=UTC))
    assert by_id[SUCCESSOR].is_removed(datetime(2026, 3, 29, tzinfo=UTC))
    assert by_id[RETIRING].removed_from == parse_instant(REMOVES)


def test_deprecated_from_starts_at_until_removal() -> None:
    lifecycle = Lifecycle(EARLY + timedelta(days=14), REMOVED, REMOVES, SUCCESSOR, True)
    assert not lifecycle.is_deprecated(EARLY)
    assert lifecycle.is_deprecated(DEPRECATED)
    assert not lifecycle.is_deprecated(REMOVED) and lifecycle.is_removed(REMOVED)
    assert not lifecycle.is_removed(REMOVED - timedelta(microseconds=1))


def test_next_boundary_and_window(catalog_dir: Path) -> None:
    views = ViewSet(CatalogState(snapshot_of(catalog_dir)).views().lifecycles, DEPRECATED)
    lifecycles = views.lifecycles.by_id.values()
    assert next_boundary(lifecycles, EARLY) == parse_instant("2026-11-15T00:00:00Z")
    assert next_boundary(lifecycles, DEPRECATED) == REMOVED
    assert next_boundary(lifecycles, REMOVED) is None
    assert views.window == Window(parse_instant("2026-11-15T00:00:00Z"), REMOVED)


async def test_listing_changes_at_the_removal_instant_without_restart(
    client: httpx.AsyncClient, clock: MovableClock
) -> None:
    before = await client.get("/api/v1/models")
    assert RETIRING in text_ids(before.json())
    clock.at = REMOVED - timedelta(microseconds=1)
    assert (await client.get("/api/v1/models")).content == before.content
    clock.at = REMOVED
    after = await client.get("/api/v1/models")
    assert RETIRING not in text_ids(after.json())
    assert after.headers["etag"] != before.headers["etag"]
    revalidated = await client.get(
        "/api/v1/models", headers={"If-None-Match": before.headers["etag"]}
    )
    assert revalidated.status_code == 200


async def test_removed_models_are_not_trait_or_alias_targets(
    client: httpx.AsyncClient, clock: MovableClock
) -> None:
    traits = (await client.get("/api/v1/models/traits")).json()["data"]
    aliases = (await client.get("/api/v1/models/compatibility_mapping")).json()["data"]
    assert traits["most_uncensored"] == RETIRING
    assert aliases["gpt-3.5-turbo"] == RETIRING
    clock.at = REMOVED
    assert "most_uncensored" not in (await client.get("/api/v1/models/traits")).json()["data"]
    assert (
        "gpt-3.5-turbo"
        not in (await client.get("/api/v1/models/compatibility_mapping")).json()["data"]
    )


async def test_deprecated_model_carries_warning_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v1/models/{RETIRING}")
    assert response.status_code == 200
    assert response.headers["x-venice-model-deprecation-date"] == REMOVES
    warning = response.headers["x-venice-model-deprecation-warning"]
    assert RETIRING in warning and SUCCESSOR in warning and REMOVES in warning


async def test_no_warning_before_deprecation_starts(
    client: httpx.AsyncClient, clock: MovableClock
) -> None:
    clock.at = EARLY
    response = await client.get(f"/api/v1/models/{RETIRING}")
    assert response.status_code == 200
    assert "x-venice-model-deprecation-date" not in response.headers
    assert "x-venice-model-deprecation-warning" not in response.headers


async def test_removed_model_is_gone_with_its_replacement(
    client: httpx.AsyncClient, clock: MovableClock
) -> None:
    clock.at = REMOVED + timedelta(days=3)
    response = await client.get(f"/api/v1/models/{RETIRING}")
    assert response.status_code == 410
    body = response.json()
    assert RETIRING in body["error"]
    assert body["details"] == {
        "id": RETIRING,
        "removedAt": REMOVES,
        "replacementModelId": SUCCESSOR,
    }


def test_frozen_clock_reads_naive_as_utc() -> None:
    assert frozen_clock(datetime(2026, 1, 1))() == datetime(2026, 1, 1, tzinfo=UTC)


def test_views_are_built_once_per_window(catalog_dir: Path) -> None:
    clock = MovableClock(DEPRECATED)
    state = CatalogState(snapshot_of(catalog_dir), clock)
    first = state.views()
    listing = first.listing(Audience.ANONYMOUS, "text")
    clock.at = DEPRECATED + timedelta(days=10)
    assert state.views() is first
    assert first.listing(Audience.ANONYMOUS, "text") is listing
    clock.at = REMOVED
    assert state.views() is not first
