"""The served OpenAPI document: faithful to the wire contract, and the service conforms."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from modelcatalog.api import create_app
from modelcatalog.api.quote import quote_routes
from modelcatalog.api.state import CatalogState
from modelcatalog.settings import Settings
from tests.api.catalogs import DEPRECATED, snapshot_of, write_catalog
from tests.conftest import PATHS_SPEC, SPEC

ROUTE_NAMES = ("traits", "compatibility_mapping")
PACKAGED = yaml.safe_load(files("modelcatalog.api").joinpath("openapi.yaml").read_text())
_ID_SCHEMA = PACKAGED["components"]["schemas"]["ModelId"]
_ID, _ID_MAX = re.compile(_ID_SCHEMA["pattern"]), _ID_SCHEMA["maxLength"]


def test_listing_and_model_schema_are_the_seeds() -> None:
    seed = yaml.safe_load(SPEC.read_text())
    assert (
        PACKAGED["components"]["schemas"]["ModelResponse"]
        == seed["components"]["schemas"]["ModelResponse"]
    )
    ours, theirs = PACKAGED["paths"]["/models"]["get"], seed["paths"]["/models"]["get"]
    assert ours["parameters"] == theirs["parameters"]
    assert ours["responses"]["200"] == theirs["responses"]["200"]


def test_traits_and_mapping_paths_are_the_published_ones() -> None:
    published = yaml.safe_load(PATHS_SPEC.read_text())
    for path in ("/models/traits", "/models/compatibility_mapping"):
        ours, theirs = PACKAGED["paths"][path]["get"], published["paths"][path]["get"]
        assert ours["parameters"] == theirs["parameters"]
        assert ours["responses"]["200"] == theirs["responses"]["200"]
    for name in ("ModelTraitSchema", "ModelCompatibilitySchema"):
        assert PACKAGED["components"]["schemas"][name] == published["components"]["schemas"][name]


@pytest.mark.anyio
async def test_openapi_is_served(tmp_path: Path) -> None:
    import httpx

    app = create_app(Settings.load(), CatalogState(snapshot_of(write_catalog(tmp_path))))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/api/v1/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(response.content) == PACKAGED


def _schemathesis_app() -> object:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="modelcatalog-schemathesis-"))
    snapshot = snapshot_of(write_catalog(root))
    settings, state = Settings.load(), CatalogState(snapshot, lambda: DEPRECATED)
    return create_app(settings, state, groups=[quote_routes])


# The in-process app serves the read API and quotes from a catalog file; the store's routes
# (history, admin) and the operations routes are fuzzed over HTTP in tests/e2e.
schema = (
    schemathesis.openapi.from_asgi("/api/v1/openapi.yaml", _schemathesis_app())
    .include(tag="Models")
    .exclude(operation_id="modelHistory")
)


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_responses_conform(case: schemathesis.Case[Any]) -> None:
    # /models/traits and /models/compatibility_mapping are routes, not model ids (the document
    # says so with `not`, which schemathesis's path generation does not always honour).
    hypothesis.assume((case.path_parameters or {}).get("model_id") not in ROUTE_NAMES)
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/gpt-4o",
        "vertex_ai/claude-3-5-sonnet@20240620",
        "cloudflare/@cf/meta/llama-2-7b-chat-fp16",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "zai-org-glm-4.7",
        "a" * 128,
        "modèle-é",
        "history",
        "x/retired",
    ],
)
def test_the_documented_id_grammar_accepts_real_ids(model_id: str) -> None:
    assert _ID.fullmatch(model_id) and len(model_id) <= _ID_MAX


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "a" * 129,
        "traits",
        "compatibility_mapping",
        "resolve",
        "x/retire",
        "x/quote",
        "x/history",
        "/x",
        "x/",
        "x//y",
        ".",
        "..",
        "x/../y",
        "x/./y",
        "a b",
        "a\tb",
        "a\r\nb",
        "a\x00b",
        "a\x7fb",
        "a\x9bb",
    ],
)
def test_the_documented_id_grammar_refuses_route_names_and_bad_ids(model_id: str) -> None:
    assert not (_ID.fullmatch(model_id) and len(model_id) <= _ID_MAX)


def test_every_bundled_id_follows_the_documented_grammar() -> None:
    from modelcatalog.bundled import BUNDLED_CATALOG
    from modelcatalog.catalog.sources import read_source

    ids = [str(r.data["id"]) for r in read_source(BUNDLED_CATALOG).records]
    assert ids and all(_ID.fullmatch(i) and len(i) <= _ID_MAX for i in ids)


def _documented() -> set[tuple[str, str]]:
    """(path with bare ``{}`` parameters, method) of every operation in the document."""
    base = PACKAGED["servers"][0]["url"]
    found = set()
    for path, item in PACKAGED["paths"].items():
        root = (item.get("servers") or [{"url": base}])[0]["url"].rstrip("/")
        for method in item.keys() & {"get", "put", "post", "patch", "delete"}:
            found.add((re.sub(r"\{[^}]*\}", "{}", root + path), method.upper()))
    return found


def test_every_served_route_is_documented() -> None:
    from tests.hardening.test_audiences import ROUTE_CASES

    # The fallbacks for /api/v1/models/ (a 404) answer no operation of their own.
    undocumented_on_purpose = {"/api/v1/models/"}
    served = {
        (re.sub(r"\{[^}]*\}", "{}", path), method)
        for path, method in ROUTE_CASES
        if method != "HEAD" and path not in undocumented_on_purpose
    }
    missing = sorted(served - _documented())
    assert not missing, f"routes the OpenAPI document does not describe: {missing}"
    # GET .../quote is documented for its 405 (Allow: POST).
    extra = _documented() - served - {("/api/v1/models/{}/quote", "GET")}
    assert not extra, f"the document names operations no route serves: {sorted(extra)}"
