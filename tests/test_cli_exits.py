"""One exit-code table, true for every command: each command run into each of its failures.

The table is :data:`modelcatalog.cli.exits.EXIT_CODES` (shown in docs/cli.md). Every command
the CLI has must appear below with every failure class it can meet; the codes are checked
against the table's names, and every error message must start with ``error:`` on stderr.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from typer.main import get_command
from typer.testing import CliRunner

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.cli import app
from modelcatalog.cli.exits import EXIT_CODES, ExitCode
from tests.api.catalogs import write_catalog
from tests.conftest import FIXTURES, SPEC
from tests.e2e.conftest import MODELCATALOG, free_port

#: Nothing listens on port 1 of the loopback: connections are refused at once.
DOWN_DATABASE = "postgresql://nobody@127.0.0.1:1/nothing"
USAGE = ["--input-tokens", "1"]
LITELLM_MAP = str(FIXTURES / "litellm-cost-map" / "model_prices_and_context_window_1.110.2.json")

#: (command words, arguments, expected code). ``{data}`` is a store with one version,
#: ``{empty}`` a fresh store, ``{broken}`` a catalog directory with one error, ``{missing}`` a
#: path that does not exist, ``{url}`` a stub service (404 for ``nope``, 503 for ``boom``,
#: to reads and quotes alike).
CASES: list[tuple[str, list[str], ExitCode]] = [
    ("validate", ["{broken}", "--strict"], ExitCode.INVALID),
    ("validate", ["{missing}"], ExitCode.UNUSABLE),
    ("validate", ["--no-such-option"], ExitCode.UNUSABLE),
    ("quote", ["nope", *USAGE, "--catalog", str(BUNDLED_CATALOG)], ExitCode.INVALID),
    ("quote", ["qwen3-next-80b", "--images", "2", "--data-dir", "{data}"], ExitCode.INVALID),
    ("quote", ["nope", *USAGE, "--url", "{url}"], ExitCode.INVALID),
    ("quote", ["text", *USAGE, "--catalog", "{missing}"], ExitCode.UNUSABLE),
    ("quote", ["text", "--input-tokens", "ten"], ExitCode.UNUSABLE),
    ("quote", ["text", *USAGE, "--data-dir", "{missing}"], ExitCode.UNUSABLE),
    ("quote", ["text", *USAGE, "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("quote", ["boom", *USAGE, "--url", "{url}"], ExitCode.UNAVAILABLE),
    ("quote", ["text", *USAGE, "--url", "http://127.0.0.1:1"], ExitCode.UNAVAILABLE),
    ("models list", ["--type", "chat", "--catalog", str(BUNDLED_CATALOG)], ExitCode.UNUSABLE),
    ("models list", ["--catalog", "{missing}"], ExitCode.UNUSABLE),
    ("models list", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("models list", ["--url", "http://127.0.0.1:1"], ExitCode.UNAVAILABLE),
    ("models show", ["nope", "--catalog", str(BUNDLED_CATALOG)], ExitCode.INVALID),
    ("models show", ["nope", "--url", "{url}"], ExitCode.INVALID),
    ("models show", ["boom", "--url", "{url}"], ExitCode.UNAVAILABLE),
    ("models show", ["text", "--data-dir", "{missing}"], ExitCode.UNUSABLE),
    ("models traits", ["--type", "all", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("models traits", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("models resolve", ["nope", "--data-dir", "{data}"], ExitCode.INVALID),
    ("models resolve", ["nope", "--url", "{url}"], ExitCode.INVALID),
    ("models resolve", ["default", "--type", "chat", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("models resolve", ["default", "--url", "http://127.0.0.1:1"], ExitCode.UNAVAILABLE),
    ("import", ["{broken}", "--data-dir", "{data}"], ExitCode.INVALID),
    ("import", [str(BUNDLED_CATALOG), "--expect", "7", "--data-dir", "{data}"], ExitCode.INVALID),
    ("import", ["{missing}", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("import", [str(BUNDLED_CATALOG), "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("import", ["--from", "litellm", LITELLM_MAP, "--data-dir", "{data}"], ExitCode.INVALID),
    ("import", ["--from", "litellm", "{missing}", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("import", ["--from", "litellm", str(SPEC), "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("import", ["--from", "openrouter", LITELLM_MAP, "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("import", ["--from", "litellm", LITELLM_MAP, "--default", "x=y"], ExitCode.UNUSABLE),
    ("import", ["{url}/boom", "--data-dir", "{data}"], ExitCode.UNAVAILABLE),
    ("import", ["http://127.0.0.1:1/api/v1/models", "--data-dir", "{data}"], ExitCode.UNAVAILABLE),
    ("export", ["{out}", "--data-dir", "{empty}"], ExitCode.INVALID),
    ("export", ["{out}", "--format", "zip", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("export", ["{out}", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("versions", ["--limit", "many", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("versions", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("diff", ["1", "9", "--data-dir", "{data}"], ExitCode.INVALID),
    ("diff", ["1", "one", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("diff", ["1", "2", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("rollback", ["9", "--data-dir", "{data}"], ExitCode.INVALID),
    ("rollback", ["one", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("rollback", ["1", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("db upgrade", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("db upgrade", ["--no-such-option"], ExitCode.UNUSABLE),
    ("keys create", ["ops", "--data-dir", "{data}"], ExitCode.INVALID),
    ("keys create", ["ops", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("keys list", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("keys list", ["--no-such-option"], ExitCode.UNUSABLE),
    ("keys revoke", ["nobody", "--data-dir", "{data}"], ExitCode.INVALID),
    ("keys revoke", ["ops", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync", ["--settings", "{sync_down}", "--data-dir", "{data}"], ExitCode.UNAVAILABLE),
    ("sync", ["--settings", "{sync_empty}", "--data-dir", "{data}"], ExitCode.INVALID),
    ("sync", ["--settings", "{missing}", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    (
        "sync",
        ["--source", "nope", "--settings", "{sync_down}", "--data-dir", "{data}"],
        ExitCode.UNUSABLE,
    ),
    ("sync", ["--settings", "{sync_down}", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync pending list", ["--status", "maybe", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("sync pending list", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync pending show", ["7", "--data-dir", "{data}"], ExitCode.INVALID),
    ("sync pending show", ["seven", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("sync pending show", ["7", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync pending approve", ["7", "--data-dir", "{data}"], ExitCode.INVALID),
    ("sync pending approve", ["0", "--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("sync pending approve", ["7", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync pending reject", ["7", "--data-dir", "{data}"], ExitCode.INVALID),
    ("sync pending reject", ["7", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync overrides list", ["--no-such-option"], ExitCode.UNUSABLE),
    ("sync overrides list", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync overrides clear", ["--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("sync overrides clear", ["text", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync flags list", ["--no-such-option"], ExitCode.UNUSABLE),
    ("sync flags list", ["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    ("sync flags acknowledge", ["--data-dir", "{data}"], ExitCode.UNUSABLE),
    ("sync flags acknowledge", ["text", "--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
]

#: serve runs as a process: it configures logging and would serve if it got that far.
SERVE_CASES: list[tuple[list[str], ExitCode]] = [
    (["--catalog", "{broken}"], ExitCode.INVALID),
    (["--catalog", "{missing}"], ExitCode.UNUSABLE),
    (["--port", "0"], ExitCode.UNUSABLE),
    (["--port", "eighty"], ExitCode.UNUSABLE),
    (["--database", DOWN_DATABASE], ExitCode.UNAVAILABLE),
    (["--catalog", str(BUNDLED_CATALOG), "--port", "{busy}"], ExitCode.CANNOT_LISTEN),
]


def _command_paths(group: object, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if getattr(command, "commands", None):
            if getattr(command, "invoke_without_command", False):
                yield " ".join((*prefix, name))  # a group that is a command itself (sync)
            yield from _command_paths(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


class _StubService(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        status = 503 if "/boom" in self.path else 404
        body = json.dumps({"error": f"stub answer {status}"}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("exits")
    broken = write_catalog(root / "broken-catalog")
    record_path = next((broken / "text").glob("*.yaml"))
    record = yaml.safe_load(record_path.read_text())
    record["context_length"] = record["model_spec"]["availableContextTokens"] + 1
    record_path.write_text(yaml.safe_dump(record))
    data = root / "data"
    invoke = CliRunner().invoke
    assert invoke(app, ["import", str(BUNDLED_CATALOG), "--data-dir", str(data)]).exit_code == 0
    assert invoke(app, ["keys", "create", "ops", "--data-dir", str(data)]).exit_code == 0
    assert invoke(app, ["db", "upgrade", "--data-dir", str(root / "empty")]).exit_code == 0
    stub = ThreadingHTTPServer(("127.0.0.1", 0), _StubService)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    empty = root / "empty-listing.json"
    empty.write_text('{"data": [], "object": "list"}')
    sync_down, sync_empty = root / "sync-down.json", root / "sync-empty.json"
    down = {"name": "down", "kind": "venice", "url": f"http://127.0.0.1:{free_port()}/models"}
    sync_down.write_text(json.dumps({"sync": {"sources": [down], "timeout": 2}}))
    nothing = {"name": "empty", "kind": "venice", "url": str(empty)}
    sync_empty.write_text(json.dumps({"sync": {"sources": [nothing]}}))
    yield {
        "sync_down": str(sync_down),
        "sync_empty": str(sync_empty),
        "broken": str(broken),
        "missing": str(root / "missing"),
        "data": str(data),
        "empty": str(root / "empty"),
        "out": str(root / "out"),
        "url": f"http://127.0.0.1:{stub.server_address[1]}",
    }
    stub.shutdown()
    stub.server_close()


def _without_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MODELCATALOG_")}


def _filled(args: list[str], places: dict[str, str]) -> list[str]:
    return [arg.format(**places) if arg.startswith("{") else arg for arg in args]


def test_the_table_has_one_meaning_per_code_from_zero() -> None:
    assert [int(code) for code in EXIT_CODES] == list(range(len(ExitCode)))
    assert all(meaning.strip() for meaning in EXIT_CODES.values())


def test_every_command_has_its_failures_listed() -> None:
    commands = set(_command_paths(get_command(app)))
    assert "keys create" in commands and "db upgrade" in commands
    assert commands == {words for words, _, _ in CASES} | {"serve"}


@pytest.mark.parametrize(
    ("words", "args", "code"),
    CASES,
    ids=[f"{words} {code.name} {' '.join(args)[:40]}" for words, args, code in CASES],
)
def test_each_failure_exits_with_the_tables_code(
    places: dict[str, str], words: str, args: list[str], code: ExitCode
) -> None:
    result = CliRunner().invoke(app, [*words.split(), *_filled(args, places)])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if words == "validate" and code is ExitCode.INVALID:
        assert "invalid" in result.stdout  # its findings are its output
    elif not _parser_error(result.stderr):
        # Findings of an invalid catalog come first, each on an ``error`` line.
        lines = result.stderr.strip().splitlines()
        assert lines and all(line.startswith("error") for line in lines), result.stderr
        assert lines[-1].startswith("error: "), result.stderr


def _parser_error(stderr: str) -> bool:
    # The option parser reports bad option values with the usage, in its own box.
    return "Usage:" in stderr


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "code"), SERVE_CASES, ids=[f"serve {c.name} {' '.join(a)}" for a, c in SERVE_CASES]
)
def test_serve_exits_with_the_tables_code(
    places: dict[str, str], args: list[str], code: ExitCode
) -> None:
    with socket.socket() as holder:
        busy = free_port()
        holder.bind(("127.0.0.1", busy))
        holder.listen()
        filled = _filled(args, {**places, "busy": str(busy)})
        done = subprocess.run(
            [MODELCATALOG, "serve", "--host", "127.0.0.1", *filled],
            capture_output=True,
            text=True,
            timeout=120,
            env={**_without_settings(), "XDG_DATA_HOME": places["out"]},
        )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if "eighty" not in args:
        assert "\nerror: " in "\n" + done.stderr, done.stderr
