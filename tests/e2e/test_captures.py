"""Each live-API capture, served with --catalog at its own date, comes back unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from modelcatalog.spec.record import MODEL_TYPES
from tests.conftest import SPEC
from tests.e2e.conftest import ServerFactory

pytestmark = pytest.mark.e2e

VALIDATOR = jsonschema.Draft4Validator(
    yaml.safe_load(SPEC.read_text())["components"]["schemas"]["ModelResponse"]
)


def schema_errors(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (r.get("id", "?"), "/".join(map(str, e.absolute_path)), e.message)
        for r in records
        for e in VALIDATOR.iter_errors(r)
    ]


def capture_dump(
    captures_dir: Path, name: str, tmp_path: Path
) -> tuple[Path, list[dict[str, Any]]]:
    """The capture as a Venice dump file, and its records in order."""
    source = captures_dir / name
    if source.is_dir():
        records = [r for f in sorted(source.glob("*.json")) for r in json.loads(f.read_text())]
    else:
        document = json.loads(source.read_text())
        if "model_entries" in document:
            records = list(document["model_entries"].values())
        else:
            records = document["data"] if isinstance(document, dict) else document
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(records))
    return dump, records


@pytest.mark.parametrize(
    ("name", "captured"),
    [
        ("corre_venice_models_text_2026-03-03.json", "2026-03-03"),
        ("venice-pricing_type-all_2025-12-14", "2025-12-14"),
        ("venice-cpp_captured_entries_2026-07-28_and_08-11.json", "2026-08-11"),
        ("api-docs_static-models_2026-08-22.json", "2026-08-22"),
    ],
)
def test_capture_is_served_unchanged(
    serve: ServerFactory, captures_dir: Path, tmp_path: Path, name: str, captured: str
) -> None:
    dump, records = capture_dump(captures_dir, name, tmp_path)
    server = serve("--catalog", str(dump), "--now", captured)
    with httpx.Client(base_url=f"{server.url}/api/v1") as client:
        every = client.get("/models", params={"type": "all"}).json()
        assert every["data"] == records
        for model_type in MODEL_TYPES:
            listed = client.get("/models", params={"type": model_type}).json()
            assert listed["data"] == [r for r in records if r["type"] == model_type]
        for record in records[:20]:
            assert client.get(f"/models/{record['id']}").json() == record
    # As served: the service adds no schema violation to what the live API sent.
    assert schema_errors(every["data"]) == schema_errors(records)


def test_corre_capture_keeps_the_live_envelope(serve: ServerFactory, captures_dir: Path) -> None:
    capture = captures_dir / "corre_venice_models_text_2026-03-03.json"
    server = serve("--catalog", str(capture), "--now", "2026-03-03")
    assert httpx.get(f"{server.url}/api/v1/models").json() == json.loads(capture.read_text())


def test_capture_after_its_legacy_date_drops_the_retired(
    serve: ServerFactory, captures_dir: Path
) -> None:
    capture = captures_dir / "corre_venice_models_text_2026-03-03.json"
    retired = {
        r["id"]
        for r in json.loads(capture.read_text())["data"]
        if r["model_spec"].get("deprecation", {}).get("date") == "2026-03-29T00:00:00.000Z"
    }
    assert retired
    server = serve("--catalog", str(capture), "--now", "2026-03-29")
    listed = {m["id"] for m in httpx.get(f"{server.url}/api/v1/models").json()["data"]}
    assert not listed & retired
    gone = httpx.get(f"{server.url}/api/v1/models/{sorted(retired)[0]}")
    assert gone.status_code == 410
