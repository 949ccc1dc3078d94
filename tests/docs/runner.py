"""Run a page's examples in one bash session and compare what they print with the page.

All the run blocks of a page become one bash script, in page order, so a variable set by one
step (``KEY=$(modelcatalog keys create ...)``) is there for the next. ``sh`` blocks run under
``errexit``: a failing command fails the page. Each ``console`` command runs on its own; one
that exits non-zero must be followed by ``$ echo $?`` showing its status.

Outputs are compared after a small, explicit normalisation (:data:`VARYING`): the server's real
address is written back as the documented ``http://127.0.0.1:8000``, and instants and API keys,
which differ on every run, are replaced by placeholders on both sides.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .blocks import RUN, Block, Command, console_commands

__all__ = ["DOCUMENTED_BASE", "RESULTS", "VARYING", "Counts", "Mismatch", "normalise", "run_page"]

#: The address the documentation's examples use; the test's server listens elsewhere.
DOCUMENTED_BASE = "http://127.0.0.1:8000"
#: What legitimately differs from run to run, replaced on both sides before comparing.
VARYING = [
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), "<instant>"),
    (re.compile(r"\bmc_[A-Za-z0-9_-]+"), "mc_<key>"),
    # Each page runs on a fresh data directory; the page shows the default one.
    (re.compile(r"sqlite:///\S+/catalog\.db"), "sqlite:///<data-dir>/catalog.db"),
]
#: A safety net against a hung example, not a speed check: a page runs dozens of commands.
_TIMEOUT_S = 180


@dataclass
class Counts:
    run: int = 0
    compared: int = 0
    not_run: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.run} run, {self.compared} compared, {len(self.not_run)} marked not run"


#: What each page's run did, page -> counts; printed at the end of the test session.
RESULTS: dict[str, Counts] = {}


@dataclass
class Mismatch:
    line: int
    command: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: `{self.command}`\n--- the page shows\n{self.expected}\n"
            f"--- it printed\n{self.actual}"
        )


@dataclass
class _Step:
    line: int
    command: str
    #: What the page shows, or None when it shows nothing to compare.
    expected: str | None
    as_json: bool = False
    console: bool = False
    #: A ``$ echo $?`` line: its output is the previous step's status, nothing is run.
    status_of_previous: bool = False


def normalise(text: str) -> str:
    for pattern, placeholder in VARYING:
        text = pattern.sub(placeholder, text)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def _steps(blocks: list[Block]) -> tuple[list[_Step], Counts]:
    steps: list[_Step] = []
    counts = Counts()
    for block in blocks:
        if block.lang not in RUN:
            continue
        if block.not_run:
            counts.not_run.append((block.line, block.not_run))
            continue
        counts.run += 1
        if block.lang == "sh":
            shown = block.output
            counts.compared += int(shown is not None)
            expected = shown.text if shown else None
            steps.append(
                _Step(block.line, block.text, expected, shown is not None and shown.lang == "json")
            )
            continue
        counts.compared += 1
        steps.extend(_console_step(command) for command in console_commands(block))
    return steps, counts


def _console_step(command: Command) -> _Step:
    is_status = command.text.strip() == "echo $?"
    return _Step(
        command.line, command.text, command.expected, console=True, status_of_previous=is_status
    )


def _script(steps: list[_Step], out: Path, base: str) -> str:
    parts = ["set -o errexit"]
    for number, step in enumerate(steps):
        if step.status_of_previous:
            continue
        command = step.command.replace(DOCUMENTED_BASE, base)
        target = f'"{out}/{number}"'
        if step.console:
            parts.append(
                f"set +o errexit\n{{\n{command}\n}} >{target}.out 2>&1\n"
                f"echo $? >{target}.rc\nset -o errexit"
            )
        else:
            parts.append(f"{{\n{command}\n}} >{target}.out 2>&1\necho 0 >{target}.rc")
    return "\n".join(parts) + "\n"


def run_page(
    blocks: list[Block], *, base: str, cwd: Path, env: dict[str, str], out: Path
) -> tuple[Counts, list[str]]:
    """Run the page's blocks; returns the counts and every failure, as messages."""
    steps, counts = _steps(blocks)
    out.mkdir(parents=True, exist_ok=True)
    script = out / "page.sh"
    script.write_text(_script(steps, out, base))
    finished = subprocess.run(
        ["bash", str(script)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    return counts, _check(steps, out, base, finished)


def _check(
    steps: list[_Step], out: Path, base: str, finished: subprocess.CompletedProcess[str]
) -> list[str]:
    problems: list[str] = []
    status = "0"
    for number, step in enumerate(steps):
        if step.status_of_previous:
            problems += _compare(step, status)
            continue
        printed = (out / f"{number}.out").read_text() if (out / f"{number}.out").exists() else ""
        printed = printed.replace(base, DOCUMENTED_BASE)
        rc_file = out / f"{number}.rc"
        if not rc_file.exists():
            problems.append(
                f"line {step.line}: `{step.command}` failed (bash exited {finished.returncode}):\n"
                f"{printed}{finished.stderr}"
            )
            return problems
        status = rc_file.read_text().strip()
        if step.console and status != "0" and not _next_shows_status(steps, number):
            problems.append(f"line {step.line}: `{step.command}` exited {status}:\n{printed}")
        problems += _compare(step, printed)
    return problems


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _next_shows_status(steps: list[_Step], number: int) -> bool:
    return number + 1 < len(steps) and steps[number + 1].status_of_previous


def _compare(step: _Step, printed: str) -> list[str]:
    if step.expected is None:
        return []
    if step.as_json:
        try:
            actual, shown = json.loads(printed), json.loads(step.expected)
        except ValueError as exc:
            return [
                f"line {step.line}: `{step.command}` or the page has no JSON ({exc}):\n{printed}"
            ]
        if normalise(_canonical(actual)) == normalise(_canonical(shown)):
            return []
    elif normalise(printed) == normalise(step.expected):
        return []
    # The page's text and the raw output, so that a fix can be pasted; compared normalised.
    return [str(Mismatch(step.line, step.command, step.expected, printed.rstrip()))]
