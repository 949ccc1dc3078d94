"""One sync at a time: a second sync while one runs reports the lock held and does nothing.
On PostgreSQL the lock is an advisory lock (replicas share it), on SQLite a file lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from modelcatalog.errors import SyncLocked
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.sync import SyncReport, run_sync
from modelcatalog.sync.schedule import SyncSchedule
from tests.sync.conftest import Upstream, sync_settings

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def test_two_syncs_at_once_one_runs_the_other_reports_the_lock_held(
    store: Store, upstream: Upstream
) -> None:
    upstream.stall = threading.Event()
    settings = sync_settings(upstream.url).model_copy(update={"timeout": 20.0})
    results: list[SyncReport] = []
    first = threading.Thread(target=lambda: results.append(run_sync(store, settings, now=NOW)))
    first.start()
    try:
        while upstream.requests == 0:  # the first sync holds the lock and waits on upstream
            first.join(0.01)
        # A second store object, as another replica or CLI would open.
        with Store.open(database_url=store.url) as other, pytest.raises(SyncLocked):
            run_sync(other, settings, now=NOW)
    finally:
        upstream.stall.set()
        first.join()
    assert results[0].sources[0].status == "applied"
    assert upstream.requests == 1, "the locked-out sync fetched nothing"
    assert store.head() == 1
    # Released: the next sync runs.
    assert run_sync(store, settings, now=NOW).sources[0].status == "unchanged"


def test_the_schedule_skips_a_source_another_replica_synced_this_round(
    store: Store, upstream: Upstream
) -> None:
    settings = Settings(sync=sync_settings(upstream.url).model_copy(update={"interval": 3600}))
    commits: list[int] = []
    first = SyncSchedule(store, settings, lambda: commits.append(store.head()))
    first.run_once()
    assert commits == [1] and upstream.requests == 1
    with Store.open(database_url=store.url) as other:
        second = SyncSchedule(other, settings, lambda: commits.append(other.head()))
        second.run_once()
    assert upstream.requests == 1, "synced within the last half interval: skipped"
    assert second.runs == 1 and second.last_report is None


def test_the_schedule_is_off_without_sources_or_with_interval_zero(
    store: Store, upstream: Upstream
) -> None:
    assert not SyncSchedule(store, Settings(), lambda: None).enabled
    zero = sync_settings(upstream.url).model_copy(update={"interval": 0})
    assert not SyncSchedule(store, Settings(sync=zero), lambda: None).enabled
