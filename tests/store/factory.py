"""Strictly valid catalog records for store tests."""

from __future__ import annotations

from typing import Any

from modelcatalog.spec.capabilities import TextCapabilities

# Every required flag off; quantization is the one required capability that is not a flag.
_TEXT_CAPABILITIES = [name for name in TextCapabilities.REQUIRED if name != "quantization"]


def text_model(model_id: str, *, usd_in: float = 0.5, usd_out: float = 1.5) -> dict[str, Any]:
    """A text model that passes strict validation."""
    capabilities: dict[str, Any] = dict.fromkeys(_TEXT_CAPABILITIES, False)
    capabilities["quantization"] = "fp8"
    return {
        "id": model_id,
        "type": "text",
        "object": "model",
        "owned_by": "venice.ai",
        "created": 1_700_000_000,
        "context_length": 32768,
        "model_spec": {
            "privacy": "private",
            "availableContextTokens": 32768,
            "capabilities": capabilities,
            "pricing": {
                "input": {"usd": usd_in, "diem": usd_in},
                "output": {"usd": usd_out, "diem": usd_out},
            },
            "traits": [],
            "name": model_id.title(),
            "modelSource": f"https://example.org/{model_id}",
            "offline": False,
        },
    }


def dump(*records: object) -> dict[str, Any]:  # not always objects: bad input on purpose
    return {"data": list(records), "object": "list", "type": "all"}
