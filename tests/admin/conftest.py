"""One real server on a SQLite store, with keys for every case of the auth matrix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from tests.store.servers import Server, run_cli, servers


@dataclass
class AdminServer:
    server: Server
    data_dir: Path
    keys: dict[str, str]

    def headers(self, who: str = "admin", **extra: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[who]}", **extra}


def _create_key(data_dir: Path, name: str, *flags: str) -> str:
    done = run_cli("keys", "create", name, *flags, "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    return str(orjson.loads(done.stdout)["key"])


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminServer]:
    base = tmp_path_factory.mktemp("admin")
    data_dir = base / "data"
    keys = {
        "admin": _create_key(data_dir, "ops", "--admin"),
        "reader": _create_key(data_dir, "reader", "--beta"),
        "staff": _create_key(data_dir, "staff", "--staff"),
        "revoked": _create_key(data_dir, "gone", "--admin"),
        "unknown": "mc_" + "x" * 43,
    }
    assert run_cli("keys", "revoke", "gone", "--data-dir", str(data_dir)).returncode == 0
    with servers(1, "--data-dir", str(data_dir), log_dir=base) as (server,):
        yield AdminServer(server, data_dir, keys)
