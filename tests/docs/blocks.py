"""Read the code blocks of a documentation page: which run, which show output, which are marked.

The convention, chosen to stay readable on GitHub:

- A fenced ```` ```sh ```` block is commands, run as they are written.
- A fenced ```` ```console ```` block is a terminal transcript: each ``$ `` line is a command
  (a line ending in ``\\`` continues it) and the lines up to the next ``$ `` are what it prints.
  ``$ echo $?`` shows the previous command's exit status.
- An ```` ```output ```` or ```` ```json ```` block right after a ``sh`` block (nothing but blank
  lines between) is what that block prints; ``json`` is compared as JSON, ``output`` as text.
- ``<!-- not run: why -->`` right before a block marks it as not run, with the reason.
- Every fenced block names its language, and indented code blocks are not used: an example
  nobody can tell apart from prose is an example nobody runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["RUN", "Block", "Command", "DocError", "console_commands", "parse_page"]

#: Languages of blocks that are run.
RUN = frozenset({"sh", "console"})
#: Other names of shell blocks: refused, so that no shell example escapes the runner.
_SHELL_ALIASES = frozenset({"bash", "shell", "shell-session", "zsh"})
_OUTPUT = frozenset({"output", "json"})
_NOT_RUN = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->\s*$")
_FENCE = re.compile(r"^```(.*)$")


class DocError(Exception):
    """A page breaks the convention (an unmarked shell block, an indented block, ...)."""


@dataclass
class Block:
    line: int
    lang: str
    text: str
    #: Why the block is not run, from ``<!-- not run: ... -->``; None when it runs.
    not_run: str | None = None
    #: The ``output``/``json`` block showing what this ``sh`` block prints.
    output: Block | None = None
    #: Whether the block came right after the previous one (only blank lines between).
    adjacent: bool = field(default=False, repr=False)


@dataclass
class Command:
    line: int
    text: str
    expected: str


def parse_page(text: str, page: str = "page") -> list[Block]:
    """The page's fenced blocks, outputs attached to the block they show; raises DocError."""
    blocks = _fenced_blocks(text.splitlines(), page)
    kept: list[Block] = []
    for block in blocks:
        previous = kept[-1] if kept else None
        if (
            block.lang in _OUTPUT
            and block.adjacent
            and previous is not None
            and previous.lang == "sh"
            and previous.output is None
        ):
            if block.not_run:
                raise DocError(f"{page}:{block.line}: mark the command block, not its output")
            previous.output = block
            continue
        kept.append(block)
    return kept


def _fenced_blocks(lines: list[str], page: str) -> list[Block]:
    blocks: list[Block] = []
    not_run: str | None = None
    adjacent = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("<!--"):
            marker = _NOT_RUN.match(line)
            index = _skip_comment(lines, index)
            not_run, adjacent = (marker.group(1) if marker else None), False
            continue
        fence = _FENCE.match(line)
        if fence:
            block, index = _read_fence(lines, index, fence.group(1).strip(), page)
            block.not_run, block.adjacent = not_run, adjacent
            blocks.append(block)
            not_run, adjacent = None, True
            continue
        if line.startswith("    ") and index > 0 and not lines[index - 1].strip():
            raise DocError(
                f"{page}:{index + 1}: an indented code block; fence it as ```sh (run) or "
                "```text, and mark it <!-- not run: why --> if it must not run"
            )
        if line.strip():
            not_run, adjacent = None, False
        index += 1
    return blocks


def _skip_comment(lines: list[str], index: int) -> int:
    while "-->" not in lines[index]:
        index += 1
        if index == len(lines):
            return index
    return index + 1


def _read_fence(lines: list[str], start: int, info: str, page: str) -> tuple[Block, int]:
    lang = info.split()[0] if info else ""
    if not lang:
        raise DocError(f"{page}:{start + 1}: a fenced block without a language")
    if lang in _SHELL_ALIASES:
        raise DocError(f"{page}:{start + 1}: write shell examples as ```sh or ```console")
    end = start + 1
    while end < len(lines) and not lines[end].startswith("```"):
        end += 1
    if end == len(lines):
        raise DocError(f"{page}:{start + 1}: the block is not closed")
    text = "\n".join(lines[start + 1 : end])
    return Block(line=start + 1, lang=info if lang == "json" else lang, text=text), end + 1


def console_commands(block: Block) -> list[Command]:
    """The commands of a ``console`` block, each with the output the block shows for it."""
    commands: list[Command] = []
    lines = block.text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise DocError(f"line {block.line + index + 1}: output before any `$ ` command")
        start, parts = index, [line[2:]]
        while parts[-1].endswith("\\") and index + 1 < len(lines):
            index += 1
            parts.append(lines[index])
        index += 1
        output: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        commands.append(Command(block.line + start + 1, "\n".join(parts), "\n".join(output)))
    return commands
