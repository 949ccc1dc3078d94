"""Nothing a client sends can grow the server: RSS over thousands of unique requests stays
within a few MiB of what as many identical requests cost (docs/performance.md, "Memory a
client can cost"; bench/bench_hostile.py prints the same figures).

Memory is not timing: the bounds are generous, and the caches these tests guard grew by tens
of MiB under the same load when they were keyed by raw request text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.hardening.conftest import StoreServer, rss_bytes

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024
#: Growth allowed beyond the baseline's: allocator noise, never a cache of request text.
SLACK = 6 * MIB

Request = tuple[str, dict[str, str]]


def _unique(index: int, length: int) -> str:
    tag = f"{index:08d}"
    return (tag * (length // len(tag) + 1))[:length]


def _growth(store: StoreServer, make: Callable[[int], Request], count: int) -> tuple[int, int]:
    """RSS growth over ``count`` identical requests, then over ``count`` unique ones."""
    server = store.server
    with httpx.Client(base_url=server.url, timeout=60) as client:

        def send(index: int) -> None:
            path, headers = make(index)
            answer = client.get(path, headers=headers)
            assert answer.status_code < 500, answer.text

        start = rss_bytes(server)
        for _ in range(count):
            send(0)
        repeated = rss_bytes(server)
        for index in range(1, count + 1):
            send(index)
        unique = rss_bytes(server)
    assert server.process.poll() is None
    return repeated - start, unique - repeated


def test_unique_long_query_strings_do_not_grow_the_server(store_server: StoreServer) -> None:
    baseline, unique = _growth(
        store_server, lambda i: (f"/api/v1/models?type=text&pad={_unique(i, 7600)}", {}), 4000
    )
    assert unique < baseline + SLACK, (baseline / MIB, unique / MIB)


def test_unique_accept_encoding_values_do_not_grow_the_server(store_server: StoreServer) -> None:
    def make(index: int) -> Request:
        return "/api/v1/models/traits", {"accept-encoding": f"gzip, x-{_unique(index, 15000)}"}

    baseline, unique = _growth(store_server, make, 2000)
    assert unique < baseline + SLACK, (baseline / MIB, unique / MIB)


def test_unique_at_instants_do_not_grow_the_server(store_server: StoreServer) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)

    def make(index: int) -> Request:
        # Alternating past (the store's history) and future (the lifecycle clock).
        instant = start + timedelta(days=600 if index % 2 else -300, seconds=index)
        return f"/api/v1/models?at={instant.strftime('%Y-%m-%dT%H:%M:%SZ')}", {}

    baseline, unique = _growth(store_server, make, 400)
    assert unique < baseline + SLACK, (baseline / MIB, unique / MIB)
