"""Settings: precedence, refusals of unsafe values, and documentation of every field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from modelcatalog.errors import InvalidSettings
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
        ({"port": 0}, "port = 0 (option --port) is not accepted; expected a whole number from 1"),
        ({"port": 70000}, "expected a whole number from 1 to 65535"),
        ({"workers": 0}, "workers = 0 (option --workers) is not accepted"),
        ({"cors_origins": "example.com"}, "is not '*' or an origin"),
        ({"log_level": "loud"}, "expected one of critical, error, warning, info, debug"),
        ({"access_log": "maybe"}, "access_log = 'maybe' (option --access-log) is not accepted"),
        ({"now": "yesterday"}, "now is not an ISO 8601 instant"),
        ({"no_such_setting": 1}, "no_such_setting (option --no-such-setting) is not a setting"),
    ],
)
def test_unsafe_values_are_refused(flags: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSettings, match=re.escape(message)) as refused:
        Settings.load(**flags)
    _assert_project_words(str(refused.value))


def _assert_project_words(message: str) -> None:
    # No link to pydantic's error pages ("http" alone is in a setting's name).
    assert "pydantic" not in message and "://" not in message.replace("https://example", "")
    assert "Input should" not in message and "validation error" not in message


def test_an_environment_value_is_named_with_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCATALOG_PORT", "eighty")
    monkeypatch.setenv("MODELCATALOG_CACHE_MAX_AGE", "-1")
    with pytest.raises(InvalidSettings) as refused:
        Settings.load()
    assert refused.value.problems == (
        "port = 'eighty' (environment variable MODELCATALOG_PORT) is not accepted; "
        "expected a whole number from 1 to 65535",
        "cache_max_age = '-1' (environment variable MODELCATALOG_CACHE_MAX_AGE) is not "
        "accepted; expected a whole number from 0 to 86400",
    )


def test_secrets_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCATALOG_AUDIENCE_KEYS", '{"secret-short": ["beta"]}')
    with pytest.raises(InvalidSettings) as refused:
        Settings.load()
    assert "secret-short" not in str(refused.value)
    assert "(value not shown) (environment variable MODELCATALOG_AUDIENCE_KEYS)" in str(
        refused.value
    )


def test_missing_settings_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidSettings, match="does not exist"):
        Settings.load(settings_file=tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.toml", "port = [\n", "invalid TOML"),
        ("bad.json", '{"port": }', "invalid JSON"),
        ("bad.yaml", "port: [\n", "invalid YAML"),
        ("list.yaml", "- port\n", "expected a YAML mapping"),
        ("settings.ini", "port=1\n", "name it .toml, .yaml, .yml or .json"),
    ],
)
def test_a_bad_settings_file_is_refused_naming_its_format(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidSettings, match=re.escape(message)) as refused:
        Settings.load(settings_file=path)
    assert str(path) in str(refused.value)
    _assert_project_words(str(refused.value))


def test_a_bad_value_in_a_settings_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("workers: many\n")
    with pytest.raises(InvalidSettings) as refused:
        Settings.load(settings_file=path)
    assert refused.value.problems == (
        f"workers = 'many' (settings file {path}) is not accepted; "
        "expected a whole number from 1 to 256",
    )


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`{name}`" in text, f"docs/configuration.md does not document {name}"
        assert f"`MODELCATALOG_{name.upper()}`" in text, f"no environment variable row for {name}"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("keys.json", '{"k": ', "invalid JSON"), ("keys.yaml", "k: [\n", "invalid YAML")],
)
def test_an_unreadable_keys_file_names_its_format(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidSettings) as refused:
        Settings.load(audience_keys_file=path)
    assert str(refused.value).startswith(f"invalid settings: audience keys file {path}: {message}")
