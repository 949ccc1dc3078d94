"""GET /api/v1/models: envelopes, types, order, parameters and the wire schema."""

from __future__ import annotations

from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from modelcatalog.spec.record import MODEL_TYPES
from tests.api.catalogs import BETA, CODER, DEFAULT, records
from tests.conftest import SPEC

pytestmark = pytest.mark.anyio


def ids(response: httpx.Response) -> list[str]:
    return [m["id"] for m in response.json()["data"]]


def expected_ids(model_type: str | None = None) -> list[str]:
    """Listed to anonymous callers, in catalog (file path) order."""
    by_path = sorted(records().values(), key=lambda r: (r["type"], r["id"]))
    return [
        r["id"]
        for r in by_path
        if r["id"] != BETA and (model_type is None or r["type"] == model_type)
    ]


async def test_no_type_means_text(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["data", "object", "type"]
    assert body["object"] == "list" and body["type"] == "text"
    assert ids(response) == expected_ids("text")


@pytest.mark.parametrize("model_type", MODEL_TYPES)
async def test_each_type_lists_only_that_type(client: httpx.AsyncClient, model_type: str) -> None:
    response = await client.get("/api/v1/models", params={"type": model_type})
    assert response.status_code == 200
    assert response.json()["type"] == model_type
    assert ids(response) == expected_ids(model_type)
    assert {m["type"] for m in response.json()["data"]} <= {model_type}


async def test_all_lists_every_type_in_catalog_order(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/models?type=all")
    assert response.json()["type"] == "all"
    assert ids(response) == expected_ids()


async def test_code_lists_code_models_typed_text(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/models?type=code")).json()
    assert body["type"] == "code"
    assert [m["id"] for m in body["data"]] == [
        i for i in expected_ids("text") if i in (DEFAULT, CODER)
    ]
    assert {m["type"] for m in body["data"]} == {"text"}


async def test_records_are_served_as_the_catalog_has_them(client: httpx.AsyncClient) -> None:
    wanted = records()
    for model in (await client.get("/api/v1/models?type=all")).json()["data"]:
        record = dict(wanted[model["id"]])
        record.pop("x-catalog", None)
        if model["id"] == "tts-minimax-speech-02-hd":
            record["model_spec"] = {
                k: v for k, v in record["model_spec"].items() if k != "voice_cloning"
            }
        assert model == record


async def test_text_models_carry_context_length(client: httpx.AsyncClient) -> None:
    for model in (await client.get("/api/v1/models")).json()["data"]:
        assert model["context_length"] == model["model_spec"]["availableContextTokens"]


async def test_unknown_query_parameters_are_ignored(client: httpx.AsyncClient) -> None:
    plain = await client.get("/api/v1/models?type=image")
    noisy = await client.get("/api/v1/models?foo=bar&type=image&limit=3&type=text")
    assert noisy.status_code == 200
    assert noisy.content == plain.content


@pytest.mark.parametrize("value", ["invalid_type_xyz", "", "TEXT", "decision", "chat"])
async def test_invalid_type_names_every_accepted_value(
    client: httpx.AsyncClient, value: str
) -> None:
    response = await client.get("/api/v1/models", params={"type": value})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Invalid request parameters"
    messages = body["details"]["type"]["_errors"]
    text = " ".join(messages)
    for accepted in (*MODEL_TYPES, "all", "code"):
        assert f"'{accepted}'" in text
    assert all(f"received '{value}'" in m for m in messages)


async def test_invalid_type_matches_the_live_api_body(
    client: httpx.AsyncClient, captures_dir: Path
) -> None:
    live = yaml.safe_load(
        (captures_dir / "venice-py_models_invalid_type_error_body.json").read_text()
    )
    response = await client.get("/api/v1/models?type=invalid_type_xyz")
    body = response.json()
    assert body["error"] == live["error"]
    assert body["details"] == live["details"]


async def test_listings_validate_against_the_wire_schema(client: httpx.AsyncClient) -> None:
    spec = yaml.safe_load(SPEC.read_text())
    validator = jsonschema.Draft4Validator(spec["components"]["schemas"]["ModelResponse"])
    for selection in (*MODEL_TYPES, "all", "code"):
        for model in (await client.get(f"/api/v1/models?type={selection}")).json()["data"]:
            errors = [e.message for e in validator.iter_errors(model)]
            assert errors == [], (model["id"], errors)
