"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The shared fixtures and spec sit beside the checkout (``../shared``).
SHARED = ROOT.parent / "shared"
CAPTURES = SHARED / "fixtures" / "venice-captures"
SPEC = SHARED / "spec" / "venice-models.openapi.yaml"


@pytest.fixture(scope="session")
def captures_dir() -> Path:
    if not CAPTURES.is_dir():
        pytest.fail(f"the shared Venice captures are missing: expected {CAPTURES}")
    return CAPTURES
