"""Destructive writes need intent: an import, replace or rollback that removes more than
``destructive_write_share`` of the models, or leaves none, is a 409 that says how many would
go, unless forced; maps change one entry at a time; dumps keep aliases and traits; a rollback
makes a new version equal to an old one; ``/readyz`` is 503 while no model is served.

Over real HTTP against ``modelcatalog serve`` on a fresh store (and the CLI on the same data
directory). Every refused write leaves the version and the ETags exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from modelcatalog.api.labels import template_label
from modelcatalog.errors import DestructiveWrite
from modelcatalog.store import Store
from modelcatalog.store.document import CatalogDocument
from modelcatalog.store.store import check_removals
from tests.hardening.store_server import StoreServer, store_server
from tests.store.factory import dump, text_model
from tests.store.servers import run_cli, wait_for

BUNDLED_MODELS = 55


@pytest.fixture
def served(tmp_path: Path) -> Iterator[StoreServer]:
    with store_server(tmp_path) as server:
        yield server


def _head(served: StoreServer) -> dict[str, Any]:
    data: dict[str, Any] = served.send("GET", "/admin/v1/versions?limit=1").json()["data"][0]
    return data


def _ids(served: StoreServer) -> set[str]:
    listing = served.client.get("/api/v1/models?type=all", headers=served.auth)
    return {m["id"] for m in listing.json()["data"]}


def _map(served: StoreServer, what: str, model_type: str = "text") -> dict[str, str]:
    response = served.client.get(f"/api/v1/models/{what}", params={"type": model_type})
    assert response.status_code == 200, response.text
    data: dict[str, str] = response.json()["data"]
    return data


# -- the rule itself -----------------------------------------------------------------------


def _document(count: int) -> CatalogDocument:
    return CatalogDocument(tuple({"id": f"m{i}"} for i in range(count)))


@pytest.mark.parametrize(
    ("before", "after", "share", "refused"),
    [
        (10, 5, 0.5, False),
        (10, 4, 0.5, True),
        (10, 0, 1.0, True),
        (1, 0, 0.5, True),
        (10, 9, 0.0, True),
        (10, 10, 0.0, False),
        (0, 0, 0.5, False),
    ],
)
def test_the_share_rule(before: int, after: int, share: float, refused: bool) -> None:
    if refused:
        with pytest.raises(DestructiveWrite) as raised:
            check_removals(_document(before), _document(after), share)
        assert (raised.value.removed, raised.value.after) == (before - after, after)
    else:
        check_removals(_document(before), _document(after), share)


# -- imports -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{"data": []}, [], {"models": [], "aliases": {}}])
def test_an_import_that_empties_the_catalog_is_a_409_with_the_count(
    served: StoreServer, body: Any
) -> None:
    with served.unchanged():
        response = served.send("POST", "/admin/v1/import", body)
    assert response.status_code == 409, response.text
    details = response.json()["details"]
    assert details == {
        "removed": BUNDLED_MODELS,
        "before": BUNDLED_MODELS,
        "after": 0,
        "max_removed_share": 0.5,
    }
    assert f"remove {BUNDLED_MODELS} of {BUNDLED_MODELS} models" in response.json()["error"]


def test_forcing_an_empty_catalog_makes_readyz_503_until_a_rollback(served: StoreServer) -> None:
    good = _head(served)["version"]
    assert served.client.get("/readyz").status_code == 200
    forced = served.send("POST", "/admin/v1/import?force=true", {"data": []})
    assert forced.status_code == 201, forced.text
    assert forced.json()["version"]["models"] == 0
    wait_for(lambda: served.client.get("/readyz").status_code == 503)
    ready = served.client.get("/readyz")
    assert ready.json()["status"] == "empty" and ready.json()["models"] == 0
    # A rollback from nothing to something removes nothing: no force needed.
    back = served.send("POST", f"/admin/v1/versions/{good}/rollback")
    assert back.status_code == 200, back.text
    assert back.json()["version"]["message"] == f"rollback to version {good}"
    assert served.client.get("/readyz").status_code == 200
    assert _head(served)["models"] == BUNDLED_MODELS


def test_an_import_replacing_most_models_needs_force(served: StoreServer) -> None:
    body = dump(text_model("only-a"), text_model("only-b"))
    with served.unchanged():
        response = served.send("POST", "/admin/v1/import", body)
        assert response.status_code == 409, response.text
        assert response.json()["details"]["removed"] == BUNDLED_MODELS
        for flag in ("force=false", "force=1", "force=TRUE"):
            response = served.send("POST", f"/admin/v1/import?{flag}", body)
            assert response.status_code in (400, 409), (flag, response.text)
    forced = served.send("POST", "/admin/v1/import?force=true", body)
    assert forced.status_code == 201, forced.text
    assert _ids(served) == {"only-a", "only-b"}


def test_an_import_removing_no_more_than_the_share_needs_no_force(served: StoreServer) -> None:
    exported = _export_dump(served)
    data = orjson.loads(exported)
    keep = BUNDLED_MODELS - BUNDLED_MODELS // 2  # removes 27 of 55: under half
    dropped = {r["id"] for r in data["data"][keep:]}
    data["data"] = data["data"][:keep]
    data["aliases"] = {
        t: {a: m for a, m in aliases.items() if m not in dropped}
        for t, aliases in data["aliases"].items()
    }
    response = served.send("POST", "/admin/v1/import", data)
    assert response.status_code == 201, response.text
    assert response.json()["version"]["models"] == keep


def test_deleting_the_last_model_needs_force(tmp_path: Path) -> None:
    with store_server(tmp_path) as served:
        forced = served.send("POST", "/admin/v1/import?force=true", dump(text_model("last")))
        assert forced.status_code == 201, forced.text
        with served.unchanged():
            refused = served.send("DELETE", "/admin/v1/models/last")
        assert refused.status_code == 409, refused.text
        assert refused.json()["details"]["removed"] == 1
        assert served.send("DELETE", "/admin/v1/models/last?force=true").status_code == 200


def test_the_share_is_a_setting(tmp_path: Path) -> None:
    with store_server(tmp_path, env={"MODELCATALOG_DESTRUCTIVE_WRITE_SHARE": "0"}) as served:
        with served.unchanged():
            refused = served.send("DELETE", "/admin/v1/models/qwen3-next-80b")
        assert refused.status_code == 409, refused.text
        assert refused.json()["details"]["max_removed_share"] == 0


# -- per-entry maps ------------------------------------------------------------------------


def test_one_alias_at_a_time(served: StoreServer) -> None:
    before = _map(served, "compatibility_mapping")
    put = served.send("PUT", "/admin/v1/aliases/text/acme/chat-1", {"model": "qwen3-next-80b"})
    assert put.status_code == 200, put.text
    after = _map(served, "compatibility_mapping")
    assert after == {**before, "acme/chat-1": "qwen3-next-80b"}
    moved = served.send("PUT", "/admin/v1/aliases/text/gpt-4o", {"model": "qwen3-next-80b"})
    assert moved.status_code == 200, moved.text
    assert _map(served, "compatibility_mapping")["gpt-4o"] == "qwen3-next-80b"
    deleted = served.send("DELETE", "/admin/v1/aliases/text/acme/chat-1")
    assert deleted.status_code == 200, deleted.text
    assert "acme/chat-1" not in _map(served, "compatibility_mapping")
    with served.unchanged():
        assert served.send("DELETE", "/admin/v1/aliases/text/acme/chat-1").status_code == 404
        missing = served.send("PUT", "/admin/v1/aliases/text/x", {"model": "no-such-model"})
        assert missing.status_code == 422, missing.text
        shadow = served.send("PUT", "/admin/v1/aliases/text/llama-3.2-3b", {"model": "kimi-k3"})
        assert shadow.status_code == 422, shadow.text


def test_one_trait_at_a_time(served: StoreServer) -> None:
    before = _map(served, "traits")
    put = served.send("PUT", "/admin/v1/traits/text/cheapest", {"model": "llama-3.2-3b"})
    assert put.status_code == 200, put.text
    assert _map(served, "traits") == {**before, "cheapest": "llama-3.2-3b"}
    moved = served.send("PUT", "/admin/v1/traits/text/fastest", {"model": "kimi-k3"})
    assert moved.status_code == 200, moved.text
    assert _map(served, "traits") == {**before, "cheapest": "llama-3.2-3b", "fastest": "kimi-k3"}
    assert served.send("DELETE", "/admin/v1/traits/text/cheapest").status_code == 200
    assert "cheapest" not in _map(served, "traits")
    with served.unchanged():
        assert served.send("DELETE", "/admin/v1/traits/text/cheapest").status_code == 404
        missing = served.send("PUT", "/admin/v1/traits/text/x", {"model": "no-such-model"})
        assert missing.status_code == 404, missing.text


def test_the_whole_map_put_still_replaces(served: StoreServer) -> None:
    response = served.send("PUT", "/admin/v1/aliases/text", {"only-alias": "qwen3-next-80b"})
    assert response.status_code == 200, response.text
    assert _map(served, "compatibility_mapping") == {"only-alias": "qwen3-next-80b"}


# -- dumps keep aliases and traits ---------------------------------------------------------


def _export_dump(served: StoreServer) -> bytes:
    path = served.data_dir.parent / "export.json"
    done = run_cli("export", str(path), "--format", "dump", "--data-dir", str(served.data_dir))
    assert done.returncode == 0, done.stderr
    return path.read_bytes()


def test_a_dump_round_trips_aliases_and_traits(served: StoreServer, tmp_path: Path) -> None:
    served.send("PUT", "/admin/v1/aliases/text/acme/chat-1", {"model": "qwen3-next-80b"})
    served.send("PUT", "/admin/v1/traits/text/cheapest", {"model": "llama-3.2-3b"})
    exported = _export_dump(served)
    assert "acme/chat-1" in orjson.loads(exported)["aliases"]["text"]
    # Into a new store through the CLI: the same document.
    other = tmp_path / "other"
    path = tmp_path / "dump.json"
    path.write_bytes(exported)
    done = run_cli("import", str(path), "--data-dir", str(other))
    assert done.returncode == 0, done.stderr
    with Store.open(served.data_dir) as source, Store.open(other) as copy:
        assert copy.document()[1].to_json() == source.document()[1].to_json()
    # Back into the same store through the API: nothing to change, so no new version.
    with served.unchanged():
        again = served.send("POST", "/admin/v1/import", exported)
    assert again.status_code == 201, again.text


# -- rollback ------------------------------------------------------------------------------


def test_rollback_makes_a_new_version_equal_to_an_old_one(served: StoreServer) -> None:
    first = _head(served)["version"]
    served.send("PUT", "/admin/v1/aliases/text/acme/chat-1", {"model": "qwen3-next-80b"})
    served.send("DELETE", "/admin/v1/models/kimi-k3")
    changed = _head(served)["version"]
    assert changed == first + 2
    response = served.send(
        "POST", f"/admin/v1/versions/{first}/rollback", **{"x-catalog-message": "undo"}
    )
    assert response.status_code == 200, response.text
    info = response.json()["version"]
    assert (
        info["version"] == changed + 1 and info["message"] == f"rollback to version {first}: undo"
    )
    assert response.headers["etag"] == f'"{changed + 1}"'
    diff = served.send("GET", f"/admin/v1/versions/{first}/diff/{changed + 1}").json()
    assert (diff["added"], diff["removed"], diff["changed"], diff["aliases"]) == ([], [], [], [])
    assert "kimi-k3" in _ids(served)
    history = served.send("GET", "/admin/v1/versions").json()["data"]
    assert [v["version"] for v in history][:4] == [changed + 1, changed, first + 1, first]


def test_a_destructive_rollback_needs_force(served: StoreServer) -> None:
    forced = served.send("POST", "/admin/v1/import?force=true", dump(text_model("only-a")))
    assert forced.status_code == 201
    tiny = _head(served)["version"]
    # Back to the bundled catalog removes only-a: all (1 of 1) of the current models.
    with served.unchanged():
        refused = served.send("POST", "/admin/v1/versions/1/rollback")
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"] == {
        "removed": 1,
        "before": 1,
        "after": BUNDLED_MODELS,
        "max_removed_share": 0.5,
    }
    assert served.send("POST", "/admin/v1/versions/1/rollback?force=true").status_code == 200
    with served.unchanged():
        refused = served.send("POST", f"/admin/v1/versions/{tiny}/rollback")
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"]["removed"] == BUNDLED_MODELS
    assert served.send("POST", f"/admin/v1/versions/{tiny}/rollback?force=true").status_code == 200
    assert _ids(served) == {"only-a"}


@pytest.mark.parametrize(("target", "status"), [("999", 404), ("9" * 30, 400), ("x", 400)])
def test_rollback_to_no_such_version(served: StoreServer, target: str, status: int) -> None:
    with served.unchanged():
        response = served.send("POST", f"/admin/v1/versions/{target}/rollback")
    assert response.status_code == status, response.text


def test_the_cli_rolls_back_with_the_same_rule(served: StoreServer) -> None:
    where = ("--data-dir", str(served.data_dir))
    forced = served.send("POST", "/admin/v1/import?force=true", dump(text_model("only-a")))
    assert forced.status_code == 201
    tiny = _head(served)["version"]
    done = run_cli("rollback", "1", "--force", "--json", *where)
    assert done.returncode == 0, done.stderr
    rolled = orjson.loads(done.stdout)
    assert rolled["message"] == "rollback to version 1"
    # The server follows the store on its own; let it catch up before comparing ETags.
    wait_for(lambda: served.server.version() == str(rolled["version"]))
    with served.unchanged():
        refused = run_cli("rollback", str(tiny), *where)
        assert refused.returncode == 1
        assert f"would remove {BUNDLED_MODELS} of {BUNDLED_MODELS} models" in refused.stderr
        assert run_cli("rollback", "999", *where).returncode == 1
    done = run_cli("rollback", str(tiny), "--force", "-m", "back to one", "--json", *where)
    assert done.returncode == 0, done.stderr
    info = orjson.loads(done.stdout)
    assert (info["models"], info["message"]) == (1, f"rollback to version {tiny}: back to one")


@pytest.mark.parametrize(
    ("template", "label"),
    [
        ("/admin/v1/aliases/{model_type}", "/admin/v1/aliases/{type}"),
        ("/admin/v1/aliases/{model_type}/{name:path}", "/admin/v1/aliases/{type}/{name}"),
        ("/admin/v1/traits/{model_type}/{name:path}", "/admin/v1/traits/{type}/{name}"),
        ("/admin/v1/versions/{n}/rollback", "/admin/v1/versions/{n}/rollback"),
        ("/admin/v1/versions/{a}/diff/{b}", "/admin/v1/versions/{a}/diff/{b}"),
    ],
)
def test_new_routes_have_bounded_metric_labels(template: str, label: str) -> None:
    # tests/api/test_metrics.py checks that every route is counted under its template's label.
    assert template_label(template) == label


@pytest.mark.parametrize("path", ["/admin/v1/traits/chat/fastest", "/admin/v1/traits/chat"])
def test_traits_of_an_unknown_type_are_refused(served: StoreServer, path: str) -> None:
    body = {"model": "kimi-k3"} if path.endswith("fastest") else {"fastest": "kimi-k3"}
    with served.unchanged():
        response = served.send("PUT", path, body)
    assert response.status_code == 404, response.text
    assert "not a model type" in response.json()["error"]
