"""Real server processes on one store: convergence, concurrent writers, crashes, outages."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from modelcatalog.store import Store
from modelcatalog.store import keys as store_keys
from tests.store.factory import dump, text_model
from tests.store.servers import CLI, TcpProxy, run_cli, servers, wait_for


def _admin_key(**location: Any) -> str:
    with Store.open(**location) as store:
        return store_keys.create_key(store, f"admin-{time.monotonic_ns()}", admin=True)[1]


def _post_model(server: Any, key: str, model_id: str, if_match: int | None = None) -> Any:
    headers = {"authorization": f"Bearer {key}"}
    if if_match is not None:
        headers["if-match"] = f'"{if_match}"'
    return server.client.post(
        "/admin/v1/models", content=orjson.dumps(text_model(model_id)), headers=headers
    )


@pytest.mark.postgres
@pytest.mark.e2e
def test_three_replicas_converge_after_each_admin_write(pg_url: str, tmp_path: Path) -> None:
    key = _admin_key(database_url=pg_url)
    with servers(3, "--database", pg_url, log_dir=tmp_path) as replicas:
        times = []
        for index in range(50):
            writer = replicas[index % 3]
            response = _post_model(writer, key, f"conv-{index}")
            assert response.status_code == 201, response.text
            wanted = str(response.json()["version"]["version"])
            started = time.monotonic()
            for replica in replicas:
                wait_for(lambda r=replica, w=wanted: r.version() == w)
            times.append(time.monotonic() - started)
    times.sort()
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    # Recorded, not asserted (timing belongs to bench/bench_replicas.py); see with -s.
    print(
        f"convergence of 3 replicas over {len(times)} writes: "
        f"median {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )


@pytest.mark.postgres
@pytest.mark.e2e
def test_eight_concurrent_writers_with_if_match_lose_no_update(pg_url: str, tmp_path: Path) -> None:
    key = _admin_key(database_url=pg_url)
    with servers(2, "--database", pg_url, log_dir=tmp_path) as replicas:
        start = int(replicas[0].version())
        refused = []

        def writer(index: int) -> None:
            server = replicas[index % 2]
            while True:
                seen = int(
                    server.client.get(
                        "/admin/v1/versions?limit=1", headers={"authorization": f"Bearer {key}"}
                    )
                    .headers["etag"]
                    .strip('"')
                )
                response = _post_model(server, key, f"writer-{index}", if_match=seen)
                if response.status_code == 201:
                    return
                assert response.status_code == 412, response.text
                refused.append(index)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_for(lambda: all(r.version() == str(start + 8) for r in replicas))
        ids = {m["id"] for m in replicas[1].client.get("/api/v1/models").json()["data"]}
    assert {f"writer-{i}" for i in range(8)} <= ids


def _import_is_writing(pg_url: str) -> bool:
    base = pg_url.split("?", 1)[0]
    with psycopg.connect(base, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'modelcatalog-cli'"
            " AND backend_xid IS NOT NULL"
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.postgres
@pytest.mark.e2e
def test_kill_9_during_a_large_import_leaves_the_previous_version(
    pg_url: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(orjson.dumps(dump(*(text_model(f"bulk-{i:05d}") for i in range(6000)))))
    with servers(1, "--database", pg_url, log_dir=tmp_path) as (server,):
        before = server.version()
        listing = server.client.get("/api/v1/models").content
        process = subprocess.Popen(
            [*CLI, "import", str(big), "--force", "--database", pg_url, "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until the import's transaction has written rows, then kill it outright.
        while process.poll() is None and not _import_is_writing(pg_url):
            time.sleep(0.001)
        assert process.poll() is None, "the import finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(0.5)  # give the server a chance to (wrongly) pick anything up
        assert server.version() == before
        assert server.client.get("/api/v1/models").content == listing
    with Store.open(database_url=pg_url) as store:
        assert str(store.head()) == before
        assert len(store.snapshot().models) < 6000


@pytest.mark.postgres
@pytest.mark.e2e
def test_replicas_ride_out_a_database_outage_and_catch_up(pg_url: str, tmp_path: Path) -> None:
    base, _, query = pg_url.partition("?")
    port = int(base.rsplit(":", 1)[1].split("/", 1)[0])
    proxy = TcpProxy(port)
    proxy.start()
    proxied = base.replace(f":{port}/", f":{proxy.port}/") + "?" + query
    try:
        with servers(2, "--database", proxied, log_dir=tmp_path) as replicas:
            before = replicas[0].version()
            proxy.stop()
            for _ in range(20):
                for replica in replicas:
                    response = replica.client.get("/api/v1/models")
                    assert response.status_code == 200
                    assert response.headers["x-catalog-version"] == before
            wait_for(
                lambda: all(
                    r.client.get("/readyz").json()["store_reachable"] is False for r in replicas
                )
            )
            with Store.open(database_url=pg_url) as store:
                store.commit(
                    lambda d: d.with_model(text_model("while-down")),
                    author="test",
                    message="written while replicas are cut off",
                )
                wanted = str(store.head())
            assert all(r.version() == before for r in replicas)
            proxy.start()
            wait_for(lambda: all(r.version() == wanted for r in replicas), timeout=30)
            assert all(r.client.get("/readyz").json()["status"] == "ready" for r in replicas)
    finally:
        proxy.close()


@pytest.mark.postgres
@pytest.mark.e2e
def test_a_version_that_cannot_be_loaded_is_not_swapped_in(pg_url: str, tmp_path: Path) -> None:
    with servers(1, "--database", pg_url, log_dir=tmp_path) as (server,):
        before = server.version()
        with Store.open(database_url=pg_url) as store:
            # A writer that skipped validation (an older or broken release) stored this.
            broken = text_model("broken")
            broken["context_length"] = "lots"
            store.commit(
                lambda d: d.with_model(broken), author="rogue", message="bad", validated=True
            )
            bad = store.head()
        wait_for(lambda: server.client.get("/readyz").json()["failed_version"] == bad)
        ready = server.client.get("/readyz").json()
        assert ready["status"] == "degraded" and ready["loaded_version"] == int(before)
        assert server.version() == before
        metrics = server.client.get("/metrics").text
        assert "modelcatalog_reload_failures_total 1.0" in metrics
        assert f"modelcatalog_catalog_version {float(before)}" in metrics


@pytest.mark.e2e
def test_a_sqlite_replica_sees_a_version_written_by_another_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with servers(1, "--data-dir", str(data_dir), log_dir=tmp_path) as (server,):
        assert server.version() == "1"
        path = tmp_path / "next.json"
        path.write_bytes(orjson.dumps(dump(text_model("from-cli"))))
        done = run_cli("import", str(path), "--force", "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        wait_for(lambda: server.version() == "2")
        ids = {m["id"] for m in server.client.get("/api/v1/models").json()["data"]}
        assert ids == {"from-cli"}
        assert "modelcatalog_reloads_total 1.0" in server.client.get("/metrics").text
