"""Every worked example in docs/pricing.md is run here, so the documentation cannot drift.

A ``json model`` block sets the record for the examples after it; each ``json usage`` block is
followed by the ``json quote`` (the answer without ``at``) or ``json refused`` (status and
error message) the service gives for it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from modelcatalog.errors import InvalidUsage, QuoteError, UnpriceableRequest
from modelcatalog.pricing import parse_usage_json, quote
from modelcatalog.spec import parse_record

DOC = Path(__file__).resolve().parents[2] / "docs" / "pricing.md"
BLOCK = re.compile(r"^```json (model|usage|quote|refused)\n(.*?)^```$", re.M | re.S)
STATUS = {InvalidUsage: 400, UnpriceableRequest: 422}


def _examples() -> list[tuple[str, dict[str, Any] | None, str, str, dict[str, Any]]]:
    examples = []
    model: dict[str, Any] | None = None
    usage: str | None = None
    for number, match in enumerate(BLOCK.finditer(DOC.read_text()), 1):
        kind, text = match.groups()
        if kind == "model":
            model = json.loads(text)
        elif kind == "usage":
            usage = text
        else:
            assert usage is not None, f"block {number}: a {kind} block needs a usage block first"
            examples.append((f"{number}-{kind}", model, usage, kind, json.loads(text)))
            usage = None
    return examples


EXAMPLES = _examples()


def test_every_variant_has_an_example() -> None:
    types = {model["type"] for _, model, _, kind, _ in EXAMPLES if model and kind == "quote"}
    assert types >= {"text", "image", "upscale", "inpaint", "tts", "asr", "music"}
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(
    ("model", "usage", "kind", "expected"),
    [example[1:] for example in EXAMPLES],
    ids=[example[0] for example in EXAMPLES],
)
def test_documented_example(
    model: dict[str, Any] | None, usage: str, kind: str, expected: dict[str, Any]
) -> None:
    if kind == "quote":
        assert model is not None
        answer = quote(parse_record(model), parse_usage_json(usage)).to_json()
        del answer["at"]
        assert answer == expected
        return
    with pytest.raises(QuoteError) as caught:
        parsed = parse_usage_json(usage)
        assert model is not None, "a usage refused without a model must be malformed"
        quote(parse_record(model), parsed)
    assert {"status": STATUS[type(caught.value)], "error": str(caught.value)} == expected
