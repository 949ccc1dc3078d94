"""The admin API over real HTTP against a server on a SQLite store."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.sources import read_source
from tests.admin.conftest import AdminServer
from tests.store.factory import dump, text_model

ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/admin/v1/models/matrix-model", None),
    ("POST", "/admin/v1/models", {}),
    ("PUT", "/admin/v1/models/matrix-model", text_model("matrix-model")),
    ("PATCH", "/admin/v1/models/matrix-model", {"model_spec": {"description": "x"}}),
    ("POST", "/admin/v1/models/matrix-model/retire", {"removesAt": "2030-01-01T00:00:00Z"}),
    ("DELETE", "/admin/v1/models/matrix-model", None),
    ("PUT", "/admin/v1/aliases/text", {"gpt-matrix": "no-such-model"}),
    ("PUT", "/admin/v1/traits/text", {"default": "no-such-model"}),
    ("PUT", "/admin/v1/aliases/text/gpt-matrix", {"model": "no-such-model"}),
    ("DELETE", "/admin/v1/aliases/text/gpt-matrix", None),
    ("PUT", "/admin/v1/traits/text/matrix", {"model": "no-such-model"}),
    ("DELETE", "/admin/v1/traits/text/matrix", None),
    ("POST", "/admin/v1/versions/999/rollback", None),
    ("POST", "/admin/v1/import", "{not json"),
    ("GET", "/admin/v1/versions", None),
    ("GET", "/admin/v1/versions/1/diff/1", None),
]


def _send(server: AdminServer, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    content = body if isinstance(body, str) else None if body is None else orjson.dumps(body)
    return server.server.client.request(method, path, content=content, headers=headers)


def _version(server: AdminServer) -> int:
    return int(server.server.version())


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_admin_route_needs_an_admin_key(
    admin_server: AdminServer, method: str, path: str, body: Any
) -> None:
    before = _version(admin_server)
    cases = {
        "no key": ({}, 401),
        "unknown key": (admin_server.headers("unknown"), 401),
        "revoked key": (admin_server.headers("revoked"), 401),
        "non-admin key": (admin_server.headers("reader"), 403),
        "malformed header": ({"authorization": "Basic abc"}, 401),
    }
    for case, (headers, status) in cases.items():
        response = _send(admin_server, method, path, body, headers)
        assert response.status_code == status, f"{case}: {response.text}"
        assert set(response.json()) == {"error"}, case
    admitted = _send(admin_server, method, path, body, admin_server.headers())
    assert admitted.status_code not in (401, 403), admitted.text
    assert "error" in admitted.json() or admitted.status_code == 200
    assert _version(admin_server) == before, "none of these requests may change the catalog"


def test_create_replace_patch_retire_delete(admin_server: AdminServer) -> None:
    client, auth = admin_server.server.client, admin_server.headers()
    created = client.post(
        "/admin/v1/models", content=orjson.dumps(text_model("alpha-1")), headers=auth
    )
    assert created.status_code == 201, created.text
    version = created.json()["version"]["version"]
    assert created.headers["etag"] == f'"{version}"'
    assert created.json()["version"]["author"] == "ops"
    # The replica that took the write serves it at once.
    assert client.get("/api/v1/models/alpha-1").status_code == 200
    assert (
        client.post(
            "/admin/v1/models", content=orjson.dumps(text_model("alpha-1")), headers=auth
        ).status_code
        == 409
    )

    replaced = text_model("alpha-1", usd_in=2.0)
    response = client.put(
        "/admin/v1/models/alpha-1",
        content=orjson.dumps(replaced),
        headers={**auth, "if-match": f'"{version}"'},
    )
    assert response.status_code == 200, response.text
    version = response.json()["version"]["version"]

    patch = {"model_spec": {"description": "patched", "modelSource": None}}
    response = client.patch(
        "/admin/v1/models/alpha-1",
        content=orjson.dumps(patch),
        headers={**auth, "if-match": f'"{version}"', "x-catalog-message": "describe alpha"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"]["message"] == "describe alpha"
    stored = client.get("/admin/v1/models/alpha-1", headers=auth).json()
    assert stored["model_spec"]["description"] == "patched"
    assert "modelSource" not in stored["model_spec"]
    assert stored["model_spec"]["pricing"]["input"]["usd"] == 2.0

    retire = {"removesAt": "2030-01-01T00:00:00Z", "replacementModelId": "llama-3.3-70b"}
    response = client.post(
        "/admin/v1/models/alpha-1/retire", content=orjson.dumps(retire), headers=auth
    )
    assert response.status_code == 200, response.text
    listed = client.get("/api/v1/models/alpha-1")
    assert listed.json()["model_spec"]["deprecation"]["removesAt"] == "2030-01-01T00:00:00Z"

    assert client.delete("/admin/v1/models/alpha-1", headers=auth).status_code == 200
    assert client.get("/api/v1/models/alpha-1").status_code == 404


def test_a_rejected_write_is_422_with_every_finding_and_changes_nothing(
    admin_server: AdminServer,
) -> None:
    before = _version(admin_server)
    broken = text_model("broken-1")
    broken["model_spec"]["privacy"] = "public"
    broken["model_spec"]["capabilities"]["supportsE2EE"] = True
    response = admin_server.server.client.post(
        "/admin/v1/models", content=orjson.dumps(broken), headers=admin_server.headers()
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]
    locations = {f["location"] for f in body["details"]["findings"] if f["severity"] == "error"}
    assert any(loc.endswith("(broken-1).model_spec.privacy") for loc in locations), locations
    assert any("supportsE2EE" in loc for loc in locations), locations
    assert _version(admin_server) == before
    assert admin_server.server.client.get("/api/v1/models/broken-1").status_code == 404


def test_a_stale_if_match_is_412(admin_server: AdminServer) -> None:
    client, auth = admin_server.server.client, admin_server.headers()
    base = _version(admin_server)
    first = client.post(
        "/admin/v1/models",
        content=orjson.dumps(text_model("race-1")),
        headers={**auth, "if-match": f'"{base}"'},
    )
    assert first.status_code == 201
    second = client.post(
        "/admin/v1/models",
        content=orjson.dumps(text_model("race-2")),
        headers={**auth, "if-match": f'"{base}"'},
    )
    assert second.status_code == 412, second.text
    assert second.json()["details"] == {"expected": base, "current": base + 1}
    assert client.get("/api/v1/models/race-2").status_code == 404


def test_traits_and_aliases(admin_server: AdminServer) -> None:
    client, auth = admin_server.server.client, admin_server.headers()
    client.post("/admin/v1/models", content=orjson.dumps(text_model("alias-target")), headers=auth)
    response = client.put("/admin/v1/aliases/embedding", content=orjson.dumps({}), headers=auth)
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/models/compatibility_mapping?type=embedding").json()["data"] == {}
    traits = client.get("/api/v1/models/traits?type=text").json()["data"]
    traits["fastest"] = "alias-target"
    response = client.put("/admin/v1/traits/text", content=orjson.dumps(traits), headers=auth)
    assert response.status_code == 200, response.text
    served = client.get("/api/v1/models/traits?type=text").json()["data"]
    assert served == traits


def test_versions_diff_history_and_reads_as_of_an_instant(admin_server: AdminServer) -> None:
    client, auth = admin_server.server.client, admin_server.headers()
    client.post(
        "/admin/v1/models", content=orjson.dumps(text_model("priced", usd_in=1.0)), headers=auth
    )
    cheap_at = datetime.now(UTC)
    time.sleep(0.01)
    changed = client.put(
        "/admin/v1/models/priced",
        content=orjson.dumps(text_model("priced", usd_in=3.0)),
        headers=auth,
    )
    new = changed.json()["version"]["version"]
    diff = client.get(f"/admin/v1/versions/{new - 1}/diff/{new}", headers=auth).json()
    assert {(p["id"], p["path"], p["old"], p["new"]) for p in diff["prices"]} == {
        ("priced", "model_spec.pricing.input.usd", 1.0, 3.0),
        ("priced", "model_spec.pricing.input.diem", 1.0, 3.0),
    }
    page = client.get("/admin/v1/versions?limit=2", headers=auth).json()
    assert [v["version"] for v in page["data"]] == [new, new - 1]
    older = client.get(f"/admin/v1/versions?limit=2&before={page['next_before']}", headers=auth)
    assert [v["version"] for v in older.json()["data"]] == [new - 2, new - 3]

    at = cheap_at.isoformat().replace("+00:00", "Z")
    past = client.get("/api/v1/models/priced", params={"at": at})
    assert past.status_code == 200
    assert past.json()["model_spec"]["pricing"]["input"]["usd"] == 1.0
    assert past.headers["x-catalog-version"] == str(new - 1)
    assert (
        client.get("/api/v1/models/priced").json()["model_spec"]["pricing"]["input"]["usd"] == 3.0
    )
    listing = client.get("/api/v1/models", params={"at": at}).json()
    assert "priced" in {m["id"] for m in listing["data"]}
    assert client.get("/api/v1/models", params={"at": "yesterday"}).status_code == 400

    history = client.get("/api/v1/models/priced/history").json()["data"]
    assert [(h["version"], h["kind"]) for h in history] == [(new - 1, "added"), (new, "changed")]
    assert all("author" not in h for h in history)  # key names are for admin keys only
    audited = client.get("/api/v1/models/priced/history", headers=auth).json()["data"]
    assert audited[1]["author"] == "ops"
    assert client.get("/api/v1/models/never-there/history").status_code == 404


def test_store_keys_set_the_audience_of_public_reads(admin_server: AdminServer) -> None:
    client = admin_server.server.client
    beta_model = "qwen3-6-35b-a3b"

    def listed(who: str | None) -> set[str]:
        headers = admin_server.headers(who) if who else {}
        return {m["id"] for m in client.get("/api/v1/models", headers=headers).json()["data"]}

    assert beta_model not in listed(None)
    assert beta_model in listed("reader")
    assert beta_model in listed("staff")
    assert beta_model not in listed("revoked")


def test_bulk_import_is_one_version(admin_server: AdminServer) -> None:
    client, auth = admin_server.server.client, admin_server.headers()
    before = _version(admin_server)
    body = dump(text_model("bulk-a"), text_model("bulk-b"))
    # Replacing every model needs intent (tests/hardening/test_destructive.py has the rest).
    response = client.post("/admin/v1/import", content=orjson.dumps(body), headers=auth)
    assert response.status_code == 409, response.text
    response = client.post("/admin/v1/import?force=true", content=orjson.dumps(body), headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["version"]["version"] == before + 1
    assert {m["id"] for m in client.get("/api/v1/models").json()["data"]} == {"bulk-a", "bulk-b"}
    # Put the bundled catalog back, aliases included, as the next version.
    records = [r.data for r in read_source(BUNDLED_CATALOG).records]
    aliases: dict[str, dict[str, str]] = {}
    for entry in read_source(BUNDLED_CATALOG).aliases:
        aliases.setdefault(entry.type, {})[entry.alias] = str(entry.target)
    restore = {"models": records, "aliases": aliases}
    response = client.post(
        "/admin/v1/import?force=true", content=orjson.dumps(restore), headers=auth
    )
    assert response.status_code == 201, response.text
    assert _version(admin_server) == before + 2


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b'{"data": [', "application/json", "import: invalid JSON"),
        (b'{"data": [', None, "import: invalid JSON"),
        (b"data: [\n", "application/yaml", "import: invalid YAML"),
    ],
)
def test_an_unreadable_import_names_the_format_it_was_read_as(
    admin_server: AdminServer, body: bytes, content_type: str | None, words: str
) -> None:
    before = _version(admin_server)
    headers = admin_server.headers(**({"content-type": content_type} if content_type else {}))
    response = admin_server.server.client.post("/admin/v1/import", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"].startswith(words)
    assert _version(admin_server) == before


def test_a_yaml_import_is_read_when_its_content_type_says_so(admin_server: AdminServer) -> None:
    import yaml

    client, before = admin_server.server.client, _version(admin_server)
    body = yaml.safe_dump(dump(text_model("yaml-a"))).encode()
    headers = admin_server.headers(**{"content-type": "application/yaml"})
    response = client.post("/admin/v1/import?force=true", content=body, headers=headers)
    assert response.status_code == 201, response.text
    records = [r.data for r in read_source(BUNDLED_CATALOG).records]
    aliases: dict[str, dict[str, str]] = {}
    for entry in read_source(BUNDLED_CATALOG).aliases:
        aliases.setdefault(entry.type, {})[entry.alias] = str(entry.target)
    restore = orjson.dumps({"models": records, "aliases": aliases})
    assert client.post(
        "/admin/v1/import?force=true", content=restore, headers=admin_server.headers()
    ).is_success
    assert _version(admin_server) == before + 2
