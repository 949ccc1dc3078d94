"""The wheel, installed alone into a fresh virtual environment, serves and validates.

Built from this checkout, installed with its dependencies pinned by requirements.lock, and run
from a directory outside the checkout with no PYTHONPATH: what a user gets from
``pip install modelcatalog-*.whl``. One venv per test session; creating it is slow.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import start_server

pytestmark = pytest.mark.e2e

_PIP_TIMEOUT_S = 900


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    #: A directory outside the checkout to run commands from.
    elsewhere: Path

    def env(self) -> dict[str, str]:
        """The environment a user's shell would have: no source tree, no project settings."""
        environment = {
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("MODELCATALOG_")
        }
        # Set empty rather than dropped, so that run_serve's copy of os.environ loses it too.
        environment["PYTHONPATH"] = ""
        environment["XDG_DATA_HOME"] = str(self.elsewhere / "data")
        return environment


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=_PIP_TIMEOUT_S
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", str(ROOT), "--no-deps", "-w", str(dist)], cwd=root)
    (wheel,) = dist.glob("modelcatalog-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    python = str(venv / "bin" / "python")
    lock = str(ROOT / "requirements.lock")
    _run([python, "-m", *pip[2:], "install", "-c", lock, str(wheel)], cwd=root)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    yield Installed(wheel, venv / "bin", elsewhere)


def test_the_wheel_carries_the_catalog_and_the_openapi_document_and_no_tests(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    bundled = sorted(ROOT.joinpath("src/modelcatalog/data").rglob("*.yaml"))
    packaged = [n for n in names if n.startswith("modelcatalog/data/")]
    assert len(packaged) == len(bundled) > 0
    assert "modelcatalog/api/openapi.yaml" in names
    assert "modelcatalog/py.typed" in names
    assert [n for n in names if n.startswith("tests/") or "/tests/" in n] == []


def test_the_installed_command_validates_the_bundled_catalog(installed: Installed) -> None:
    out = _run(
        [str(installed.bin / "modelcatalog"), "validate"], installed.elsewhere, installed.env()
    )
    assert "valid" in out and "0 errors" in out


def test_the_installed_command_serves_the_bundled_catalog(installed: Installed) -> None:
    program = str(installed.bin / "modelcatalog")
    where = _run(
        [str(installed.bin / "python"), "-c", "import modelcatalog; print(modelcatalog.__file__)"],
        installed.elsewhere,
        installed.env(),
    )
    assert not Path(where.strip()).is_relative_to(ROOT), "imported from the checkout"
    server = start_server(
        installed.elsewhere, env=installed.env(), program=program, cwd=installed.elsewhere
    )
    try:
        response = httpx.get(f"{server.url}/api/v1/models", timeout=30)
        assert response.status_code == 200
        assert len(response.json()["data"]) > 0
    finally:
        server.stop()
