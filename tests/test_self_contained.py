"""A plain clone has everything its tests, benchmarks, docs and scripts read.

Nothing in the repository may point at a folder beside the checkout or at a machine's own
absolute paths: a user who clones the repository has neither.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

# Spelled in pieces so that this file does not match itself.
_OUTSIDE = re.compile(
    "|".join(
        [
            re.escape("../" + "shared"),
            re.escape(".parent / " + '"shared"'),
            re.escape("ROOT" + ".parent"),
            re.escape("/" + "work/"),
            re.escape("/" + "root/"),
        ]
    )
)
_SKIP_SUFFIXES = {".png", ".jpg", ".gz", ".br", ".whl", ".ico"}


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    skip = {".git", ".venv", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache"}
    return [
        path
        for path in ROOT.rglob("*")
        if path.is_file() and not skip.intersection(path.relative_to(ROOT).parts)
    ]


def test_no_tracked_file_refers_to_a_path_outside_the_repository() -> None:
    offenders = []
    for path in _tracked_files():
        if path.suffix in _SKIP_SUFFIXES or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not offenders, "paths outside the repository:\n" + "\n".join(offenders)


def test_the_fixtures_the_tests_read_are_in_the_repository() -> None:
    fixtures = ROOT / "tests" / "fixtures"
    assert (fixtures / "spec" / "venice-models.openapi.yaml").is_file()
    assert (fixtures / "venice-captures" / "PROVENANCE.md").is_file()
    assert (fixtures / "litellm-cost-map" / "PROVENANCE.md").is_file()
