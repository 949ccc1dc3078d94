"""``/metrics`` counts every request by route template and status, and times it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from modelcatalog.api import CatalogState, build_service
from modelcatalog.api.labels import OTHER, template_label
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.settings import Settings
from modelcatalog.store import Store

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
    app = build_service(settings, snapshot=state.snapshot)
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


async def test_direct_answers_are_folded_into_the_request_metrics(
    settings: Settings, state: CatalogState
) -> None:
    app = build_service(settings, snapshot=state.snapshot)
    first = app.answer_directly(b"/api/v1/models", b"type=all", [], head=False)
    assert first is not None
    etag = [(b"if-none-match", dict(first[1])[b"etag"])]
    assert app.answer_directly(b"/api/v1/models", b"type=all", etag, head=False) is not None
    assert app.answer_directly(b"/api/v1/models/traits", b"", [], head=False) is not None
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://catalog"
    ) as client:
        await client.get("/api/v1/models?type=all")  # the ASGI path, beside the direct ones
        metrics = (await client.get("/metrics")).text

    requests, direct = "modelcatalog_requests_total", "modelcatalog_direct_reads_total"
    assert _sample(metrics, requests, route="/api/v1/models", status="200") == 2
    assert _sample(metrics, requests, route="/api/v1/models", status="304") == 1
    assert _sample(metrics, direct, route="/api/v1/models") == 2
    assert _sample(metrics, direct, route="/api/v1/models/traits") == 1
    duration = "modelcatalog_request_duration_seconds"
    assert _sample(metrics, f"{duration}_count", route="/api/v1/models") == 3
    assert _sample(metrics, f"{duration}_bucket", route="/api/v1/models", le="+Inf") == 3
    assert _sample(metrics, f"{duration}_bucket", route="/api/v1/models/traits", le="+Inf") == 1
    assert _sample(metrics, f"{duration}_sum", route="/api/v1/models/traits") > 0


# -- every route, labelled by the template of the route that answered ------------------------

_SAMPLES = {"model_id": "org/some-model", "model_type": "text", "name": "acme/alias"}
_READS = {
    "/api/v1/models": "/api/v1/models",
    "/api/v1/models/": "/api/v1/models",
    "/api/v1/models/traits": "/api/v1/models/traits",
    "/api/v1/models/compatibility_mapping": "/api/v1/models/compatibility_mapping",
    "/api/v1/models/resolve?model=default": "/api/v1/models/resolve",
    "/api/v1/models/{id}": "/api/v1/models/{id}",
}
#: Labels pinned by name, so that a change of naming is seen (the rest follow template_label).
_PINNED = {
    "/api/v1/models/{model_id:path}/history": "/api/v1/models/{id}/history",
    "/api/v1/models/{model_id:path}/quote": "/api/v1/models/{id}/quote",
    "/api/v1/models/{model_id:path}": "/api/v1/models/{id}",
    "/admin/v1/models/{model_id:path}/retire": "/admin/v1/models/{id}/retire",
    "/admin/v1/aliases/{model_type}/{name:path}": "/admin/v1/aliases/{type}/{name}",
}


def _concrete(template: str) -> str:
    # An id with a slash the catalog does not hold: GET and HEAD of it reach the framework.
    # A parameter without the path converter matches one segment only (``/static/{name}``).
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: _parameter(m[1], m[2]), template)


def _parameter(name: str, converter: str | None) -> str:
    sample = _SAMPLES.get(name, "1")
    return sample if converter == ":path" else sample.rsplit("/", 1)[-1]


def _counts(metrics: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    for line in metrics.splitlines():
        found = re.fullmatch(
            r'modelcatalog_requests_total\{route="([^"]*)",status="\d+"\} (\S+)', line
        )
        if found and found[1] != "/metrics":
            counts[found[1]] = counts.get(found[1], 0) + float(found[2])
    return counts


async def _label_of(client: httpx.AsyncClient, method: str, path: str) -> str:
    before = _counts((await client.get("/metrics")).text)
    body = None if method in ("GET", "HEAD") else b"{}"
    response = await client.request(method, path, content=body)
    assert response.status_code < 500, (method, path, response.text)
    after = _counts((await client.get("/metrics")).text)
    changed = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert list(changed.values()) == [1], (method, path, changed)
    return next(iter(changed))


async def test_every_route_is_counted_under_its_own_template(tmp_path: Path) -> None:
    with Store.open(tmp_path, seed=BUNDLED_CATALOG) as store:
        app = build_service(Settings(data_dir=tmp_path), store=store)
        model_id = store.snapshot().models[0].id
        cases = [
            (method, route.path)
            for route in app.framework.routes
            # The raw read path answers the read routes' GET and HEAD before the framework.
            if isinstance(route, Route) and route.path not in {"/metrics", *_READS}
            for method in sorted(route.methods or ())
        ]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://catalog"
        ) as client:
            for method, template in cases:
                label = await _label_of(client, method, _concrete(template))
                assert label == _PINNED.get(template, template_label(template)), template
            for path, expected in _READS.items():
                for method in ("GET", "HEAD"):
                    label = await _label_of(client, method, path.replace("{id}", model_id))
                    assert label == expected, path
    assert {template for _, template in cases} >= set(_PINNED)


@pytest.mark.parametrize(
    "path", ["/nowhere", "/api/v2/models", "/admin/v1/no/such/route", "/api/v1/models/x/y/quote"]
)
async def test_unanswered_paths_share_one_label(
    settings: Settings, state: CatalogState, path: str
) -> None:
    app = build_service(settings, snapshot=state.snapshot)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://catalog"
    ) as client:
        # A GET of an unknown slashed id is a 404 of the model fallback, not "other".
        method = "POST" if path.startswith("/api/v1/models") else "GET"
        assert await _label_of(client, method, path) == (
            "/api/v1/models/{id}/quote" if path.endswith("/quote") else OTHER
        )
