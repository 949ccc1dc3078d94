"""Audiences: beta models for beta and staff keys, private voice cloning for staff only."""

from __future__ import annotations

import httpx
import pytest

from tests.api.catalogs import BETA, PRIVATE_CLONING, PUBLIC_CLONING
from tests.api.conftest import BETA_KEY, PLAIN_KEY, STAFF_KEY, bearer

pytestmark = pytest.mark.anyio

NOBODY: dict[str, str] = {}


async def listed(
    client: httpx.AsyncClient, headers: dict[str, str], selection: str = "text"
) -> list[str]:
    response = await client.get(f"/api/v1/models?type={selection}", headers=headers)
    assert response.status_code == 200
    return [m["id"] for m in response.json()["data"]]


@pytest.mark.parametrize(
    ("headers", "sees_beta"),
    [
        (NOBODY, False),
        (bearer(PLAIN_KEY), False),
        (bearer("unknown-key-0123456789abcdef"), False),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, False),
        (bearer(BETA_KEY), True),
        (bearer(STAFF_KEY), True),
    ],
)
async def test_beta_models_are_listed_to_beta_and_staff(
    client: httpx.AsyncClient, headers: dict[str, str], sees_beta: bool
) -> None:
    for selection in ("text", "all", "code"):
        assert (BETA in await listed(client, headers, selection)) is sees_beta
    traits = (await client.get("/api/v1/models/traits", headers=headers)).json()["data"]
    aliases = (await client.get("/api/v1/models/compatibility_mapping", headers=headers)).json()[
        "data"
    ]
    assert (traits.get("default_reasoning") == BETA) is sees_beta
    assert (aliases.get("o3") == BETA) is sees_beta
    detail = await client.get(f"/api/v1/models/{BETA}", headers=headers)
    assert detail.status_code == (200 if sees_beta else 404)


async def test_unknown_key_gets_the_anonymous_bytes(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/api/v1/models?type=all")
    unknown = await client.get(
        "/api/v1/models?type=all", headers=bearer("nope-nope-nope-nope-nope")
    )
    assert unknown.status_code == 200
    assert unknown.content == anonymous.content
    assert unknown.headers["etag"] == anonymous.headers["etag"]


async def test_keyed_responses_are_private_to_caches(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/api/v1/models")
    keyed = await client.get("/api/v1/models", headers=bearer(PLAIN_KEY))
    assert anonymous.headers["cache-control"].startswith("public")
    assert keyed.headers["cache-control"].startswith("private")
    assert "Authorization" in anonymous.headers["vary"]


@pytest.mark.parametrize(
    ("headers", "sees_private"),
    [(NOBODY, False), (bearer(BETA_KEY), False), (bearer(STAFF_KEY), True)],
)
async def test_voice_cloning_is_shown_where_public_or_to_staff(
    client: httpx.AsyncClient, headers: dict[str, str], sees_private: bool
) -> None:
    response = await client.get("/api/v1/models?type=tts", headers=headers)
    specs = {m["id"]: m["model_spec"] for m in response.json()["data"]}
    assert "voice_cloning" in specs[PUBLIC_CLONING]
    assert ("voice_cloning" in specs[PRIVATE_CLONING]) is sees_private
    detail = (await client.get(f"/api/v1/models/{PRIVATE_CLONING}", headers=headers)).json()
    assert ("voice_cloning" in detail["model_spec"]) is sees_private
    for model in response.json()["data"]:
        assert "x-catalog" not in model
