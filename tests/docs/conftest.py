"""Print what the documentation test ran, compared and skipped on each page."""

from __future__ import annotations

import pytest

from .runner import RESULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("documentation examples")
    for page, counts in RESULTS.items():
        terminalreporter.write_line(f"docs/{page}: {counts}")
        for line, why in counts.not_run:
            terminalreporter.write_line(f"    line {line} not run: {why}")
