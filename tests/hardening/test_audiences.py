"""Audiences on every route, over real HTTP against a real ``modelcatalog serve`` on a store.

The routes are enumerated from the router (the Starlette routes of a built store app, plus the
raw read routes answered before it), and every one must have an entry in ``ROUTES`` that
exercises it as an anonymous caller: a route added without one fails
``test_every_route_is_exercised``. On every route, an anonymous caller must not see

- the beta model, its alias or its trait (beta models are for beta and staff keys),
- the private model's ``voice_cloning`` (staff-only where it is not public),
- the admin key's name (history authors are for admin keys),
- operator-only ``x-catalog`` keys,

and ``test_the_markers_are_there_for_those_who_may_see_them`` shows that each of those is in
the catalog, so that their absence means something.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.routing import Route

from modelcatalog.api import build_service
from modelcatalog.api.labels import READ_LABELS
from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.settings import Settings
from modelcatalog.store import Store
from tests.e2e.conftest import Server, start_server
from tests.store.factory import text_model
from tests.store.servers import run_cli

pytestmark = pytest.mark.e2e

BETA = "qwen3-6-35b-a3b"
BETA_ALIAS = "beta-only-alias"
BETA_TRAIT = "beta-only-trait"
PRIVATE = "tts-minimax-speech-02-hd"
PUBLIC = "tts-chatterbox-hd"
#: The private model's voice cloning carries this after the fixture's patch.
CLONING_MARK = b'"retention_days":7919'
AUTHOR = "audit-author-7f3a"
#: Retired with the beta model as successor: deprecated and listed, and removed (410).
DEPRECATED = "grok-4-3"
REMOVED = "gemini-3-1-pro-preview"
UNKNOWN = "no-such-model-at-all"


@dataclass
class World:
    server: Server
    client: httpx.Client
    keys: dict[str, str]
    #: An instant after every change the fixture made, in the past when the tests run.
    after_changes: str
    #: An instant when only the seed version existed.
    seeded: str

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[who]}"}


def _key(data_dir: Path, name: str, flag: str) -> str:
    done = run_cli("keys", "create", name, flag, "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    return str(orjson.loads(done.stdout)["key"])


def _instant() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("audiences")
    data_dir = root / "data"
    keys = {
        "admin": _key(data_dir, AUTHOR, "--admin"),
        "beta": _key(data_dir, "partner", "--beta"),
        "staff": _key(data_dir, "support", "--staff"),
    }
    server = start_server(root, "--data-dir", str(data_dir))
    client = httpx.Client(base_url=server.url, timeout=30)
    try:
        seeded = _instant()
        time.sleep(0.01)
        _make_changes(client, {"authorization": f"Bearer {keys['admin']}"})
        after = _instant()
        time.sleep(0.01)
        yield World(server, client, keys, after, seeded)
    finally:
        client.close()
        server.stop()


def _make_changes(client: httpx.Client, admin: dict[str, str]) -> None:
    """Give the beta model a change, a trait and an alias, and change the private cloning."""
    patches = {
        BETA: {"model_spec": {"traits": [BETA_TRAIT], "description": "a beta change"}},
        PRIVATE: {"model_spec": {"voice_cloning": {"retention_days": 7919}}},
        PUBLIC: {"model_spec": {"voice_cloning": {"retention_days": 8}}},
    }
    for model_id, patch in patches.items():
        done = client.patch(f"/admin/v1/models/{model_id}", json=patch, headers=admin)
        assert done.status_code == 200, done.text
    retirements = {
        DEPRECATED: {"removesAt": "2030-01-01T00:00:00Z", "replacementModelId": BETA},
        REMOVED: {
            "startsAt": "2020-01-01T00:00:00Z",
            "removesAt": "2021-01-01T00:00:00Z",
            "replacementModelId": BETA,
        },
    }
    for model_id, body in retirements.items():
        done = client.post(f"/admin/v1/models/{model_id}/retire", json=body, headers=admin)
        assert done.status_code == 200, done.text
    aliases = client.get("/api/v1/models/compatibility_mapping?type=text", headers=admin).json()
    mapping = {**aliases["data"], BETA_ALIAS: BETA}
    done = client.put("/admin/v1/aliases/text", json=mapping, headers=admin)
    assert done.status_code == 200, done.text


def assert_nothing_hidden(response: httpx.Response) -> None:
    """An anonymous response shows nothing of the beta model, staff or operator fields."""
    body = response.content
    where = f"{response.request.method} {response.request.url}"
    marks = (BETA.encode(), BETA_ALIAS.encode(), BETA_TRAIT.encode())
    if response.status_code == 404:
        # Echoing the name asked for (in the path, or a resolve query) tells nothing; the body
        # is checked to be the unknown-name one.
        for asked in (m for m in marks if m.decode() in str(response.request.url)):
            body = body.replace(asked, b"<asked>")
    for mark in (*marks, CLONING_MARK):
        assert mark not in body, f"{where} shows {mark!r}"
    assert AUTHOR.encode() not in body, f"{where} shows an admin key's name"
    for name, value in response.headers.items():
        assert BETA not in value and AUTHOR not in value, f"{where} shows it in {name}"
    assert b"x-catalog" not in body or response.request.url.path.endswith("openapi.yaml"), where
    if response.headers.get("content-type", "").startswith("application/json") and body:
        _no_private_cloning(orjson.loads(body), where)


def _no_private_cloning(value: Any, where: str) -> None:
    if isinstance(value, dict):
        if value.get("id") == PRIVATE:
            assert "voice_cloning" not in (value.get("model_spec") or {}), where
        if isinstance(value.get("path"), str):  # a history field change
            assert "voice_cloning" not in value["path"] or value.get("id") != PRIVATE, where
        for item in value.values():
            _no_private_cloning(item, where)
    elif isinstance(value, list):
        for item in value:
            _no_private_cloning(item, where)


# -- what each route is asked, anonymously ------------------------------------------------------

Exercise = Callable[[World, str], list[httpx.Response]]


def _get(w: World, method: str, path: str, **params: str) -> httpx.Response:
    response = w.client.request(method, path, params=params or None)
    if method == "HEAD":
        assert response.content == b""
    return response


def _listing(w: World, method: str, path: str = "/api/v1/models") -> list[httpx.Response]:
    found = []
    for params in ({}, {"type": "all"}, {"type": "code"}, {"at": w.after_changes, "type": "all"}):
        response = _get(w, method, path, **params)
        assert response.status_code == 200, response.text
        found.append(response)
    return found


def _maps(w: World, method: str, path: str) -> list[httpx.Response]:
    found = []
    for params in ({}, {"type": "tts"}, {"at": w.after_changes}, {"at": w.seeded}):
        response = _get(w, method, path, **params)
        assert response.status_code == 200, response.text
        found.append(response)
    return found


def _retrieve(w: World, method: str) -> list[httpx.Response]:
    found = []
    for at in ({}, {"at": w.after_changes}, {"at": w.seeded}):
        beta = _get(w, method, f"/api/v1/models/{BETA}", **at)
        unknown = _get(w, method, f"/api/v1/models/{UNKNOWN}", **at)
        assert beta.status_code == unknown.status_code == 404
        assert beta.content == unknown.content.replace(UNKNOWN.encode(), BETA.encode())
        private = _get(w, method, f"/api/v1/models/{PRIVATE}", **at)
        assert private.status_code == 200
        deprecated = _get(w, method, f"/api/v1/models/{DEPRECATED}", **at)
        removed = _get(w, method, f"/api/v1/models/{REMOVED}", **at)
        assert removed.status_code == (200 if at.get("at") == w.seeded else 410)
        found += [beta, private, deprecated, removed]
    return found


def _resolve(w: World, method: str) -> list[httpx.Response]:
    found = []
    path = "/api/v1/models/resolve"
    for at in ({}, {"at": w.after_changes}):
        for hidden in (BETA, BETA_ALIAS, BETA_TRAIT):
            response = _get(w, method, path, model=hidden, **at)
            assert response.status_code == 404, response.text
            found.append(response)
        deprecated = _get(w, method, path, model=DEPRECATED, **at)
        private = _get(w, method, path, model=PRIVATE, **at)
        assert deprecated.status_code == private.status_code == 200
        removed = _get(w, method, path, model=REMOVED, **at)
        assert removed.status_code == 410
        found += [deprecated, private, removed]
    for name in (BETA, BETA_ALIAS, BETA_TRAIT):  # so that the 404s above mean something
        shown = w.client.get(path, params={"model": name}, headers=w.auth("beta"))
        assert shown.json()["model"]["id"] == BETA, shown.text
    return found


def _history(w: World, method: str) -> list[httpx.Response]:
    beta = _get(w, method, f"/api/v1/models/{BETA}/history")
    unknown = _get(w, method, f"/api/v1/models/{UNKNOWN}/history")
    assert beta.status_code == unknown.status_code == 404
    # The same answer as for an id that never existed.
    assert beta.content == unknown.content.replace(UNKNOWN.encode(), BETA.encode())
    private = _get(w, method, f"/api/v1/models/{PRIVATE}/history")
    public = _get(w, method, f"/api/v1/models/{PUBLIC}/history")
    assert private.status_code == public.status_code == 200
    if method == "GET":
        # The public cloning change is shown; the private one is left out, not emptied.
        assert [e["kind"] for e in private.json()["data"]] == ["added"]
        assert any("voice_cloning" in f["path"] for e in public.json()["data"] for f in e["fields"])
    return [beta, private, public]


def _quote(w: World, method: str) -> list[httpx.Response]:
    beta = w.client.post(f"/api/v1/models/{BETA}/quote", json={"input_tokens": 10})
    dated = w.client.post(
        f"/api/v1/models/{BETA}/quote", params={"at": w.after_changes}, json={"input_tokens": 1}
    )
    assert beta.status_code == dated.status_code == 404
    unknown = w.client.post(f"/api/v1/models/{UNKNOWN}/quote", json={"input_tokens": 10})
    assert beta.content == unknown.content.replace(UNKNOWN.encode(), BETA.encode())
    private = w.client.post(f"/api/v1/models/{PRIVATE}/quote", json={"characters": 100})
    assert private.status_code == 200, private.text
    return [beta, dated, private]


def _catalog_page(w: World, method: str) -> list[httpx.Response]:
    found = []
    queries: list[dict[str, str]] = [
        {},
        {"q": "qwen3"},  # matches the beta model's id, which must still not be shown
        {"type": "text", "per_page": "200"},
        {"beta": "yes"},
        {"deprecated": "yes", "sort": "-created"},
    ]
    for params in queries:
        response = _get(w, method, "/", **params)
        assert response.status_code == 200, response.text
        found.append(response)
    shown = w.client.get("/", params={"q": "qwen3"}, headers=w.auth("beta"))
    assert BETA.encode() in shown.content  # so that its absence above means something
    return found


def _model_page(w: World, method: str) -> list[httpx.Response]:
    beta = _get(w, method, f"/models/{BETA}")
    unknown = _get(w, method, f"/models/{UNKNOWN}")
    assert beta.status_code == unknown.status_code == 404
    assert beta.content == unknown.content.replace(UNKNOWN.encode(), BETA.encode())
    private = _get(w, method, f"/models/{PRIVATE}", characters="100")
    deprecated = _get(w, method, f"/models/{DEPRECATED}")
    removed = _get(w, method, f"/models/{REMOVED}")
    assert private.status_code == deprecated.status_code == 200
    assert removed.status_code == 410
    assert w.client.get(f"/models/{BETA}", headers=w.auth("beta")).status_code == 200
    return [beta, private, deprecated, removed]


def _compare_page(w: World, method: str) -> list[httpx.Response]:
    shown = _get(w, method, "/compare", ids=f"{DEPRECATED},{PRIVATE},{PUBLIC}")
    assert shown.status_code == 200, shown.text
    beta = _get(w, method, "/compare", ids=f"{PRIVATE},{BETA}")
    unknown = _get(w, method, "/compare", ids=f"{PRIVATE},{UNKNOWN}")
    assert beta.status_code == unknown.status_code == 404
    assert beta.content == unknown.content.replace(UNKNOWN.encode(), BETA.encode())
    return [shown, beta]


def _changes_page(path: str) -> Exercise:
    def exercise(w: World, method: str) -> list[httpx.Response]:
        response = _get(w, method, path)
        assert response.status_code == 200, response.text
        if method == "GET":
            assert DEPRECATED.encode() in response.content  # its retirement is listed
            keyed = w.client.get(path, headers=w.auth("beta"))
            assert BETA.encode() in keyed.content
        return [response]

    return exercise


def _plain(status: int, path: str) -> Exercise:
    def exercise(w: World, method: str) -> list[httpx.Response]:
        response = _get(w, method, path)
        assert response.status_code == status, response.text
        return [response]

    return exercise


def _admin(path: str, body: Any = None) -> Exercise:
    """Admin routes need an admin key: anonymous callers get 401 and learn nothing."""

    def exercise(w: World, method: str) -> list[httpx.Response]:
        found = []
        for who in (None, "beta", "staff"):
            headers = w.auth(who) if who else {}
            response = w.client.request(method, path, json=body, headers=headers)
            assert response.status_code == (401 if who is None else 403), response.text
            found.append(response)
        return found

    return exercise


def _both(exercise: Callable[[World, str], list[httpx.Response]]) -> dict[str, Exercise]:
    return {"GET": exercise, "HEAD": exercise}


ADMIN_MODEL = f"/admin/v1/models/{BETA}"
ROUTES: dict[str, dict[str, Exercise]] = {
    # The raw read routes (READ_LABELS) and the framework's fallbacks for the same paths.
    "/api/v1/models": _both(_listing),
    "/api/v1/models/": _both(lambda w, m: _listing(w, m, "/api/v1/models/")),
    "/api/v1/models/traits": _both(lambda w, m: _maps(w, m, "/api/v1/models/traits")),
    "/api/v1/models/compatibility_mapping": _both(
        lambda w, m: _maps(w, m, "/api/v1/models/compatibility_mapping")
    ),
    "/api/v1/models/{id}": _both(_retrieve),
    "/api/v1/models/resolve": _both(_resolve),
    "/api/v1/models/{model_id:path}": _both(_retrieve),
    "/api/v1/models/{model_id:path}/history": _both(_history),
    "/api/v1/models/{model_id:path}/quote": {"POST": _quote},
    "/": _both(_catalog_page),
    "/models/{model_id:path}": _both(_model_page),
    "/compare": _both(_compare_page),
    "/changes": _both(_changes_page("/changes")),
    "/changes.atom": _both(_changes_page("/changes.atom")),
    "/static/{name}": _both(_plain(200, "/static/style.css")),
    "/healthz": _both(_plain(200, "/healthz")),
    "/readyz": _both(_plain(200, "/readyz")),
    "/metrics": _both(_plain(200, "/metrics")),
    "/api/v1/openapi.yaml": _both(_plain(200, "/api/v1/openapi.yaml")),
    "/admin/v1/models": {"POST": _admin("/admin/v1/models", {"id": "x"})},
    "/admin/v1/models/{model_id:path}": {
        "GET": _admin(ADMIN_MODEL),
        "HEAD": _admin(ADMIN_MODEL),
        "PUT": _admin(ADMIN_MODEL, {"id": BETA}),
        "PATCH": _admin(ADMIN_MODEL, {}),
        "DELETE": _admin(ADMIN_MODEL),
    },
    "/admin/v1/models/{model_id:path}/retire": {
        "POST": _admin(ADMIN_MODEL + "/retire", {"removesAt": "2030-01-01T00:00:00Z"})
    },
    "/admin/v1/aliases/{model_type}": {"PUT": _admin("/admin/v1/aliases/text", {})},
    "/admin/v1/traits/{model_type}": {"PUT": _admin("/admin/v1/traits/text", {})},
    "/admin/v1/aliases/{model_type}/{name:path}": {
        "PUT": _admin(f"/admin/v1/aliases/text/{BETA_ALIAS}", {"model": BETA}),
        "DELETE": _admin(f"/admin/v1/aliases/text/{BETA_ALIAS}"),
    },
    "/admin/v1/traits/{model_type}/{name:path}": {
        "PUT": _admin(f"/admin/v1/traits/text/{BETA_TRAIT}", {"model": BETA}),
        "DELETE": _admin(f"/admin/v1/traits/text/{BETA_TRAIT}"),
    },
    "/admin/v1/versions/{n}/rollback": {"POST": _admin("/admin/v1/versions/1/rollback")},
    "/admin/v1/import": {"POST": _admin("/admin/v1/import", {"data": []})},
    "/admin/v1/versions": _both(_admin("/admin/v1/versions")),
    "/admin/v1/versions/{a}/diff/{b}": _both(_admin("/admin/v1/versions/1/diff/2")),
    "/admin/v1/sync/pending": _both(_admin("/admin/v1/sync/pending?status=all")),
    "/admin/v1/sync/pending/{id}": _both(_admin("/admin/v1/sync/pending/1")),
    "/admin/v1/sync/pending/{id}/approve": {"POST": _admin("/admin/v1/sync/pending/1/approve")},
    "/admin/v1/sync/pending/{id}/reject": {"POST": _admin("/admin/v1/sync/pending/1/reject")},
    "/admin/v1/sync/overrides": {
        **_both(_admin(f"/admin/v1/sync/overrides?model={BETA}")),
        "DELETE": _admin(f"/admin/v1/sync/overrides?model={BETA}"),
    },
    "/admin/v1/sync/flags": {
        **_both(_admin(f"/admin/v1/sync/flags?model={BETA}")),
        "DELETE": _admin(f"/admin/v1/sync/flags?model={BETA}"),
    },
}


def served_routes() -> set[tuple[str, str]]:
    """Every (path template, method) a store-backed ``serve`` answers, from its router."""
    with tempfile.TemporaryDirectory(prefix="modelcatalog-routes-") as data:
        store = Store.open(data, seed=BUNDLED_CATALOG)
        try:
            app = build_service(Settings(data_dir=Path(data)), store=store)
            found = {
                (route.path, method)
                for route in app.framework.routes
                if isinstance(route, Route)  # the only kind of route with methods
                for method in route.methods or ()
            }
        finally:
            store.close()
    found |= {(path, method) for path in READ_LABELS.values() for method in ("GET", "HEAD")}
    return found


ROUTE_CASES = sorted(served_routes())


def test_every_route_is_exercised() -> None:
    known = {(path, method) for path, methods in ROUTES.items() for method in methods}
    missing = sorted(set(ROUTE_CASES) - known)
    assert not missing, f"routes without an audience check, add them to ROUTES: {missing}"
    assert not known - set(ROUTE_CASES), (
        f"ROUTES names routes that are gone: {known - set(ROUTE_CASES)}"
    )


@pytest.mark.parametrize(("path", "method"), ROUTE_CASES, ids=[f"{m} {p}" for p, m in ROUTE_CASES])
def test_anonymous_callers_see_nothing_hidden(world: World, path: str, method: str) -> None:
    exercise = ROUTES.get(path, {}).get(method)
    if exercise is None:
        pytest.fail(f"{method} {path} has no entry in ROUTES")
    responses = exercise(world, method)
    assert responses
    for response in responses:
        assert response.status_code < 500, response.text
        assert_nothing_hidden(response)


def test_the_markers_are_there_for_those_who_may_see_them(world: World) -> None:
    client, beta, staff, admin = (
        world.client,
        world.auth("beta"),
        world.auth("staff"),
        world.auth("admin"),
    )
    assert BETA.encode() in client.get("/api/v1/models?type=all", headers=beta).content
    assert (
        BETA_ALIAS.encode()
        in client.get("/api/v1/models/compatibility_mapping", headers=beta).content
    )
    assert BETA_TRAIT.encode() in client.get("/api/v1/models/traits", headers=beta).content
    assert client.get(f"/api/v1/models/{BETA}/history", headers=beta).status_code == 200
    assert (
        client.post(
            f"/api/v1/models/{BETA}/quote", json={"input_tokens": 1}, headers=beta
        ).status_code
        == 200
    )
    warning = client.get(f"/api/v1/models/{DEPRECATED}", headers=beta).headers
    assert warning["x-venice-model-deprecation-warning"].endswith(f"use {BETA} instead.")
    gone = client.get(f"/api/v1/models/{REMOVED}", headers=beta).json()
    assert gone["details"]["replacementModelId"] == BETA
    assert CLONING_MARK in client.get(f"/api/v1/models/{PRIVATE}", headers=staff).content
    staff_history = client.get(f"/api/v1/models/{PRIVATE}/history", headers=staff)
    assert b"voice_cloning.retention_days" in staff_history.content
    assert AUTHOR.encode() not in staff_history.content  # staff is not admin
    audited = client.get(f"/api/v1/models/{BETA}/history", headers=admin)
    assert AUTHOR.encode() in audited.content
    diff = client.get("/admin/v1/versions/1/diff/5", headers=admin).json()
    changed = [(c["id"], f["path"], f["new"]) for c in diff["changed"] for f in c["fields"]]
    assert (PRIVATE, "model_spec.voice_cloning.retention_days", 7919) in changed


def test_an_admin_key_sees_the_whole_history(world: World) -> None:
    """Admin keys see what the admin API shows them: every entry and field, with authors."""
    entries = world.client.get(
        f"/api/v1/models/{PRIVATE}/history", headers=world.auth("admin")
    ).json()["data"]
    assert [e["author"] for e in entries] == ["modelcatalog", AUTHOR]
    assert [f["path"] for f in entries[1]["fields"]] == ["model_spec.voice_cloning.retention_days"]


def test_a_released_beta_model_appears_in_history_at_its_release(world: World) -> None:
    client, admin = world.client, world.auth("admin")
    record = text_model("audience-preview")
    record["model_spec"]["beta"] = True
    assert client.post("/admin/v1/models", json=record, headers=admin).status_code == 201
    patch = {"model_spec": {"description": "preview pricing"}}
    assert client.patch("/admin/v1/models/audience-preview", json=patch, headers=admin).is_success
    assert client.get("/api/v1/models/audience-preview/history").status_code == 404
    release = {"model_spec": {"beta": None, "description": "released"}}
    done = client.patch("/admin/v1/models/audience-preview", json=release, headers=admin)
    assert done.status_code == 200, done.text
    released = done.json()["version"]["version"]

    anonymous = client.get("/api/v1/models/audience-preview/history").json()["data"]
    assert [(e["version"], e["kind"], e["fields"]) for e in anonymous] == [(released, "added", [])]
    assert b"preview pricing" not in client.get("/api/v1/models/audience-preview/history").content
    beta = client.get("/api/v1/models/audience-preview/history", headers=world.auth("beta"))
    assert [e["kind"] for e in beta.json()["data"]] == ["added", "changed", "changed"]


def test_a_beta_model_that_left_the_catalog_stays_hidden(world: World) -> None:
    client, admin = world.client, world.auth("admin")
    record = text_model("audience-withdrawn")
    record["model_spec"]["beta"] = True
    assert client.post("/admin/v1/models", json=record, headers=admin).status_code == 201
    assert client.delete("/admin/v1/models/audience-withdrawn", headers=admin).status_code == 200
    assert client.get("/api/v1/models/audience-withdrawn/history").status_code == 404
    beta = client.get("/api/v1/models/audience-withdrawn/history", headers=world.auth("beta"))
    assert [e["kind"] for e in beta.json()["data"]] == ["added", "removed"]
