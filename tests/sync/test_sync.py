"""Syncs against a real upstream on the loopback, on SQLite and PostgreSQL: what is applied,
what is refused (nothing written), what is held for an admin."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from modelcatalog.errors import SourceError, UpstreamRefused, UpstreamUnavailable
from modelcatalog.store import Store
from modelcatalog.sync import run_sync
from modelcatalog.sync.changesets import change_sets
from tests.e2e.conftest import free_port
from tests.store.factory import text_model
from tests.sync.conftest import Upstream, sync_settings

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _ids(store: Store) -> list[str]:
    return [str(r["id"]) for r in store.document()[1].models]


def _price(store: Store, model_id: str) -> float:
    record = store.document()[1].model(model_id)
    assert record is not None
    return float(record["model_spec"]["pricing"]["input"]["usd"])


def test_a_first_sync_adds_every_model_as_one_version_naming_the_source(
    store: Store, upstream: Upstream
) -> None:
    report = run_sync(store, sync_settings(upstream.url), now=NOW)
    (done,) = report.sources
    assert (done.status, done.added, done.version) == ("applied", 6, 1), done.message
    info = store.version(1)
    assert info.author == "sync" and info.message.startswith("sync upstream: 6 added")
    assert _ids(store) == [f"model-{i}" for i in range(6)]


def test_a_second_sync_without_upstream_change_writes_nothing(
    store: Store, upstream: Upstream
) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    (again,) = run_sync(store, settings, now=NOW).sources
    assert again.status == "unchanged" and store.head() == 1


def test_upstream_changes_are_applied_and_a_dropped_model_is_deprecated_not_deleted(
    store: Store, upstream: Upstream
) -> None:
    settings = sync_settings(upstream.url, grace_days=14)
    run_sync(store, settings, now=NOW)
    upstream.model("model-1")["model_spec"]["pricing"]["input"]["usd"] = 2.5
    upstream.models.append(text_model("model-new"))
    upstream.models = [m for m in upstream.models if m["id"] != "model-5"]
    (done,) = run_sync(store, settings, now=NOW).sources
    assert (done.status, done.added, done.deprecated) == ("applied", 1, 1), done.message
    assert _price(store, "model-1") == 2.5
    assert "model-5" in _ids(store)
    retired = store.document()[1].model("model-5")
    assert retired is not None
    deprecation = retired["model_spec"]["deprecation"]
    assert deprecation["removesAt"] == "2026-09-15T00:00:00Z"
    assert deprecation["startsAt"] == "2026-09-01T00:00:00Z"
    # Still listed until its removal instant, then 410: the lifecycle takes it from here.
    assert store.snapshot().by_id["model-5"].id == "model-5"
    # Upstream listing it again takes the sync's deprecation away.
    upstream.models.append(text_model("model-5", usd_in=6.0))
    (back,) = run_sync(store, settings, now=NOW + timedelta(days=1)).sources
    restored = store.document()[1].model("model-5")
    assert back.status == "applied" and restored is not None
    assert "deprecation" not in restored["model_spec"]


def test_models_the_source_never_supplied_are_left_alone(store: Store, upstream: Upstream) -> None:
    store.commit(lambda d: d.with_model(text_model("hand-made")), author="op", message="mine")
    (done,) = run_sync(store, sync_settings(upstream.url), now=NOW).sources
    assert done.status == "applied" and done.deprecated == 0
    hand_made = store.document()[1].model("hand-made")
    assert hand_made == text_model("hand-made")


@pytest.mark.parametrize("status", [500, 503, 404])
def test_an_upstream_error_writes_nothing(store: Store, upstream: Upstream, status: int) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    upstream.status = status
    upstream.models[0]["model_spec"]["pricing"]["input"]["usd"] = 9.0
    (failed,) = run_sync(store, settings, now=NOW).sources
    assert failed.status == "failed" and isinstance(failed.error, UpstreamUnavailable)
    assert f"HTTP {status}" in failed.message and store.head() == 1


def test_a_refused_connection_writes_nothing(store: Store) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v1/models"
    (failed,) = run_sync(store, sync_settings(url), now=NOW).sources
    assert isinstance(failed.error, UpstreamUnavailable), failed.message
    assert store.head() == 0


def test_an_upstream_that_does_not_answer_in_time_writes_nothing(
    store: Store, upstream: Upstream
) -> None:
    upstream.stall = threading.Event()
    settings = sync_settings(upstream.url).model_copy(update={"timeout": 0.3})
    (failed,) = run_sync(store, settings, now=NOW).sources
    assert isinstance(failed.error, UpstreamUnavailable)
    assert "no answer within 0.3 seconds" in failed.message
    assert store.head() == 0


def test_an_empty_upstream_writes_nothing(store: Store, upstream: Upstream) -> None:
    settings = sync_settings(upstream.url)
    run_sync(store, settings, now=NOW)
    upstream.models = []
    (failed,) = run_sync(store, settings, now=NOW).sources
    assert isinstance(failed.error, UpstreamRefused), failed.message
    assert "gave 0 models" in failed.message and store.head() == 1
    assert not any("deprecation" in r["model_spec"] for r in store.document()[1].models)


def test_far_fewer_models_than_before_writes_nothing(store: Store, upstream: Upstream) -> None:
    settings = sync_settings(upstream.url, min_share=0.5, max_removals=100)
    run_sync(store, settings, now=NOW)
    upstream.models = upstream.models[:2]
    (failed,) = run_sync(store, settings, now=NOW).sources
    assert isinstance(failed.error, UpstreamRefused)
    assert "gave 2 models where it gave 6 before" in failed.message and store.head() == 1


def test_a_body_that_is_not_a_listing_writes_nothing(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "broken.json"
    path.write_bytes(b"{not json")
    (failed,) = run_sync(store, sync_settings(str(path)), now=NOW).sources
    assert failed.status == "failed" and isinstance(failed.error, SourceError | UpstreamRefused)
    assert store.head() == 0


def test_a_price_jump_is_held_and_nothing_is_written(store: Store, upstream: Upstream) -> None:
    settings = sync_settings(upstream.url, max_price_factor=10)
    run_sync(store, settings, now=NOW)
    upstream.model("model-2")["model_spec"]["pricing"]["input"]["usd"] = 31.0  # 3 -> 31
    upstream.model("model-3")["model_spec"]["pricing"]["output"]["usd"] = 0  # crosses zero
    upstream.model("model-4")["model_spec"]["pricing"]["input"]["usd"] = 6.0  # small move
    (held,) = run_sync(store, settings, now=NOW).sources
    assert held.status == "held" and held.change_set is not None, held.message
    assert any("model-2 model_spec.pricing.input.usd: price 3.0 → 31.0" in r for r in held.held)
    assert any("model-3" in r and "crosses zero" in r for r in held.held)
    assert not any("model-4" in r for r in held.held)
    assert store.head() == 1 and _price(store, "model-2") == 3.0
    (pending,) = change_sets(store)
    assert pending.id == held.change_set and pending.base_version == 1
    # The same upstream again is the same change set, not a second one.
    (again,) = run_sync(store, settings, now=NOW).sources
    assert again.change_set == held.change_set and len(change_sets(store)) == 1


def test_removing_more_than_max_removals_is_held(store: Store, upstream: Upstream) -> None:
    settings = sync_settings(upstream.url, max_removals=1, min_share=0)
    run_sync(store, settings, now=NOW)
    upstream.models = upstream.models[:3]
    (held,) = run_sync(store, settings, now=NOW).sources
    assert held.status == "held" and held.deprecated == 3
    assert "3 models would be deprecated, more than max_removals (1)" in held.held[0]
    assert store.head() == 1


def test_a_dry_run_reports_the_diff_and_writes_nothing(store: Store, upstream: Upstream) -> None:
    (planned,) = run_sync(store, sync_settings(upstream.url), dry_run=True, now=NOW).sources
    assert planned.status == "planned" and planned.added == 6
    assert planned.diff is not None and len(planned.diff["added"]) == 6
    assert store.head() == 0 and change_sets(store) == []
