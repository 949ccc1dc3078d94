"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Data the tests read, kept in the repository (see tests/fixtures/README.md).
FIXTURES = ROOT / "tests" / "fixtures"
CAPTURES = FIXTURES / "venice-captures"
SPEC = FIXTURES / "spec" / "venice-models.openapi.yaml"
PATHS_SPEC = FIXTURES / "spec" / "venice-models-paths.openapi.yaml"


@pytest.fixture(scope="session")
def captures_dir() -> Path:
    if not CAPTURES.is_dir():
        pytest.fail(f"the Venice captures are missing: expected {CAPTURES}")
    return CAPTURES
