"""Every shell example of the user-facing pages runs as written on a fresh store.

Each page gets a fresh data directory (``MODELCATALOG_DATA_DIR``, which the CLI examples read
too), one real ``modelcatalog serve`` on it on a free loopback port, and one bash session with
the .venv's ``modelcatalog`` first on ``PATH``. The session's working directory is a scratch
directory with the checkout's ``tests/`` and ``src/`` linked in, so examples name files of the
checkout as they would from its root while what they write stays out of it. See blocks.py for
the convention and runner.py for what is compared.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import start_server

from .blocks import DocError, parse_page
from .runner import RESULTS, run_page

PAGES = [
    "api.md",
    "browser.md",
    "cli.md",
    "client.md",
    "operations.md",
    "pricing.md",
    "catalog-format.md",
    "import.md",
    "sync.md",
]
#: Fixed so that output wraps the same way on every machine; wide, so that no line of the
#: examples wraps inside an instant or a key that normalisation must find whole.
_TERMINAL = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def _session_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **_TERMINAL, "MODELCATALOG_DATA_DIR": str(data_dir)}


@pytest.mark.e2e
@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run_as_written(page: str, tmp_path: Path) -> None:
    try:
        blocks = parse_page((ROOT / "docs" / page).read_text(), page)
    except DocError as exc:
        pytest.fail(str(exc))
    data_dir, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    for name in ("tests", "src"):
        (work / name).symlink_to(ROOT / name)
    server = start_server(tmp_path, env={"MODELCATALOG_DATA_DIR": str(data_dir)})
    try:
        counts, problems = run_page(
            blocks, base=server.url, cwd=work, env=_session_env(data_dir), out=tmp_path / "out"
        )
    finally:
        server.stop()
    RESULTS[page] = counts
    assert counts.run > 0, f"docs/{page} has no example that runs"
    assert problems == [], f"docs/{page} ({counts}):\n\n" + "\n\n".join(problems)
