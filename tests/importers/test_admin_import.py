"""POST /admin/v1/import?from=...: the importers through the admin API, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelcatalog.api.service import extension_routes
from modelcatalog.api.stored import build_store_app
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.lifecycle import system_clock
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from modelcatalog.store.keys import create_key
from tests.conftest import CAPTURES
from tests.importers.litellm_map import raw_map

pytestmark = pytest.mark.anyio
OWNERS = frozenset({"venice.ai", "openai"})
DEFAULTS = [
    "privacy=anonymized",
    "quantization=not-available",
    "capabilities=false",
    "diem=1",
]


@dataclass
class Service:
    store: Store
    client: httpx.AsyncClient
    admin: dict[str, str]

    async def post(self, body: bytes, **params: Any) -> httpx.Response:
        return await self.client.post(
            "/admin/v1/import", content=body, params=params, headers=self.admin
        )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path, seed=BUNDLED_CATALOG, owned_by=OWNERS) as opened:
        yield opened


@pytest.fixture
async def service(tmp_path: Path, store: Store) -> AsyncIterator[Service]:
    settings = Settings(data_dir=tmp_path, owned_by=sorted(OWNERS))
    app = build_store_app(settings, system_clock, extension_routes, store)
    _, token = create_key(store, "importer", admin=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as c:
        yield Service(store, c, {"authorization": f"Bearer {token}"})


async def test_litellm_map_is_imported_with_its_report(service: Service) -> None:
    before = service.store.head()
    answer = await service.post(
        raw_map(), **{"from": "litellm", "provider": "openai", "default": DEFAULTS, "force": "true"}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["version"]["version"] == before + 1
    report = body["report"]
    assert report["kind"] == "litellm"
    assert report["imported"] == body["version"]["models"] > 0
    listed = await service.client.get("/api/v1/models", params={"type": "text"})
    assert "gpt-4o" in {m["id"] for m in listed.json()["data"]}
    assert {m["owned_by"] for m in listed.json()["data"]} == {"openai"}


async def test_a_venice_listing_is_imported(service: Service) -> None:
    raw = (CAPTURES / "corre_venice_models_text_2026-03-03.json").read_bytes()
    answer = await service.post(
        raw, **{"from": "venice", "default": "capabilities=false", "force": "true"}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["report"]["imported"] == answer.json()["version"]["models"]


@pytest.mark.parametrize(
    ("body", "params", "status", "says"),
    [
        (b"{not json", {"from": "litellm"}, 400, "not JSON"),
        (b"[1]", {"from": "litellm"}, 400, "not a LiteLLM price map"),
        (b'{"models": 1}', {"from": "venice"}, 400, "not a Venice"),
        (b"{}", {"from": "openrouter"}, 400, "Invalid request parameters"),
        (b"{}", {"from": "litellm", "default": "colour=red"}, 400, "Invalid request"),
        (b"[" * 200 + b"]" * 200, {"from": "litellm"}, 400, "nests deeper"),
        (b"{}", {"from": "litellm"}, 422, "no entry could be imported"),
    ],
)
async def test_bad_input_is_a_4xx_and_writes_nothing(
    service: Service, body: bytes, params: dict[str, str], status: int, says: str
) -> None:
    before = service.store.head()
    answer = await service.post(body, **params)
    assert answer.status_code == status, answer.text
    assert says in answer.json()["error"]
    assert service.store.head() == before


async def test_a_missing_default_is_a_422_naming_the_fields(service: Service) -> None:
    before = service.store.head()
    answer = await service.post(raw_map(), **{"from": "litellm", "provider": "openai"})
    assert answer.status_code == 422
    assert set(answer.json()["details"]["fields"]) == {
        "privacy",
        "quantization",
        "capabilities",
        "diem",
    }
    assert service.store.head() == before


async def test_owners_outside_the_setting_are_a_422(service: Service) -> None:
    answer = await service.post(
        raw_map(), **{"from": "litellm", "provider": "anthropic", "default": DEFAULTS}
    )
    assert answer.status_code == 422
    assert answer.json()["details"]["fields"] == ["owned_by"]


async def test_the_import_needs_an_admin_key(service: Service) -> None:
    answer = await service.client.post("/admin/v1/import?from=litellm", content=raw_map())
    assert answer.status_code == 401
