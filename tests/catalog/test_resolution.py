"""The resolution rule on its own: order of the steps, remap chains, 410s and suggestions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modelcatalog.catalog.resolution import Candidate, Index, close_ids, resolve
from modelcatalog.errors import ModelNotFound, ModelRemoved

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def model(
    model_id: str,
    model_type: str = "text",
    *,
    removed: bool = False,
    deprecated: bool = False,
    auto_remap: bool = False,
    replacement: str | None = None,
) -> Candidate:
    removes = "2026-06-01T00:00:00Z" if removed or deprecated else None
    return Candidate(model_id, model_type, removed, deprecated, auto_remap, removes, replacement)


INDEX = Index.of(
    [
        model("llama-3.3-70b"),
        model("Llama-Guard"),
        model("zai-org-glm-5-2"),
        model("qwen3-5-9b", deprecated=True, replacement="zai-org-glm-5-2"),
        model("old-a", removed=True, auto_remap=True, replacement="old-b"),
        model("old-b", removed=True, auto_remap=True, replacement="llama-3.3-70b"),
        model("gone", removed=True, replacement="llama-3.3-70b"),
        model("gone-to-nothing", removed=True, auto_remap=True),
        model("qwen-image", "image"),
        # An image model whose id is also a text alias: the alias wins for text requests.
        model("gpt-4.1", "image"),
    ],
    traits={"text": {"default": "zai-org-glm-5-2"}, "image": {"default": "qwen-image"}},
    aliases={"text": {"gpt-4o": "llama-3.3-70b", "gpt-4.1": "llama-3.3-70b"}},
)


def test_an_exact_id_resolves_to_itself_whatever_its_type() -> None:
    found = resolve(INDEX, "qwen-image")
    assert (found.model_id, found.type) == ("qwen-image", "image")
    assert [s.as_json() for s in found.via] == [
        {"kind": "id", "from": "qwen-image", "to": "qwen-image"}
    ]
    assert found.warnings() == []


def test_ids_are_case_sensitive_and_the_wrong_case_is_suggested() -> None:
    with pytest.raises(ModelNotFound) as raised:
        resolve(INDEX, "LLAMA-3.3-70B")
    assert raised.value.details == {"id": "LLAMA-3.3-70B", "suggestions": ["llama-3.3-70b"]}


def test_a_trait_of_the_type_defaults_to_text() -> None:
    assert resolve(INDEX, "default").model_id == "zai-org-glm-5-2"
    found = resolve(INDEX, "default", "image")
    assert found.model_id == "qwen-image"
    assert found.via[0].as_json() == {"kind": "trait", "from": "default", "to": "qwen-image"}


def test_an_alias_resolves_to_its_target() -> None:
    found = resolve(INDEX, "gpt-4o")
    assert found.model_id == "llama-3.3-70b"
    assert found.via[0].kind == "alias"


def test_a_type_restricts_the_id_step_so_an_alias_of_that_type_is_found() -> None:
    assert resolve(INDEX, "gpt-4.1").model_id == "gpt-4.1"  # no type: the exact id
    assert resolve(INDEX, "gpt-4.1", "text").model_id == "llama-3.3-70b"
    with pytest.raises(ModelNotFound):
        resolve(INDEX, "qwen-image", "text")


def test_a_removed_model_with_auto_remap_is_followed_to_the_end_of_the_chain() -> None:
    found = resolve(INDEX, "old-a")
    assert found.model_id == "llama-3.3-70b"
    assert [s.as_json() for s in found.via] == [
        {"kind": "remap", "from": "old-a", "to": "old-b"},
        {"kind": "remap", "from": "old-b", "to": "llama-3.3-70b"},
    ]


def test_a_removed_model_without_auto_remap_is_gone_with_its_replacement() -> None:
    with pytest.raises(ModelRemoved) as raised:
        resolve(INDEX, "gone")
    assert raised.value.details == {
        "id": "gone",
        "removedAt": "2026-06-01T00:00:00Z",
        "replacementModelId": "llama-3.3-70b",
    }
    with pytest.raises(ModelRemoved):
        resolve(INDEX, "gone-to-nothing")


def test_a_deprecated_model_is_served_with_a_warning() -> None:
    found = resolve(INDEX, "qwen3-5-9b")
    assert found.warnings() == [
        {
            "code": "deprecated",
            "removesAt": "2026-06-01T00:00:00Z",
            "replacementModelId": "zai-org-glm-5-2",
        }
    ]
    body = found.as_json({"id": "qwen3-5-9b"})
    assert list(body) == ["object", "requested", "type", "model", "via", "warnings"]


def test_a_remap_loop_ends_in_a_410_not_a_hang() -> None:
    looped = Index.of(
        [
            model("a", removed=True, auto_remap=True, replacement="b"),
            model("b", removed=True, auto_remap=True, replacement="a"),
        ],
        {},
        {},
    )
    with pytest.raises(ModelRemoved):
        resolve(looped, "a")


def test_suggestions_are_close_listed_ids_at_most_five() -> None:
    assert close_ids(INDEX, "llama-3.3-7b") == ["llama-3.3-70b"]
    assert close_ids(INDEX, "gone") == []  # removed models are not suggested
    crowded = Index.of([model(f"model-{i}") for i in range(9)], {}, {})
    assert close_ids(crowded, "model-x") == [f"model-{i}" for i in range(5)]
    assert close_ids(INDEX, "x" * 10_000) == []


def test_candidates_read_the_served_record() -> None:
    wire = {
        "id": "m",
        "type": "text",
        "model_spec": {
            "deprecation": {
                "autoRemap": True,
                "removesAt": "2026-06-01T00:00:00Z",
                "replacementModelId": "n",
            }
        },
    }
    assert Candidate.of(wire, NOW, "n") == model(
        "m", removed=True, auto_remap=True, replacement="n"
    )
