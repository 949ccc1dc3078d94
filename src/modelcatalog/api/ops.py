"""What operators poll: ``/readyz`` and Prometheus ``/metrics``."""

from __future__ import annotations

from typing import Any

import orjson
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelcatalog.api.metrics import Observer
from modelcatalog.api.parts import ServiceParts

__all__ = ["ops_routes"]


def ops_routes(parts: ServiceParts) -> list[Route]:
    """``/readyz`` and ``/metrics`` of a service that observes itself (none in a bare app)."""
    if parts.observer is None:
        return []
    observer: Observer = parts.observer

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
