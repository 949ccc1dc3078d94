"""What operators watch: ``/readyz``, Prometheus ``/metrics``, and one JSON log line per request.

:class:`Observer` wraps the raw read path and the Starlette app alike, so every request is
counted by route and status and timed; route labels are templates (``/api/v1/models/{id}``),
never raw paths, so the number of series stays bounded. Each app has its own registry.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelcatalog.api.listing import ListingRoutes
from modelcatalog.api.state import CatalogState
from modelcatalog.store.follow import FollowerStatus

__all__ = [
    "READ_LABELS",
    "ObserveMiddleware",
    "Observer",
    "RequestStats",
    "ops_routes",
    "route_label",
]

access_log = logging.getLogger("modelcatalog.access")

#: Metrics label of each raw read route (ListingRoutes route names).
READ_LABELS = {
    "listing": "/api/v1/models",
    "traits": "/api/v1/models/traits",
    "aliases": "/api/v1/models/compatibility_mapping",
    "model": "/api/v1/models/{id}",
    "resolve": "/api/v1/models/resolve",
}
_TEMPLATES = (
    ("/api/v1/models/", "/api/v1/models/{id}/"),
    ("/admin/v1/models/", "/admin/v1/models/{id}"),
    ("/admin/v1/aliases/", "/admin/v1/aliases/{type}"),
    ("/admin/v1/traits/", "/admin/v1/traits/{type}"),
    ("/admin/v1/versions/", "/admin/v1/versions/{a}/diff/{b}"),
)
_EXACT = frozenset(
    {
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/openapi.yaml",
        "/admin/v1/models",
        "/admin/v1/import",
        "/admin/v1/versions",
    }
)


def route_label(path: str) -> str:
    """A bounded label for ``path``: its route template, or ``other``."""
    matched = ListingRoutes.match(path)
    if matched is not None:
        return READ_LABELS[matched[0]]
    if path in _EXACT:
        return path
    for prefix, template in _TEMPLATES:
        if path.startswith(prefix):
            if template.endswith("/"):  # /api/v1/models/{id}/history, /quote, ...
                return template + path.rsplit("/", 1)[-1]
            if prefix == "/admin/v1/models/" and path.endswith("/retire"):
                return template + "/retire"
            return _admin_label(prefix, template, path)
    return "other"


def _admin_label(prefix: str, template: str, path: str) -> str:
    if prefix == "/admin/v1/versions/" and path.endswith("/rollback"):
        return "/admin/v1/versions/{n}/rollback"
    if prefix in {"/admin/v1/aliases/", "/admin/v1/traits/"} and "/" in path[len(prefix) :]:
        return template + "/{name}"
    return template


_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class RequestStats(Collector):
    """Request counts by route and status and a latency histogram by route.

    Requests are recorded into plain dicts and turned into Prometheus metrics only when
    ``/metrics`` is scraped. prometheus_client's labelled ``Counter`` and ``Histogram`` take a
    lock and look up a child on every call, which cost about a quarter of the 304 rate on the
    read path; every request is recorded on the event loop's thread, so no lock is needed.
    """

    def __init__(self, buckets: tuple[float, ...] = _LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts: dict[tuple[str, int], int] = {}
        #: route -> per-bucket counts (the last one is +Inf), then the sum of durations.
        self.latency: dict[str, list[float]] = {}
        #: route -> reads answered from the HTTP parser (api/direct.py), a subset of counts.
        self.direct: dict[str, int] = {}

    def record(self, route: str, status: int, elapsed: float) -> None:
        key = (route, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        histogram = self.latency.get(route)
        if histogram is None:
            histogram = self.latency[route] = [0.0] * (len(self.buckets) + 2)
        histogram[bisect_left(self.buckets, elapsed)] += 1
        histogram[-1] += elapsed

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "modelcatalog_requests",
            "HTTP requests by route and status.",
            labels=["route", "status"],
        )
        for (route, status), count in sorted(self.counts.items()):
            requests.add_metric([route, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "modelcatalog_request_duration_seconds", "Time to answer a request.", labels=["route"]
        )
        for route, histogram in sorted(self.latency.items()):
            latency.add_metric([route], self._cumulative(histogram), sum_value=histogram[-1])
        yield latency
        direct = CounterMetricFamily(
            "modelcatalog_direct_reads",
            "Reads answered from the HTTP parser (the fast path), by route.",
            labels=["route"],
        )
        for route, count in sorted(self.direct.items()):
            direct.add_metric([route], count)
        yield direct

    def _cumulative(self, histogram: list[float]) -> list[tuple[str, float]]:
        bounds = [*(str(float(b)) for b in self.buckets), "+Inf"]  # "1.0", as Prometheus writes it
        running, buckets = 0.0, []
        for bound, count in zip(bounds, histogram[:-1], strict=True):
            running += count
            buckets.append((bound, running))
        return buckets


class Observer:
    """Request metrics, catalog metrics and the access log of one app."""

    def __init__(
        self, state: CatalogState, status: FollowerStatus | None, *, log_requests: bool
    ) -> None:
        self.state = state
        self.status = status
        self.log_requests = log_requests
        self.registry = CollectorRegistry()
        self.stats = RequestStats()
        self.registry.register(self.stats)
        self._catalog_gauges()
        if log_requests:
            _json_lines(access_log)

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
        self, scope: Scope, send: Send, label: str, handler: Callable[[Send], Awaitable[None]]
    ) -> None:
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
            self.stats.record(label, status, elapsed)
            if self.log_requests:
                self._log(scope, label, status, elapsed)

    def _log(self, scope: Scope, label: str, status: int, elapsed: float) -> None:
        line = {
            "ts": round(time.time(), 3),
            "method": scope.get("method"),
            "path": scope.get("path"),
            "route": label,
            "status": status,
            "ms": round(elapsed * 1000, 3),
            "version": self.state.snapshot.version,
            "client": (scope.get("client") or ("", 0))[0],
        }
        access_log.info(orjson.dumps(line).decode())

    def record_read(self, route: str, status: int, elapsed: float) -> None:
        """Count a read of ``route`` (a ListingRoutes route name) answered from the parser."""
        label = READ_LABELS[route]
        self.stats.record(label, status, elapsed)
        self.stats.direct[label] = self.stats.direct.get(label, 0) + 1

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
        label = route_label(scope["path"])
        await self.observer.observe(scope, send, label, lambda s: self.app(scope, receive, s))


def ops_routes(observer: Observer) -> list[Route]:
    async def readyz(request: Request) -> Response:
        snapshot = observer.state.snapshot
        status = observer.status
        body: dict[str, Any] = {"version": snapshot.version, "models": len(snapshot.models)}
        healthy = True
        if status is not None:
            body |= status.as_json()
            healthy = status.store_reachable and status.failed_version is None
        # A replica with a snapshot can answer reads even while its store is down, so it
        # stays ready (200); "degraded" and the fields above tell operators why to look.
        # One serving no model at all answers nothing useful: a load balancer must skip it.
        empty = not snapshot.models
        body["status"] = "empty" if empty else "ready" if healthy else "degraded"
        headers = {"cache-control": "no-store"}
        status_code = 503 if empty else 200
        return Response(orjson.dumps(body), status_code, headers, media_type="application/json")

    async def metrics(request: Request) -> Response:
        return Response(
            observer.metrics_body(),
            media_type=CONTENT_TYPE_LATEST,
            headers={"cache-control": "no-store"},
        )

    return [
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


def _json_lines(logger: logging.Logger) -> None:
    # Request lines are already JSON; writing them bare keeps one parseable object per line.
    if not any(getattr(h, "modelcatalog_json", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.modelcatalog_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _numeric(version: str) -> float:
    try:
        return float(int(version))
    except ValueError:
        return -1.0  # a catalog read from files has a content hash, not a number
