"""Swapping the live snapshot: atomic for readers, views of the old one dropped."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from modelcatalog.api import CatalogApp, CatalogState
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import Encoded
from tests.api.catalogs import IMAGE, records, snapshot_of, write_dump
from tests.api.conftest import STAFF_KEY

pytestmark = pytest.mark.anyio


async def test_swap_serves_the_new_snapshot_at_once(
    client: httpx.AsyncClient, state: CatalogState, tmp_path: Path
) -> None:
    before = await client.get("/api/v1/models?type=image")
    assert [m["id"] for m in before.json()["data"]] == [IMAGE]
    seen: list[CatalogSnapshot] = []
    state.on_swap(seen.append)
    replacement = snapshot_of(write_dump(tmp_path / "next.json", [records()["llama-3.2-3b"]]))
    previous = state.swap(replacement)
    assert seen == [replacement] and previous is not replacement
    after = await client.get("/api/v1/models?type=image")
    assert after.json()["data"] == []
    assert (
        after.headers["x-catalog-version"]
        == replacement.version
        != before.headers["x-catalog-version"]
    )
    assert (await client.get(f"/api/v1/models/{IMAGE}")).status_code == 404


async def test_healthz_reports_the_live_version(client: httpx.AsyncClient, app: CatalogApp) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": app.state.snapshot.version,
        "models": len(app.state.snapshot.models),
    }


async def test_a_warm_swap_compresses_nothing_on_the_request_path(
    client: httpx.AsyncClient,
    state: CatalogState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replacement = snapshot_of(write_dump(tmp_path / "next.json", list(records().values())))
    state.swap(replacement)
    built: list[bytes] = []
    original = Encoded.of

    def counted(cls: type[Encoded], body: bytes) -> Encoded:
        built.append(body)
        return original(body)

    monkeypatch.setattr(Encoded, "of", classmethod(counted))
    for path in ("/api/v1/models?type=all", "/api/v1/models", "/api/v1/models/traits?type=tts"):
        for key in ({}, {"Authorization": f"Bearer {STAFF_KEY}"}):
            assert (await client.get(path, headers=key)).status_code == 200
    assert built == []
    state.swap(replacement, warm=False)
    await client.get("/api/v1/models?type=all")
    assert len(built) == 1
