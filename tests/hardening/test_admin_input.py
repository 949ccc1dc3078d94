"""Strict admin input: one id grammar everywhere, no coercion of types, integers that are
ASCII digits in the store's range. Every refusal is a 4xx with the usual error envelope and
leaves the catalog's version and ETags exactly as they were.

Over real HTTP against ``modelcatalog serve`` on a fresh store; the same ids go through a dump,
a model file and the command line to show that every way in refuses them alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson
import pytest
import yaml

from modelcatalog.catalog import Mode, check_catalog, read_source
from modelcatalog.catalog.ids import MAX_ID_LENGTH, id_problem
from modelcatalog.catalog.sources import read_document_bytes
from modelcatalog.errors import NotFound
from tests.hardening.store_server import StoreServer, store_server
from tests.store.factory import dump, text_model
from tests.store.servers import run_cli

CAPTURES = Path(__file__).parents[1] / "fixtures" / "venice-captures"
MODEL = "qwen3-next-80b"  # a text model of the bundled catalog

REAL_IDS = [
    "openai/gpt-4o",
    "vertex_ai/claude-3-5-sonnet@20240620",
    "cloudflare/@cf/meta/llama-2-7b-chat-fp16",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "x" * MAX_ID_LENGTH,
    "modèle-ünïcode",
]
BAD_IDS = [
    "org/../escape",
    "org/./here",
    "..",
    "/leading",
    "trailing/",
    "double//slash",
    "carriage\r\nreturn",
    "line\nfeed",
    "nul\x00byte",
    "tab\tbed",
    "with space",
    "bell\x07",
    "x" * (MAX_ID_LENGTH + 1),
    "x" * 5000,
    "some/model/retire",
    "some/model/quote",
    "some/model/history",
    "traits",
    "compatibility_mapping",
    "resolve",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreServer]:
    with store_server(tmp_path_factory.mktemp("admin-input")) as server:
        yield server


def _rules(response: Any) -> set[str]:
    return {f["rule"] for f in response.json()["details"]["findings"]}


# -- the id grammar ----------------------------------------------------------------------


@pytest.mark.parametrize("model_id", REAL_IDS)
def test_real_ids_follow_the_grammar(model_id: str) -> None:
    assert id_problem(model_id) is None


@pytest.mark.parametrize("model_id", BAD_IDS)
def test_bad_ids_do_not(model_id: str) -> None:
    assert id_problem(model_id) is not None


def test_every_id_in_the_venice_captures_follows_the_grammar() -> None:
    checked = 0
    for path in sorted(CAPTURES.rglob("*.json")):
        try:
            source = read_source(path)
        except Exception:  # error bodies and trait maps are not catalogs
            continue
        ids = [r.data.get("id") for r in source.records if isinstance(r.data, dict)]
        assert [i for i in ids if isinstance(i, str) and id_problem(i)] == [], path
        findings = check_catalog(source, Mode.COMPATIBLE).findings
        assert not [f for f in findings if f.rule == "model-id"], path
        checked += len(ids)
    assert checked > 100


@pytest.mark.parametrize("model_id", BAD_IDS)
def test_the_api_refuses_bad_ids_and_changes_nothing(served: StoreServer, model_id: str) -> None:
    with served.unchanged():
        response = served.send("POST", "/admin/v1/models", text_model(model_id))
        assert response.status_code == 422, response.text
        assert _rules(response) == {"model-id"}
        imported = served.send(
            "POST", "/admin/v1/import", {"models": [text_model(model_id)], "aliases": {}}
        )
        assert imported.status_code in (409, 422), imported.text  # too destructive, or invalid
        forced = served.send(
            "POST",
            "/admin/v1/import?force=true",
            dump(*[r for r in _bundled(served)], text_model(model_id)),
        )
        assert forced.status_code == 422, forced.text
        assert "model-id" in _rules(forced)


def _bundled(served: StoreServer) -> list[dict[str, Any]]:
    info = served.send("GET", "/admin/v1/versions?limit=1").json()["data"][0]
    assert info["models"] > 10
    return [
        served.send("GET", f"/admin/v1/models/{m['id']}").json()
        for m in served.client.get("/api/v1/models?type=all", headers=served.auth).json()["data"][
            :3
        ]
    ]


@pytest.mark.parametrize("model_id", REAL_IDS)
def test_the_api_accepts_real_ids(served: StoreServer, model_id: str) -> None:
    created = served.send("POST", "/admin/v1/models", text_model(model_id))
    assert created.status_code == 201, created.text
    fetched = served.send("GET", f"/admin/v1/models/{model_id}")
    assert fetched.status_code == 200 and fetched.json()["id"] == model_id
    assert served.client.get(f"/api/v1/models/{model_id}").status_code == 200


@pytest.mark.parametrize("model_id", ["org/../escape", "carriage\r\nreturn", "x" * 5000])
def test_a_dump_a_model_file_and_the_cli_refuse_the_same_ids(tmp_path: Path, model_id: str) -> None:
    body = orjson.dumps(dump(text_model(model_id)))
    strict = check_catalog(read_document_bytes(body, "dump.json"), Mode.STRICT)
    assert {f.rule for f in strict.errors} == {"model-id"}
    model_file = tmp_path / "model.yaml"
    model_file.write_text(yaml.safe_dump(text_model(model_id)))
    assert {f.rule for f in check_catalog(read_source(model_file), Mode.STRICT).errors} == {
        "model-id"
    }
    dump_file = tmp_path / "dump.json"
    dump_file.write_bytes(body)
    imported = run_cli("import", str(dump_file), "--data-dir", str(tmp_path / "data"))
    assert imported.returncode == 1, imported.stderr
    assert ".id: " in imported.stderr and "nothing was written" in imported.stderr
    # Compatible mode (serving live data) keeps the record and warns.
    compatible = check_catalog(read_document_bytes(body, "dump.json"), Mode.COMPATIBLE)
    assert compatible.ok and {f.rule for f in compatible.warnings} >= {"model-id"}


# -- no coercion from strings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"removesAt": "2030-01-01T00:00:00Z", "autoRemap": "false"}, "autoRemap"),
        ({"removesAt": "2030-01-01T00:00:00Z", "autoRemap": 0}, "autoRemap"),
        ({"removesAt": "2030-01-01T00:00:00Z", "autoRemap": None}, "autoRemap"),
        ({"removesAt": 1893456000}, "removesAt"),
        ({"removesAt": "2030-01-01T00:00:00Z", "replacementModelId": 7}, "replacementModelId"),
        # null is a mistyped value, not "left out" (schemathesis found both accepted)
        ({"removesAt": "2030-01-01T00:00:00Z", "replacementModelId": None}, "replacementModelId"),
        ({"removesAt": "2030-01-01T00:00:00Z", "startsAt": None}, "startsAt"),
    ],
)
def test_retire_takes_json_types_literally(
    served: StoreServer, body: dict[str, Any], field: str
) -> None:
    with served.unchanged():
        response = served.send("POST", f"/admin/v1/models/{MODEL}/retire", body)
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"field": field}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("created",), "1700000000"),
        (("context_length",), "32768"),
        (("model_spec", "offline"), "false"),
        (("model_spec", "capabilities", "supportsVision"), "true"),
    ],
)
def test_records_are_not_coerced(served: StoreServer, path: tuple[str, ...], value: str) -> None:
    record = text_model("coerced")
    holder = record
    for name in path[:-1]:
        holder = holder[name]
    holder[path[-1]] = value
    with served.unchanged():
        response = served.send("POST", "/admin/v1/models", record)
    assert response.status_code == 422, response.text
    assert _rules(response) == {"type"}


@pytest.mark.parametrize("body", ['"openai/gpt-4o"', "[1]", "null", '{"model": 5}'])
def test_entry_bodies_are_an_object_with_a_model_id(served: StoreServer, body: str) -> None:
    with served.unchanged():
        response = served.send("PUT", "/admin/v1/aliases/text/gpt-x", body)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("aliases", [None, [], "text"])
def test_import_aliases_are_an_object(served: StoreServer, aliases: Any) -> None:
    body = {"models": [text_model("import-aliases")], "aliases": aliases}
    with served.unchanged():
        response = served.send("POST", "/admin/v1/import?force=true", body)
    assert response.status_code == 400, response.text
    assert "aliases" in response.json()["error"]


def _asr_with(**constraints: Any) -> dict[str, Any]:
    record = text_model("asr-option-lists")
    record["type"] = "asr"
    record.pop("context_length")
    record["model_spec"]["constraints"] = constraints
    return record


@pytest.mark.parametrize(
    "constraints",
    [
        # asr has no typed constraints, so the option-list rules meet any JSON value
        {"qualities": [{}], "defaultQuality": "high"},
        {"resolutions": [[1], [1]]},
        {"qualities": 5, "defaultQuality": "high"},
        {"resolutions": {"a": 1}, "defaultResolution": "a"},
    ],
)
def test_option_lists_of_any_shape_are_findings_not_errors(
    served: StoreServer, constraints: dict[str, Any]
) -> None:
    with served.unchanged():
        response = served.send("POST", "/admin/v1/models", _asr_with(**constraints))
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("extension", [[None, None], "public", 1])
def test_an_imported_operator_object_of_another_type_is_a_finding(
    served: StoreServer, extension: Any
) -> None:
    record = text_model("imported-extension")
    record["model_spec"]["voice_cloning"] = {"accepted_formats": ["mp3"]}
    record["x-catalog"] = extension
    with served.unchanged():
        response = served.send("POST", "/admin/v1/import?force=true", [record])
    assert response.status_code == 422, response.text
    assert "x-catalog" in response.text


# -- integers ------------------------------------------------------------------------------

HUGE = "9" * 26


@pytest.mark.parametrize(
    "query",
    [
        "limit=²",
        "limit=١٢",
        "limit=-1",
        "limit=1.5",
        "limit=",
        f"limit={HUGE}",
        f"before={HUGE}",
        "before=9223372036854775808",
        "before=+3",
        "before=0x10",
    ],
)
def test_integer_query_parameters_are_ascii_digits_in_range(
    served: StoreServer, query: str
) -> None:
    response = served.send("GET", f"/admin/v1/versions?{query}")
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "details"}


@pytest.mark.parametrize(
    ("a", "b", "status"),
    [
        (HUGE, "1", 400),
        ("1", HUGE, 400),
        ("²", "1", 400),
        ("9223372036854775808", "1", 400),
        ("9223372036854775807", "1", 404),
        ("1", "1", 200),
    ],
)
def test_version_path_segments(served: StoreServer, a: str, b: str, status: int) -> None:
    response = served.send("GET", f"/admin/v1/versions/{a}/diff/{b}")
    assert response.status_code == status, response.text


@pytest.mark.parametrize("query", ["limit=9223372036854775807", "limit=501", "limit=0", "before=0"])
def test_a_page_outside_its_range_is_refused(served: StoreServer, query: str) -> None:
    response = served.send("GET", f"/admin/v1/versions?{query}")
    assert response.status_code == 400, response.text
    assert set(response.json()["details"]) == {query.split("=")[0]}


def test_the_largest_page_is_served(served: StoreServer) -> None:
    response = served.send("GET", "/admin/v1/versions?limit=500&before=2")
    assert response.status_code == 200, response.text
    assert [v["version"] for v in response.json()["data"]] == [1]


@pytest.mark.parametrize(
    "if_match",
    ['"' + "1" * 10_000 + '"', "1" * 10_000, f'"{HUGE}"', '"²"', '"1", "2"', "W/", "abc"],
)
def test_if_match_is_a_bounded_version(served: StoreServer, if_match: str) -> None:
    raw = if_match.encode()  # sent as UTF-8 bytes, as a hostile client would
    with served.unchanged():
        response = served.send(
            "PATCH",
            f"/admin/v1/models/{MODEL}",
            {"model_spec": {"name": "patched"}},
            **{"if-match": raw},
        )
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"If-Match": 'a catalog version ETag, e.g. "12"'}


def test_force_is_true_or_false(served: StoreServer) -> None:
    with served.unchanged():
        response = served.send("DELETE", f"/admin/v1/models/{MODEL}?force=yes")
    assert response.status_code == 400, response.text
    assert response.json()["details"] == {"force": "true or false"}


@pytest.mark.parametrize("alias", ["has%20space", "cr%0D%0Alf", "nul%00", "a/%2E%2E/b", "x" * 200])
def test_alias_names_follow_the_id_grammar(served: StoreServer, alias: str) -> None:
    with served.unchanged():
        one = served.send("PUT", f"/admin/v1/aliases/text/{alias}", {"model": MODEL})
        if "%0A" in alias:  # a line break matches no route (paths are single-line patterns)
            assert one.status_code == 404, one.text
        else:
            assert one.status_code == 422, one.text
            assert _rules(one) == {"alias-name"}
        whole = served.send("PUT", "/admin/v1/aliases/text", {unquote(alias): MODEL})
        assert whole.status_code == 422, whole.text
        assert "alias-name" in _rules(whole)


@pytest.mark.parametrize(
    "args",
    [
        ("diff", HUGE, "1"),
        ("diff", "1", "²"),
        ("versions", "--before", HUGE),
        ("versions", "--limit", "-5"),
        ("export", "out.json", "--format", "dump", "--version", HUGE),
        ("rollback", HUGE),
        ("import", "missing.json", "--expect", HUGE),
    ],
)
def test_cli_integers_are_range_checked(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run_cli(*args, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Invalid value" in done.stderr and "Traceback" not in done.stderr


def test_the_cli_and_the_store_agree_on_the_largest_version() -> None:
    from modelcatalog.cli import store as cli_store
    from modelcatalog.store.store import MAX_VERSION, Store

    assert cli_store._MAX_VERSION == MAX_VERSION
    with Store.open(database_url="sqlite://") as store:
        for method in (store.version, store.document):
            with pytest.raises(NotFound):
                method(MAX_VERSION + 1)
        assert store.versions(before=MAX_VERSION * 10) == []


@pytest.mark.parametrize("model_id", [["a"], {"a": 1}, 5, None, True])
def test_ids_that_are_not_strings_are_a_422(served: StoreServer, model_id: Any) -> None:
    record = {**text_model("placeholder"), "id": model_id}
    with served.unchanged():
        created = served.send("POST", "/admin/v1/models", record)
        assert created.status_code == 422, created.text
        for query in ("", "?force=true"):
            imported = served.send("POST", f"/admin/v1/import{query}", dump(record, 7))
            assert imported.status_code in (409, 422), imported.text
