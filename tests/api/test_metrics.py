"""``/metrics`` counts every request by route template and status, and times it."""

from __future__ import annotations

import re

import httpx
import pytest

from modelcatalog.api import CatalogState
from modelcatalog.api.stored import build_file_app
from modelcatalog.settings import Settings

pytestmark = pytest.mark.anyio


def _sample(metrics: str, name: str, **labels: str) -> float:
    for line in metrics.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            return float(match.group(2))
    raise AssertionError(f"no sample {name} {labels} in:\n{metrics}")


async def test_requests_are_counted_by_route_template_and_status(
    settings: Settings, state: CatalogState
) -> None:
    app = build_file_app(settings, state, lambda *_: [])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://catalog"
    ) as client:
        first = await client.get("/api/v1/models?type=all")
        etag = {"if-none-match": first.headers["etag"]}
        await client.get("/api/v1/models?type=all", headers=etag)
        await client.get("/api/v1/models?type=all")
        await client.get("/api/v1/models/no-such-model")
        await client.get("/api/v1/models/another-missing-one")
        await client.get("/nowhere")
        metrics = (await client.get("/metrics")).text

    requests = "modelcatalog_requests_total"
    assert _sample(metrics, requests, route="/api/v1/models", status="200") == 2
    assert _sample(metrics, requests, route="/api/v1/models", status="304") == 1
    # Ids never become labels: both misses share the route template.
    assert _sample(metrics, requests, route="/api/v1/models/{id}", status="404") == 2
    assert _sample(metrics, requests, route="other", status="404") == 1
    assert "no-such-model" not in metrics
    duration = "modelcatalog_request_duration_seconds"
    assert _sample(metrics, f"{duration}_count", route="/api/v1/models") == 3
    assert _sample(metrics, f"{duration}_bucket", route="/api/v1/models", le="+Inf") == 3
    assert _sample(metrics, f"{duration}_sum", route="/api/v1/models") > 0
