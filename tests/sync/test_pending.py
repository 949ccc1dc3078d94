"""Held syncs are decided by an admin: approved on the version they were built on, rejected,
refused once decided or once the catalog has moved (409). Over the admin API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from modelcatalog.cli import app
from modelcatalog.store import Store
from modelcatalog.sync import run_sync
from modelcatalog.sync.changesets import change_sets
from tests.sync.conftest import Admin, Upstream, sync_settings

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _jump(store: Store, upstream: Upstream, usd: float = 40.0) -> int:
    upstream.model("model-2")["model_spec"]["pricing"]["input"]["usd"] = usd
    (held,) = run_sync(store, sync_settings(upstream.url), now=NOW).sources
    assert held.status == "held" and held.change_set is not None, held.message
    return held.change_set


def _input_usd(store: Store, model_id: str) -> Any:
    record = store.document()[1].model(model_id)
    assert record is not None
    return record["model_spec"]["pricing"]["input"]["usd"]


@pytest.mark.anyio
async def test_a_held_change_set_is_shown_and_approved_once(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    set_id = _jump(store, upstream)
    listed = await admin.client.get("/admin/v1/sync/pending", headers=admin.headers)
    assert [c["id"] for c in listed.json()["data"]] == [set_id]
    shown = (
        await admin.client.get(f"/admin/v1/sync/pending/{set_id}", headers=admin.headers)
    ).json()
    assert shown["status"] == "open" and shown["base_version"] == 1
    assert shown["diff"]["prices"] == [
        {"id": "model-2", "path": "model_spec.pricing.input.usd", "old": 3.0, "new": 40.0}
    ]
    assert "moves more than 10 times" in shown["reasons"][0]

    done = await admin.client.post(
        f"/admin/v1/sync/pending/{set_id}/approve", headers=admin.headers
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["version"]["version"] == 2 and body["version"]["author"] == "operator-7"
    assert body["version"]["message"] == f"sync upstream: change set {set_id} approved"
    assert body["change_set"]["status"] == "approved" and body["change_set"]["version"] == 2
    assert _input_usd(store, "model-2") == 40.0
    again = await admin.client.post(
        f"/admin/v1/sync/pending/{set_id}/approve", headers=admin.headers
    )
    assert again.status_code == 409 and "approved already" in again.json()["error"]
    # Approved, the jump is the catalog's now: the next sync has nothing to hold.
    (after,) = run_sync(store, sync_settings(upstream.url), now=NOW).sources
    assert after.status == "unchanged", after.message


@pytest.mark.anyio
async def test_a_stale_change_set_is_refused_then_rejected(
    store: Store, upstream: Upstream, admin: Admin
) -> None:
    set_id = _jump(store, upstream)
    patch = {"model_spec": {"description": "moved on"}}
    await admin.client.patch("/admin/v1/models/model-0", json=patch, headers=admin.headers)
    stale = await admin.client.post(
        f"/admin/v1/sync/pending/{set_id}/approve", headers=admin.headers
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["details"] == {"expected": 1, "current": 2}
    assert "reject it and run the sync again" in stale.json()["error"]
    assert _input_usd(store, "model-2") == 3.0

    rejected = await admin.client.post(
        f"/admin/v1/sync/pending/{set_id}/reject", headers=admin.headers
    )
    assert rejected.status_code == 200 and rejected.json()["change_set"]["status"] == "rejected"
    late = await admin.client.post(
        f"/admin/v1/sync/pending/{set_id}/approve", headers=admin.headers
    )
    assert late.status_code == 409
    assert store.head() == 2 and _input_usd(store, "model-2") == 3.0
    everything = await admin.client.get(
        "/admin/v1/sync/pending", params={"status": "all"}, headers=admin.headers
    )
    assert [c["status"] for c in everything.json()["data"]] == ["rejected"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/admin/v1/sync/pending?status=maybe", 400),
        ("GET", "/admin/v1/sync/pending?limit=0", 400),
        ("GET", "/admin/v1/sync/pending/99", 404),
        ("GET", "/admin/v1/sync/pending/x", 400),
        ("POST", "/admin/v1/sync/pending/99/approve", 404),
        ("POST", "/admin/v1/sync/pending/99999999999999999999999/reject", 400),
        ("DELETE", "/admin/v1/sync/overrides", 400),
        ("DELETE", "/admin/v1/sync/flags?model=", 400),
        ("GET", "/admin/v1/sync/flags?model=" + "x" * 200, 400),
    ],
)
async def test_malformed_sync_requests_are_4xx_with_the_error_envelope(
    admin: Admin, method: str, path: str, status: int
) -> None:
    response = await admin.client.request(method, path, headers=admin.headers)
    assert response.status_code == status, response.text
    assert set(response.json()) <= {"error", "details"} and response.json()["error"]


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def test_the_cli_lists_shows_approves_and_rejects(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = str(tmp_path / "data")
    settings = tmp_path / "settings.json"
    source = {"name": "upstream", "kind": "venice", "url": upstream.url}
    settings.write_bytes(orjson.dumps({"sync": {"sources": [source], "timeout": 2}}))
    monkeypatch.delenv("MODELCATALOG_SYNC", raising=False)
    base = ["--settings", str(settings), "--data-dir", data]
    first = _cli("sync", *base, "--json")
    assert first.exit_code == 0, first.output
    assert orjson.loads(first.stdout)["sources"][0]["status"] == "applied"

    upstream.model("model-2")["model_spec"]["pricing"]["input"]["usd"] = 40.0
    held = _cli("sync", *base)
    assert held.exit_code == 0, held.output
    assert "held for an admin as change set 1" in held.stdout
    listed = _cli("sync", "pending", "list", "--data-dir", data, "--json")
    assert [c["id"] for c in orjson.loads(listed.stdout)] == [1]
    shown = _cli("sync", "pending", "show", "1", "--data-dir", data)
    assert "model_spec.pricing.input.usd: 3.0 -> 40.0" in shown.stdout
    approved = _cli("sync", "pending", "approve", "1", "--author", "alice", "--data-dir", data)
    assert approved.exit_code == 0 and "version 2" in approved.stdout, approved.output
    twice = _cli("sync", "pending", "approve", "1", "--data-dir", data)
    assert twice.exit_code == 1 and "approved already" in twice.stderr

    upstream.model("model-3")["model_spec"]["pricing"]["input"]["usd"] = 400.0
    assert _cli("sync", *base).exit_code == 0
    rejected = _cli("sync", "pending", "reject", "2", "--data-dir", data, "--json")
    assert orjson.loads(rejected.stdout)["status"] == "rejected"
    with Store.open(data) as store:
        assert store.head() == 2 and change_sets(store) == []
        assert _input_usd(store, "model-3") == 4.0
