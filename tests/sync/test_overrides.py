"""An operator's hand edits survive syncs; upstream changes under them are flagged, can be
acknowledged, and a field can be given back to upstream."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from modelcatalog.store import Store
from modelcatalog.sync import run_sync
from tests.sync.conftest import Admin, Upstream, sync_settings

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 9, 1, tzinfo=UTC)
INPUT = "model_spec.pricing.input.usd"


def _record(store: Store, model_id: str) -> dict[str, Any]:
    found = store.document()[1].model(model_id)
    assert found is not None
    return found


def _pricing(store: Store, model_id: str) -> tuple[float, float]:
    pricing = _record(store, model_id)["model_spec"]["pricing"]
    return pricing["input"]["usd"], pricing["output"]["usd"]


async def test_hand_edits_survive_two_syncs_and_upstream_changes_are_flagged(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    patch = {"model_spec": {"pricing": {"input": {"usd": 7.5}}, "name": "Ours"}}
    done = await admin.client.patch("/admin/v1/models/model-1", json=patch, headers=admin.headers)
    assert done.status_code == 200, done.text

    spec = upstream.model("model-1")["model_spec"]
    spec["pricing"]["input"]["usd"], spec["pricing"]["output"]["usd"] = 2.2, 1.75
    (first,) = run_sync(store, settings, now=NOW).sources
    assert first.status == "applied", first.message
    assert _pricing(store, "model-1") == (7.5, 1.75)  # ours kept, the rest follows upstream
    assert _record(store, "model-1")["model_spec"]["name"] == "Ours"
    assert first.flags == (f"upstream changed: {INPUT} 2.0 → 2.2",)

    spec["pricing"]["input"]["usd"] = 2.4
    spec["description"] = "upstream's description"
    (second,) = run_sync(store, settings, now=NOW).sources
    assert _pricing(store, "model-1") == (7.5, 1.75)
    assert _record(store, "model-1")["model_spec"]["name"] == "Ours"
    assert _record(store, "model-1")["model_spec"]["description"] == "upstream's description"
    # The flag keeps the value upstream moved away from until someone looks at it.
    assert second.flags == (f"upstream changed: {INPUT} 2.0 → 2.4",)

    flags = (await admin.client.get("/admin/v1/sync/flags", headers=admin.headers)).json()
    assert [(f["model"], f["path"], f["old"], f["new"]) for f in flags["data"]] == [
        ("model-1", INPUT, 2.0, 2.4)
    ]
    assert flags["data"][0]["message"] == f"upstream changed: {INPUT} 2.0 → 2.4"
    shown = await admin.client.get("/admin/v1/models/model-1", headers=admin.headers)
    assert shown.headers["x-catalog-upstream-changed"] == INPUT
    assert set(shown.headers["x-catalog-overrides"].split(", ")) == {INPUT, "model_spec.name"}


async def test_acknowledging_keeps_the_value_and_clearing_gives_it_back(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    patch = {"model_spec": {"pricing": {"input": {"usd": 7.5}}}}
    await admin.client.patch("/admin/v1/models/model-1", json=patch, headers=admin.headers)
    upstream.model("model-1")["model_spec"]["pricing"]["input"]["usd"] = 2.2
    run_sync(store, settings, now=NOW)

    params = {"model": "model-1", "path": INPUT}
    acked = await admin.client.delete("/admin/v1/sync/flags", params=params, headers=admin.headers)
    assert acked.json() == {"acknowledged": 1}
    assert (await admin.client.get("/admin/v1/sync/flags", headers=admin.headers)).json() == {
        "data": []
    }
    run_sync(store, settings, now=NOW)
    assert _pricing(store, "model-1")[0] == 7.5  # acknowledged, still ours, no new flag
    assert (await admin.client.get("/admin/v1/sync/flags", headers=admin.headers)).json() == {
        "data": []
    }

    cleared = await admin.client.delete(
        "/admin/v1/sync/overrides", params=params, headers=admin.headers
    )
    assert cleared.json() == {"cleared": 1}
    run_sync(store, settings, now=NOW)
    assert _pricing(store, "model-1")[0] == 2.2


async def test_a_model_deleted_by_hand_is_not_brought_back(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    done = await admin.client.delete("/admin/v1/models/model-3", headers=admin.headers)
    assert done.status_code == 200, done.text
    (again,) = run_sync(store, settings, now=NOW).sources
    assert again.skipped == {"model-3": "deleted by the operator"}
    assert store.document()[1].model("model-3") is None
    await admin.client.delete(
        "/admin/v1/sync/overrides", params={"model": "model-3"}, headers=admin.headers
    )
    run_sync(store, settings, now=NOW)
    assert store.document()[1].model("model-3") is not None


async def test_a_retirement_by_hand_is_kept_when_upstream_still_lists_the_model(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    body = {"removesAt": "2027-01-01T00:00:00Z"}
    done = await admin.client.post(
        "/admin/v1/models/model-2/retire", json=body, headers=admin.headers
    )
    assert done.status_code == 200, done.text
    run_sync(store, settings, now=NOW)
    deprecation = _record(store, "model-2")["model_spec"]["deprecation"]
    assert deprecation["removesAt"] == "2027-01-01T00:00:00Z"


async def test_imports_and_rollbacks_record_no_override(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    run_sync(store, sync_settings(upstream.url), now=NOW)
    done = await admin.client.post("/admin/v1/versions/1/rollback", headers=admin.headers)
    assert done.status_code == 200, done.text
    overrides = await admin.client.get("/admin/v1/sync/overrides", headers=admin.headers)
    assert overrides.json() == {"data": []}
