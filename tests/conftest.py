"""Shared test fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session", autouse=True)
def own_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands run by the tests never read or write the user's own default store.

    The default data directory is ``$XDG_DATA_HOME/modelcatalog``: a store left there by an
    older release (an older schema) would make ``serve`` refuse to start in a test that does
    not name a store of its own. Tests that want another directory still set their own.
    """
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if before is None:
        del os.environ["XDG_DATA_HOME"]
    else:
        os.environ["XDG_DATA_HOME"] = before
