"""Every real capture parses and dumps back to the same JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelcatalog.spec import parse_record

from ..conftest import CAPTURES


def _capture_records() -> list[tuple[str, dict[str, Any]]]:
    records: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CAPTURES.rglob("*.json")):
        document = json.loads(path.read_text())
        if isinstance(document, list):
            items = document
        elif isinstance(document, dict) and isinstance(document.get("data"), list):
            items = document["data"]
        elif isinstance(document, dict) and "model_entries" in document:
            items = list(document["model_entries"].values())
        else:
            continue
        records.extend((f"{path.name}:{item['id']}", item) for item in items)
    return records


RECORDS = _capture_records()


def test_captures_hold_many_records() -> None:
    assert len(RECORDS) > 400


@pytest.mark.parametrize(("name", "data"), RECORDS, ids=[name for name, _ in RECORDS])
def test_capture_round_trips_exactly(name: str, data: dict[str, Any]) -> None:
    dumped = parse_record(data).to_wire()
    assert dumped == data
    # Same keys in the same order, integers still integers.
    assert json.dumps(dumped) == json.dumps(data)


def test_integers_stay_integers() -> None:
    record = parse_record(
        {"id": "m", "type": "tts", "model_spec": {"pricing": {"input": {"usd": 50, "diem": 0.5}}}}
    )
    assert record.to_wire()["model_spec"]["pricing"]["input"] == {"usd": 50, "diem": 0.5}
    assert isinstance(record.to_wire()["model_spec"]["pricing"]["input"]["usd"], int)


def test_variant_is_chosen_by_type(tmp_path: Path) -> None:
    upscale = parse_record(
        {
            "id": "u",
            "type": "upscale",
            "model_spec": {"pricing": {"upscale": {"2x": {"usd": 1, "diem": 1}}}},
        }
    )
    assert type(upscale).__name__ == "UpscaleModel"
    unknown = parse_record({"id": "d", "type": "decision", "model_spec": {"pricing": {"x": 1}}})
    assert unknown.to_wire() == {"id": "d", "type": "decision", "model_spec": {"pricing": {"x": 1}}}
