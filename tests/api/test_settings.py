"""Settings: precedence, refusals of unsafe values, and documentation of every field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from modelcatalog.settings import AudienceFlag, Settings
from tests.conftest import ROOT

LONG_KEY = "k" * 16


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("MODELCATALOG_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings.load()
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.catalog is None and settings.now is None
    assert settings.cors_origins == ["*"] and settings.keys == {}


def test_precedence_flags_then_environment_then_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "settings.toml"
    file.write_text('port = 9001\nhost = "0.0.0.0"\nworkers = 3\nlog_level = "debug"\n')
    monkeypatch.setenv("MODELCATALOG_PORT", "9002")
    monkeypatch.setenv("MODELCATALOG_WORKERS", "2")
    settings = Settings.load(settings_file=file, workers=4, host=None)
    assert settings.workers == 4  # flag beats environment and file
    assert settings.port == 9002  # environment beats file
    assert settings.host == "0.0.0.0" and settings.log_level == "debug"  # file beats defaults


def test_settings_file_from_environment_in_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "settings.yaml"
    file.write_text("cache_max_age: 5\ncors_origins: [https://a.example]\n")
    monkeypatch.setenv("MODELCATALOG_SETTINGS_FILE", str(file))
    settings = Settings.load()
    assert settings.cache_max_age == 5 and settings.cors_origins == ["https://a.example"]


def test_now_accepts_dates_and_reads_naive_as_utc() -> None:
    assert Settings.load(now="2026-08-22").now == datetime(2026, 8, 22, tzinfo=UTC)
    assert Settings.load(now="2026-08-22T10:00:00+02:00").now == datetime(
        2026, 8, 22, 8, tzinfo=UTC
    )


def test_audience_keys_from_environment_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys_file = tmp_path / "keys.yaml"
    keys_file.write_text(f"{'f' * 20}: [staff]\n{'s' * 20}: []\n")
    monkeypatch.setenv(
        "MODELCATALOG_AUDIENCE_KEYS", f'{{"{"b" * 20}": ["beta"], "{"s" * 20}": "beta"}}'
    )
    settings = Settings.load(audience_keys_file=keys_file)
    assert settings.keys == {
        "f" * 20: {AudienceFlag.STAFF},
        "s" * 20: {AudienceFlag.BETA},
        "b" * 20: {AudienceFlag.BETA},
    }


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"audience_keys": {"short": ["beta"]}}, "at least 16"),
        ({"audience_keys": {LONG_KEY: ["admin"]}}, "unknown flag"),
        ({"audience_keys": {"has space in it 123": []}}, "printable ASCII"),
        ({"audience_keys": "not json"}, "must be JSON"),
        ({"port": 0}, "greater than or equal to 1"),
        ({"port": 70000}, "less than or equal to 65535"),
        ({"workers": 0}, "greater than or equal to 1"),
        ({"cors_origins": "example.com"}, "is not '*' or an origin"),
        ({"log_level": "loud"}, "log_level"),
        ({"no_such_setting": 1}, "no_such_setting"),
    ],
)
def test_unsafe_values_are_refused(flags: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Settings.load(**flags)


def test_missing_settings_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        Settings.load(settings_file=tmp_path / "nope.toml")


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`{name}`" in text, f"docs/configuration.md does not document {name}"
        assert f"`MODELCATALOG_{name.upper()}`" in text, f"no environment variable row for {name}"
