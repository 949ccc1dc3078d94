"""``serve`` on a store says which store (never its password), version, models and address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.sources import read_source
from tests.e2e.conftest import start_server
from tests.e2e.test_startup import _serving

pytestmark = pytest.mark.e2e

_PASSWORD = "hunter2-not-logged"


def test_serve_logs_the_store_without_its_password(
    store_location: dict[str, Any], tmp_path: Path
) -> None:
    if "data_dir" in store_location:
        args = ["--data-dir", str(store_location["data_dir"])]
        shown = f"store sqlite:///{store_location['data_dir']}/catalog.db"
    else:
        # Trust authentication ignores the password; the log must still never show it.
        url = store_location["database_url"].replace("postgres@", f"postgres:{_PASSWORD}@", 1)
        args = ["--database", url]
        shown = "store " + url.replace(_PASSWORD, "***")
    server = start_server(tmp_path, *args)
    try:
        assert httpx.get(f"{server.url}/api/v1/models").status_code == 200
        log = server.log.read_text()
    finally:
        server.stop()
    line = _serving(log)
    assert line["source"] == shown
    assert line["version"] == "1"  # a new store is seeded with the bundled catalog
    assert int(line["models"]) == len(read_source(BUNDLED_CATALOG).records)
    assert (line["url"], line["workers"]) == (server.url, "1")
    assert _PASSWORD not in log
