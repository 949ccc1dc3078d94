"""The real LiteLLM price map, read independently of the importer (for expectations)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

from tests.conftest import FIXTURES

LITELLM_MAP = FIXTURES / "litellm-cost-map" / "model_prices_and_context_window_1.110.2.json"
#: Every field the operator must give for this map (it states none of them).
ALL_DEFAULTS = {
    "privacy": "anonymized",
    "quantization": "not-available",
    "capabilities": "false",
    "diem": "1",
}


@cache
def raw_map() -> bytes:
    return LITELLM_MAP.read_bytes()


def entries() -> dict[str, Any]:
    """The map with every number as the Decimal its JSON text spells."""
    loaded: dict[str, Any] = json.loads(raw_map(), parse_float=Decimal)
    return loaded


def providers() -> frozenset[str]:
    return frozenset(
        e["litellm_provider"]
        for e in entries().values()
        if isinstance(e, dict) and isinstance(e.get("litellm_provider"), str)
    )
