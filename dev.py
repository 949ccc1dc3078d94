#!/usr/bin/env python3
"""Set up a virtual environment for modelcatalog and run it or its tests.

    python3 dev.py serve [ARGS...]   serve the bundled catalog (ARGS go to `modelcatalog serve`)
    python3 dev.py test [ARGS...]    run the whole test suite (ARGS go to pytest)
    python3 dev.py lint              ruff check, ruff format --check, mypy --strict (src, tests, bench)

Needs only Python 3.11+. The environment lives in .venv and is (re)installed from
requirements.lock whenever pyproject.toml or the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".modelcatalog-installed"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"modelcatalog needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing modelcatalog and its pinned dependencies into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-c", "requirements.lock", "-e", ".[test]"], cwd=ROOT, check=True)
    STAMP.write_text(wanted)


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests (tests/browser) when it is missing.

    Only as root (CI and the project's machines); elsewhere the browser tests skip, unless
    MODELCATALOG_REQUIRE_BROWSER=1 makes that a failure. Playwright cannot download browsers
    here, so the tests drive this one.
    """
    if CHROMIUM.exists() or os.name != "posix" or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    print("Installing Chromium for the browser tests: " + " ".join(install), flush=True)
    if subprocess.run(install, env=env).returncode == 0:
        return
    print("Updating the package lists first: apt-get update", flush=True)
    subprocess.run(["apt-get", "update", "-q"], env=env)
    if subprocess.run(install, env=env).returncode != 0:
        print("Chromium could not be installed; the browser tests will skip.", flush=True)


def run(*command: str) -> int:
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "lint"}:
        print(__doc__)
        return 2
    ensure_venv()
    action, rest = argv[0], argv[1:]
    if action == "serve":
        return run(str(BIN / "modelcatalog"), "serve", *rest)
    if action == "test":
        ensure_chromium()
        return run(str(BIN / "python"), "-m", "pytest", *rest)
    codes = [
        run(str(BIN / "ruff"), "check", "src", "tests", "bench"),
        run(str(BIN / "ruff"), "format", "--check", "src", "tests", "bench"),
        run(str(BIN / "mypy"), "--strict", "src", "tests", "bench"),
    ]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
