"""Catalogs the API tests serve, built from bundled records with the lifecycle, audience and
alias facts the tests rely on set explicitly here (so the tests do not depend on what the
bundled data happens to say about them)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.findings import Mode
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.sources import read_source
from modelcatalog.catalog.validation import check_catalog

DEPRECATION_STARTS = "2026-11-15T00:00:00.000Z"
REMOVES = "2027-02-01T00:00:00.000Z"
#: Before the deprecation starts; while deprecated and listed; the removal instant itself.
EARLY = datetime(2026, 11, 1, tzinfo=UTC)
DEPRECATED = datetime(2026, 12, 1, tzinfo=UTC)
REMOVED = datetime(2027, 2, 1, tzinfo=UTC)

DEFAULT = "zai-org-glm-5-2"
FASTEST = "llama-3.2-3b"
CODER = "qwen3-coder-480b-a35b-instruct-turbo"
SUCCESSOR = "qwen3-5-9b"
RETIRING = "qwen3-next-80b"
BETA = "qwen3-6-35b-a3b"
PUBLIC_CLONING = "tts-chatterbox-hd"
PRIVATE_CLONING = "tts-minimax-speech-02-hd"
IMAGE = "qwen-image"
SLASHED = "openai/whisper-large-v3"

TEXT = (DEFAULT, FASTEST, CODER, SUCCESSOR, RETIRING, BETA)
PICKS = {
    "text": TEXT,
    "tts": (PUBLIC_CLONING, PRIVATE_CLONING),
    "image": (IMAGE,),
    "asr": (SLASHED,),
}
TRAITS = {DEFAULT: ["default", "function_calling_default"], FASTEST: ["fastest"]}
ALIASES = {
    "text": {"gpt-4o": DEFAULT, "gpt-3.5-turbo": RETIRING, "o3": BETA},
    "tts": {"tts-1": PUBLIC_CLONING},
}


def records() -> dict[str, dict[str, Any]]:
    """The test catalog's records by id, in catalog (file) order."""
    found: dict[str, dict[str, Any]] = {}
    for model_type, ids in PICKS.items():
        for model_id in ids:
            path = BUNDLED_CATALOG / model_type / f"{model_id}.yaml"
            found[model_id] = _adjusted(model_id, yaml.safe_load(path.read_text()))
    return found


def _adjusted(model_id: str, record: dict[str, Any]) -> dict[str, Any]:
    spec = record["model_spec"]
    spec.pop("deprecation", None)
    spec.pop("beta", None)
    if record["type"] == "text":
        spec["traits"] = TRAITS.get(model_id, [])
        spec["capabilities"]["optimizedForCode"] = model_id in (DEFAULT, CODER, BETA)
    if model_id == RETIRING:
        spec["traits"] = ["most_uncensored"]
        spec["deprecation"] = {
            "autoRemap": True,
            "date": REMOVES,
            "removesAt": REMOVES,
            "replacementModelId": SUCCESSOR,
            "startsAt": DEPRECATION_STARTS,
        }
    if model_id == BETA:
        spec["beta"] = True
        spec["traits"] = ["default_reasoning"]
    if model_id == PRIVATE_CLONING:
        record.pop("x-catalog", None)
        assert "voice_cloning" in spec
    if model_id == PUBLIC_CLONING:
        record["x-catalog"] = {"publicVoiceCloning": True}
        assert "voice_cloning" in spec
    return record


def write_catalog(root: Path) -> Path:
    """Write the test catalog as a catalog directory under ``root``; returns its path."""
    catalog = root / "catalog"
    for model_id, record in records().items():
        path = catalog / record["type"] / f"{model_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(record, sort_keys=False))
    (catalog / "aliases").mkdir()
    for model_type, aliases in ALIASES.items():
        (catalog / "aliases" / f"{model_type}.yaml").write_text(yaml.safe_dump(aliases))
    return catalog


def write_dump(path: Path, items: Iterable[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"data": list(items), "object": "list", "type": "all"}))
    return path


def snapshot_of(path: Path) -> CatalogSnapshot:
    """A snapshot as ``modelcatalog serve`` loads it (strict for directories)."""
    source = read_source(path)
    mode = Mode.COMPATIBLE if source.from_dump else Mode.STRICT
    return CatalogSnapshot.from_checked(check_catalog(source, mode))
