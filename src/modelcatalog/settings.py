"""Service settings: one typed object, built once by the CLI or the app factory.

Precedence, highest first:

1. command-line flags (passed to :meth:`Settings.load` as keyword arguments);
2. environment variables ``MODELCATALOG_<FIELD>`` (``MODELCATALOG_PORT=9000``; mappings and
   lists as JSON);
3. the settings file named by ``--settings`` or ``MODELCATALOG_SETTINGS_FILE`` (TOML, YAML or
   JSON, chosen by suffix; keys are the field names);
4. the defaults below.

Nothing is read at import time. Every field is documented in ``docs/configuration.md``; to add
one, add the field here with a ``description`` and a row there (a test checks both).
Unsafe values are refused when the object is built, so a misconfigured service never starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import yaml
from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    JsonConfigSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

from modelcatalog.errors import InvalidInstant
from modelcatalog.instants import as_utc, parse_instant

__all__ = ["ENV_PREFIX", "AudienceFlag", "LogLevel", "Settings"]

ENV_PREFIX = "MODELCATALOG_"
#: Audience keys are bearer secrets; shorter ones are too easy to guess.
MIN_KEY_LENGTH = 16
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")

LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class AudienceFlag(StrEnum):
    """What a bearer key widens: ``beta`` lists beta models, ``staff`` shows everything."""

    BETA = "beta"
    STAFF = "staff"


AudienceKeys = dict[str, frozenset[AudienceFlag]]


class Settings(BaseSettings):
    """Everything ``modelcatalog serve`` can be told. See docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    settings_file: Path | None = Field(
        None, description="A TOML, YAML or JSON file of settings (lowest precedence but defaults)."
    )
    host: str = Field("127.0.0.1", min_length=1, description="Interface to listen on.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on.")
    catalog: Path | None = Field(
        None, description="Catalog directory or Venice dump to serve; default: bundled catalog."
    )
    data_dir: Path | None = Field(
        None,
        description="Directory of the SQLite store served when no catalog is given "
        "(default: $XDG_DATA_HOME/modelcatalog or ~/.local/share/modelcatalog).",
    )
    database_url: str | None = Field(
        None, description="PostgreSQL URL of a store shared by several replicas (replaces SQLite)."
    )
    now: datetime | None = Field(
        None, description="Freeze the clock at this ISO 8601 instant (naive means UTC)."
    )
    workers: int = Field(1, ge=1, le=256, description="Server worker processes.")
    audience_keys: Annotated[AudienceKeys, NoDecode] = Field(
        default_factory=dict,
        description="Bearer keys that widen what a caller sees: key -> list of flags.",
    )
    audience_keys_file: Path | None = Field(
        None, description="YAML or JSON file mapping key -> list of flags, merged with the above."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        description="Origins allowed to read the API from a browser; '*' allows any.",
    )
    cache_max_age: int = Field(
        60, ge=0, le=86400, description="Seconds clients and proxies may reuse a response."
    )
    destructive_write_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Largest share of the models one admin write or import may remove without "
        "force; one that leaves no model always needs force.",
    )
    log_level: LogLevel = Field("info", description="Lowest level of log messages written.")
    access_log: bool = Field(False, description="Log one line per request (costs throughput).")

    _file_keys: AudienceKeys = PrivateAttr(default_factory=dict)

    @classmethod
    def load(cls, **flags: Any) -> Settings:
        """Build settings; ``flags`` (command-line options) left at ``None`` are not set."""
        return cls(**{name: value for name, value in flags.items() if value is not None})

    @property
    def keys(self) -> Mapping[str, frozenset[AudienceFlag]]:
        """Every audience key: the keys file, overridden by ``audience_keys``."""
        return {**self._file_keys, **self.audience_keys}

    @field_validator("now", mode="before")
    @classmethod
    def _now_is_utc(cls, value: Any) -> Any:
        # One parser for every instant (modelcatalog.instants); pydantic reports ValueError.
        try:
            if isinstance(value, str):
                return parse_instant(value, "now")
            return as_utc(value) if isinstance(value, datetime) else value
        except InvalidInstant as exc:
            raise ValueError(exc.message) from exc
        except OverflowError as exc:
            raise ValueError("now lies outside the years 1 to 9999 in UTC") from exc

    @field_validator("audience_keys", mode="before")
    @classmethod
    def _decode_keys(cls, value: Any) -> Any:
        return _audience_keys(_decoded(value, "audience_keys"))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return _decoded(text, "cors_origins")
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"{origin!r} is not '*' or an origin like https://example.com")
        return value

    @model_validator(mode="after")
    def _read_keys_file(self) -> Settings:
        if self.audience_keys_file is not None:
            self._file_keys = _read_keys_file(self.audience_keys_file)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _settings_file_path(init_settings)
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        return sources if path is None else (*sources, _file_source(settings_cls, path))


def _settings_file_path(init_settings: PydanticBaseSettingsSource) -> Path | None:
    given = (
        init_settings.init_kwargs.get("settings_file")
        if isinstance(init_settings, InitSettingsSource)
        else None
    )
    given = given or os.environ.get(f"{ENV_PREFIX}SETTINGS_FILE")
    if not given:
        return None
    path = Path(given)
    if not path.is_file():
        raise ValueError(f"settings file {path} does not exist")
    return path


def _file_source(settings_cls: type[BaseSettings], path: Path) -> PydanticBaseSettingsSource:
    if path.suffix == ".toml":
        return TomlConfigSettingsSource(settings_cls, toml_file=path)
    if path.suffix in (".yaml", ".yml"):
        return YamlConfigSettingsSource(settings_cls, yaml_file=path)
    if path.suffix == ".json":
        return JsonConfigSettingsSource(settings_cls, json_file=path)
    raise ValueError(f"settings file {path}: use .toml, .yaml, .yml or .json")


def _decoded(value: Any, name: str) -> Any:
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{name} must be JSON: {exc}") from exc


def _read_keys_file(path: Path) -> AudienceKeys:
    try:
        document = yaml.safe_load(path.read_bytes())
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"audience keys file {path}: {exc}") from exc
    return _audience_keys(document or {}, where=str(path))


def _audience_keys(document: Any, where: str = "audience_keys") -> AudienceKeys:
    if not isinstance(document, dict):
        raise ValueError(f"{where}: expected a mapping of key to a list of flags")
    return {_checked_key(key, where): _flags(flags, where) for key, flags in document.items()}


def _checked_key(key: Any, where: str) -> str:
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise ValueError(f"{where}: keys must be printable ASCII without spaces")
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(
            f"{where}: key {key[:4]}... is {len(key)} characters; "
            f"use at least {MIN_KEY_LENGTH} (e.g. `python3 -c 'import secrets;"
            f" print(secrets.token_urlsafe(24))'`)"
        )
    return key


def _flags(flags: Any, where: str) -> frozenset[AudienceFlag]:
    if flags is None:
        return frozenset()
    if isinstance(flags, str):
        flags = [flags]
    if isinstance(flags, dict):
        flags = [name for name, on in flags.items() if on]
    accepted = {f.value for f in AudienceFlag}
    unknown = [f for f in flags if f not in accepted]
    if unknown:
        raise ValueError(f"{where}: unknown flag(s) {unknown}; accepted: {sorted(accepted)}")
    return frozenset(AudienceFlag(f) for f in flags)
