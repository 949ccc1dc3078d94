"""Which HTTP protocol ``serve`` runs: the fast path, or uvicorn's own with the head limits.

The fast path is pinned to the uvicorn it was written for; on another one the service warns
and falls back, unless the operator asked for the fast path, when it refuses to start.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from modelcatalog.api.direct import WRITTEN_FOR_UVICORN, DirectReadProtocol, http_protocol
from modelcatalog.api.protocol import HeadLimitProtocol
from modelcatalog.cli import app
from modelcatalog.cli.exits import ExitCode
from modelcatalog.errors import InvalidSettings
from modelcatalog.settings import Settings
from tests.api.catalogs import write_catalog

OTHER_UVICORN = "0.99.1"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MODELCATALOG_"):
            monkeypatch.delenv(name)


@pytest.fixture
def other_uvicorn(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(uvicorn, "__version__", OTHER_UVICORN)
    return OTHER_UVICORN


def test_the_pin_names_the_installed_uvicorn() -> None:
    # Fails when the lock moves uvicorn: check api/direct.py and api/protocol.py against the
    # new release's httptools_impl.py, then move the pin.
    assert uvicorn.__version__ == WRITTEN_FOR_UVICORN


def test_the_fast_path_is_on_by_default() -> None:
    assert http_protocol(Settings.load()) is DirectReadProtocol


@pytest.mark.parametrize(
    "flags", [{"http_fast_path": False}, {"access_log": True}], ids=["off", "access-log"]
)
def test_uvicorns_protocol_with_the_limits_otherwise(flags: dict[str, bool]) -> None:
    protocol = http_protocol(Settings.load(**flags))
    assert protocol is HeadLimitProtocol and not issubclass(protocol, DirectReadProtocol)


def test_the_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCATALOG_HTTP_FAST_PATH", "false")
    assert http_protocol(Settings.load()) is HeadLimitProtocol


def test_another_uvicorn_falls_back_with_a_warning(
    other_uvicorn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="modelcatalog.serve"):
        assert http_protocol(Settings.load()) is HeadLimitProtocol
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert f"written for uvicorn {WRITTEN_FOR_UVICORN}" in record.getMessage()
    assert f"uvicorn {other_uvicorn} is installed" in record.getMessage()


def test_another_uvicorn_with_the_fast_path_off_is_quiet(
    other_uvicorn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="modelcatalog.serve"):
        assert http_protocol(Settings.load(http_fast_path=False)) is HeadLimitProtocol
    assert caplog.records == []


def _explicit_settings(how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    if how == "flag":
        return Settings.load(http_fast_path=True)
    if how == "environment":
        monkeypatch.setenv("MODELCATALOG_HTTP_FAST_PATH", "true")
        return Settings.load()
    file = tmp_path / "settings.toml"
    file.write_text("http_fast_path = true\n")
    return Settings.load(settings_file=file)


@pytest.mark.parametrize("how", ["flag", "environment", "file"])
def test_another_uvicorn_refuses_an_explicit_fast_path(
    other_uvicorn: str, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _explicit_settings(how, tmp_path, monkeypatch)
    with pytest.raises(InvalidSettings) as refused:
        http_protocol(settings)
    message = str(refused.value)
    assert f"written for uvicorn {WRITTEN_FOR_UVICORN}" in message
    assert f"uvicorn {other_uvicorn} is installed" in message
    assert "http_fast_path = false" in message


def test_serve_refuses_to_start_before_it_listens(
    other_uvicorn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELCATALOG_HTTP_FAST_PATH", "true")
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: were the port opened first, the
    # start would fail there instead (exit 4), never hang serving.
    catalog = str(write_catalog(tmp_path))
    result = CliRunner().invoke(app, ["serve", "--catalog", catalog, "--host", "192.0.2.1"])
    assert result.exit_code == ExitCode.UNUSABLE, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert f"uvicorn {other_uvicorn} is installed" in result.stderr
    assert "MODELCATALOG_HTTP_FAST_PATH=false" in result.stderr
