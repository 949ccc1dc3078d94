"""Request and catalog metrics, collected for Prometheus's ``/metrics``.

:class:`Observer` wraps the raw read path and the framework alike (the latter through
:class:`ObserveMiddleware`), so every request is counted by route and status and timed;
route labels come from :mod:`modelcatalog.api.labels`. Each service has its own registry.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelcatalog.api.labels import DIRECT_LABELS, READ_LABELS, route_label
from modelcatalog.api.logs import AccessLog
from modelcatalog.api.reads import ReadRoutes
from modelcatalog.api.state import CatalogState
from modelcatalog.store.follow import FollowerStatus

__all__ = ["ObserveMiddleware", "Observer", "RequestStats"]

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class RequestStats(Collector):
    """Request counts by route and status and a latency histogram by route.

    Requests are recorded into plain dicts and turned into Prometheus metrics only when
    ``/metrics`` is scraped. prometheus_client's labelled ``Counter`` and ``Histogram`` take a
    lock and look up a child on every call, which cost about a quarter of the 304 rate on the
    read path; every request is recorded on the event loop's thread, so no lock is needed.

    Reads and quotes answered from the HTTP parser (api/direct.py) cost a few microseconds
    each, so they are recorded apart (:meth:`record_direct`: one lookup and three additions)
    and folded into the request counts and latencies at scrape time.
    """

    def __init__(self, buckets: tuple[float, ...] = _LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts: dict[tuple[str, int], int] = {}
        #: route -> per-bucket counts (the last one is +Inf), then the sum of durations.
        self.latency: dict[str, list[float]] = {}
        #: (ReadRoutes route or "quote", status) -> count, per-bucket counts, sum of durations.
        self._direct: dict[tuple[str, int], list[float]] = {}

    def record(self, route: str, status: int, elapsed: float) -> None:
        key = (route, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        histogram = self.latency.get(route)
        if histogram is None:
            histogram = self.latency[route] = [0.0] * (len(self.buckets) + 2)
        histogram[bisect_left(self.buckets, elapsed)] += 1
        histogram[-1] += elapsed

    def record_direct(self, route: str, status: int, elapsed: float) -> None:
        """Count a request answered from the parser: a read of ``route`` (a ReadRoutes route
        name) or a quote (``route`` is ``"quote"``)."""
        found = self._direct.get((route, status))
        if found is None:
            found = self._direct[route, status] = [0.0] * (len(self.buckets) + 3)
        found[0] += 1
        found[1 + bisect_left(self.buckets, elapsed)] += 1
        found[-1] += elapsed

    @property
    def direct(self) -> dict[str, int]:
        """Route label -> reads answered from the HTTP parser, a subset of the counts."""
        direct: dict[str, int] = {}
        for (route, _), found in self._direct.items():
            label = DIRECT_LABELS[route]
            direct[label] = direct.get(label, 0) + int(found[0])
        return direct

    def collect(self) -> Iterator[Metric]:
        counts, latency = self._with_direct()
        requests = CounterMetricFamily(
            "modelcatalog_requests",
            "HTTP requests by route and status.",
            labels=["route", "status"],
        )
        for (route, status), count in sorted(counts.items()):
            requests.add_metric([route, str(status)], count)
        yield requests
        durations = HistogramMetricFamily(
            "modelcatalog_request_duration_seconds", "Time to answer a request.", labels=["route"]
        )
        for route, histogram in sorted(latency.items()):
            durations.add_metric([route], self._cumulative(histogram), sum_value=histogram[-1])
        yield durations
        direct = CounterMetricFamily(
            "modelcatalog_direct_reads",
            "Reads and quotes answered from the HTTP parser (the fast path), by route.",
            labels=["route"],
        )
        for route, count in sorted(self.direct.items()):
            direct.add_metric([route], count)
        yield direct

    def _with_direct(self) -> tuple[dict[tuple[str, int], int], dict[str, list[float]]]:
        """The request counts and latencies with the direct reads folded in (copies)."""
        counts = dict(self.counts)
        latency = {route: list(histogram) for route, histogram in self.latency.items()}
        for (route, status), found in list(self._direct.items()):
            label = DIRECT_LABELS[route]
            counts[label, status] = counts.get((label, status), 0) + int(found[0])
            histogram = latency.setdefault(label, [0.0] * (len(self.buckets) + 2))
            for i, count in enumerate(found[1:]):
                histogram[i] += count
        return counts, latency

    def _cumulative(self, histogram: list[float]) -> list[tuple[str, float]]:
        bounds = [*(str(float(b)) for b in self.buckets), "+Inf"]  # "1.0", as Prometheus writes it
        running, buckets = 0.0, []
        for bound, count in zip(bounds, histogram[:-1], strict=True):
            running += count
            buckets.append((bound, running))
        return buckets


class Observer:
    """Request metrics, catalog metrics and the access log of one service."""

    def __init__(
        self, state: CatalogState, status: FollowerStatus | None, *, log_requests: bool
    ) -> None:
        self.state = state
        self.status = status
        self.registry = CollectorRegistry()
        self.stats = RequestStats()
        self.registry.register(self.stats)
        self._catalog_gauges()
        self._access_log = AccessLog() if log_requests else None

    def _catalog_gauges(self) -> None:
        gauges: list[tuple[str, str, Callable[[], float]]] = [
            (
                "modelcatalog_catalog_version",
                "Catalog version being served.",
                lambda: _numeric(self.state.snapshot.version),
            )
        ]
        status = self.status
        if status is not None:
            gauges += [
                ("modelcatalog_store_head_version", "Newest version in the store.",
                 lambda: status.head_version),
                ("modelcatalog_reloads_total", "Catalog versions loaded and swapped in.",
                 lambda: status.reloads),
                ("modelcatalog_reload_failures_total", "Versions that could not be loaded.",
                 lambda: status.reload_failures),
                ("modelcatalog_seconds_since_last_reload", "Age of the catalog being served.",
                 lambda: time.time() - status.last_reload_at),
                ("modelcatalog_store_reachable", "1 when the store answered the last check.",
                 lambda: float(status.store_reachable)),
            ]  # fmt: skip
        for name, description, read in gauges:
            Gauge(name, description, registry=self.registry).set_function(read)

    async def observe(
        self,
        scope: Scope,
        send: Send,
        handler: Callable[[Send], Awaitable[None]],
        label: str | None = None,
    ) -> None:
        """Count and time ``handler``; ``label`` is its route's, else the framework's route."""
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await handler(capture)
        finally:
            elapsed = time.perf_counter() - started
            label = route_label(scope) if label is None else label
            self.stats.record(label, status, elapsed)
            if self._access_log is not None:
                self._access_log.write(scope, label, status, elapsed, self.state.snapshot.version)

    async def observe_read(
        self, reads: ReadRoutes, scope: Scope, send: Send, route: str, model_id: str
    ) -> None:
        """Count and time a read of the raw read path (``route`` is a ReadRoutes route name)."""
        await self.observe(
            scope, send, lambda s: reads(scope, s, route, model_id), READ_LABELS[route]
        )

    def metrics_body(self) -> bytes:
        return generate_latest(self.registry)


class ObserveMiddleware:
    """Observes requests that reach Starlette; the raw read path observes its own."""

    def __init__(self, app: ASGIApp, observer: Observer) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.observer.observe(scope, send, lambda s: self.app(scope, receive, s))


def _numeric(version: str) -> float:
    try:
        return float(int(version))
    except ValueError:
        return -1.0  # a catalog read from files has a content hash, not a number
