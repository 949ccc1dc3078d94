"""The documentation runner itself: it refuses what it cannot run and catches what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .blocks import DocError, parse_page
from .runner import normalise, run_page

FENCE = "```"


def _run(page: str, tmp_path: Path) -> tuple[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}
    counts, problems = run_page(
        parse_page(page), base="http://127.0.0.1:1", cwd=tmp_path, env=env, out=tmp_path / "out"
    )
    return str(counts), problems


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("Text.\n\n    modelcatalog serve\n", "an indented code block"),
        (f"{FENCE}\nmodelcatalog serve\n{FENCE}\n", "without a language"),
        (f"{FENCE}bash\nmodelcatalog serve\n{FENCE}\n", "as ```sh or ```console"),
        (f"{FENCE}sh\nmodelcatalog serve\n", "not closed"),
    ],
)
def test_a_block_the_runner_cannot_classify_is_refused(page: str, message: str) -> None:
    with pytest.raises(DocError, match=message):
        parse_page(page)


def test_shown_output_is_compared_and_variables_carry_over(tmp_path: Path) -> None:
    page = (
        f"{FENCE}sh\nGREETING=hello\n{FENCE}\n\n"
        f'{FENCE}sh\necho "$GREETING, http://127.0.0.1:1"\n{FENCE}\n\n'
        f"{FENCE}output\nhello, http://127.0.0.1:8000\n{FENCE}\n\n"
        f'{FENCE}console\n$ echo \'{{"at": "2026-01-02T03:04:05Z"}}\'\n'
        '{"at": "1999-12-31T23:59:59.5Z"}\n'
        f"$ ls no-such-file >/dev/null 2>&1\n$ echo $?\n2\n{FENCE}\n"
    )
    assert _run(page, tmp_path) == ("3 run, 2 compared, 0 marked not run", [])


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        (f"{FENCE}sh\necho hello\n{FENCE}\n\n{FENCE}output\nhullo\n{FENCE}\n", "it printed\nhello"),
        (f'{FENCE}sh\necho \'{{"a": 1}}\'\n{FENCE}\n{FENCE}json\n{{"a": 2}}\n{FENCE}\n', '"a": 1'),
        (f"{FENCE}sh\nfalse\necho never\n{FENCE}\n", "`false\necho never` failed"),
        (f"{FENCE}console\n$ false\n{FENCE}\n", "`false` exited 1"),
        (f"{FENCE}console\n$ false\n$ echo $?\n0\n{FENCE}\n", "it printed\n1"),
    ],
)
def test_a_wrong_example_fails(page: str, problem: str, tmp_path: Path) -> None:
    _, problems = _run(page, tmp_path)
    assert len(problems) == 1 and problem in problems[0], problems


def test_blocks_marked_not_run_are_counted_with_their_reason(tmp_path: Path) -> None:
    page = (
        f"<!-- not run: needs PostgreSQL -->\n{FENCE}sh\nexit 3\n{FENCE}\n\n"
        f"{FENCE}yaml\nnot: a shell block\n{FENCE}\n\n{FENCE}sh\ntrue\n{FENCE}\n"
    )
    assert _run(page, tmp_path) == ("1 run, 0 compared, 1 marked not run", [])
    blocks = parse_page(page)
    assert [b.not_run for b in blocks] == ["needs PostgreSQL", None, None]


def test_normalisation_is_limited_to_what_varies() -> None:
    assert normalise("mc_Ab-9_x at 2026-12-03T07:50:02.502422Z  \n\n") == "mc_<key> at <instant>"
    assert normalise("version 7: 55 models") == "version 7: 55 models"
