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
Unsafe values are refused when the object is built, so a misconfigured service never starts:
:meth:`Settings.load` raises :class:`~modelcatalog.errors.InvalidSettings`, naming each setting,
where its value came from, the value and what is accepted.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
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

from modelcatalog.errors import InvalidInstant, InvalidSettings
from modelcatalog.instants import as_utc, parse_instant

__all__ = [
    "ENV_PREFIX",
    "AudienceFlag",
    "LogLevel",
    "Settings",
    "SyncRules",
    "SyncSettings",
    "SyncSource",
]

ENV_PREFIX = "MODELCATALOG_"
#: Audience keys are bearer secrets; shorter ones are too easy to guess.
MIN_KEY_LENGTH = 16
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")

KIB = 1024
MIB = 1024 * KIB

LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class AudienceFlag(StrEnum):
    """What a bearer key widens: ``beta`` lists beta models, ``staff`` shows everything."""

    BETA = "beta"
    STAFF = "staff"


AudienceKeys = dict[str, frozenset[AudienceFlag]]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyncSource(_Section):
    """One upstream a sync reads: a LiteLLM price map or a Venice-compatible /api/v1/models."""

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Names the source in versions, reports and --source.",
    )
    kind: Literal["litellm", "venice"] = Field(description="The importer that maps it.")
    url: str = Field(min_length=1, description="An http(s) URL or a local file.")
    providers: list[str] | None = Field(None, description="Keep only these providers.")
    modes: list[str] | None = Field(None, description="Keep only these modes (types).")
    defaults: dict[str, str] = Field(
        default_factory=dict, description="Values for required fields the source lacks."
    )
    owned_by: str | None = Field(None, description="owned_by of every record it supplies.")


class SyncRules(_Section):
    """The guardrails of every sync."""

    max_price_factor: float = Field(
        10.0, gt=1, description="A price moving more than this many times is held."
    )
    max_removals: int = Field(
        10, ge=0, description="A sync deprecating more models than this is held."
    )
    grace_days: float = Field(
        30.0, ge=0, description="Days between a model leaving upstream and its removal."
    )
    min_models: int = Field(1, ge=1, description="Fewer models from a source: nothing written.")
    min_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A source giving fewer than this share of the models it gave last time: "
        "nothing written.",
    )


class SyncSettings(_Section):
    """The ``sync`` section: sources, how often ``serve`` syncs them, and the guardrails."""

    sources: list[SyncSource] = Field(default_factory=list, description="Upstreams to sync.")
    interval: int = Field(
        3600, ge=0, description="Seconds between syncs run by serve; 0: serve never syncs."
    )
    timeout: float = Field(30.0, gt=0, description="Seconds a fetch may take.")
    max_bytes: int = Field(100 * MIB, ge=1024, description="Largest source, in bytes.")
    rules: SyncRules = Field(default_factory=SyncRules, description="The guardrails.")

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, value: list[SyncSource]) -> list[SyncSource]:
        names = [source.name for source in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(repeated)}")
        return value


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
    reuse_port: bool = Field(
        True,
        description="With several workers on Linux, each listens on its own SO_REUSEPORT "
        "socket; false shares one socket among them.",
    )
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
    owned_by: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["venice.ai"],
        min_length=1,
        description="The values a model's owned_by may take in a strictly checked catalog.",
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
    http_fast_path: bool = Field(
        True,
        description="Answer prepared reads and quotes straight from the HTTP parser; false "
        "serves them through uvicorn's own protocol.",
    )
    max_quote_body: int = Field(
        64 * KIB, ge=1024, description="Largest body of a quote or other public write, in bytes."
    )
    max_admin_body: int = Field(
        MIB, ge=1024, description="Largest body of an admin write other than an import, in bytes."
    )
    max_import_body: int = Field(
        64 * MIB, ge=1024, description="Largest body of POST /admin/v1/import, in bytes."
    )
    max_json_depth: int = Field(
        64, ge=8, le=512, description="Deepest nesting of arrays and objects in a JSON body."
    )
    max_header_bytes: int = Field(
        16 * KIB, ge=4 * KIB, le=MIB, description="Largest request header section, in bytes."
    )
    max_header_fields: int = Field(
        100, ge=16, le=1000, description="Most header fields in one request."
    )
    max_url_bytes: int = Field(
        8 * KIB, ge=1024, le=MIB, description="Longest request target (path and query), in bytes."
    )
    max_query_params: int = Field(
        32, ge=1, le=1000, description="Most parameters in one query string."
    )
    sync: SyncSettings = Field(
        default_factory=SyncSettings,
        description="Upstream sync: sources, interval and guardrails (docs/sync.md).",
    )

    _file_keys: AudienceKeys = PrivateAttr(default_factory=dict)

    @classmethod
    def load(cls, **flags: Any) -> Settings:
        """Build settings; ``flags`` (command-line options) left at ``None`` are not set.

        Raises :class:`~modelcatalog.errors.InvalidSettings` listing every value refused.
        """
        given = {name: value for name, value in flags.items() if value is not None}
        try:
            return cls(**given)
        except ValidationError as exc:
            problems = [_problem(error, given) for error in exc.errors()]
            raise InvalidSettings(problems) from None

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

    @field_validator("cors_origins", "owned_by", mode="before")
    @classmethod
    def _split_list(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return _decoded(text, str(info.field_name))
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("owned_by")
    @classmethod
    def _owners_are_names(cls, value: list[str]) -> list[str]:
        for owner in value:
            if not owner or owner != owner.strip() or not owner.isprintable():
                raise ValueError(f"{owner!r} is not a name (printable, no surrounding spaces)")
        return value

    @property
    def accepted_owned_by(self) -> frozenset[str]:
        """What strict checks accept as a record's ``owned_by``."""
        return frozenset(self.owned_by)

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
        raise InvalidSettings([f"settings file {path} does not exist"])
    return path


_FILE_FORMATS = {".toml": "TOML", ".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}


def _file_source(settings_cls: type[BaseSettings], path: Path) -> PydanticBaseSettingsSource:
    kind = _FILE_FORMATS.get(path.suffix)
    if kind is None:
        raise InvalidSettings([f"settings file {path}: name it .toml, .yaml, .yml or .json"])
    _check_file(path, kind)
    if kind == "TOML":
        return TomlConfigSettingsSource(settings_cls, toml_file=path)
    if kind == "YAML":
        return YamlConfigSettingsSource(settings_cls, yaml_file=path)
    return JsonConfigSettingsSource(settings_cls, json_file=path)


def _check_file(path: Path, kind: str) -> None:
    """Refuse a settings file that is not a mapping in its format, naming that format."""
    try:
        content = path.read_bytes()
        if kind == "TOML":
            document: Any = tomllib.loads(content.decode())
        elif kind == "YAML":
            document = yaml.safe_load(content)
        else:
            document = orjson.loads(content)
    except (ValueError, yaml.YAMLError, OSError) as exc:
        # The parsers' own messages say where (line and column).
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InvalidSettings([f"settings file {path}: invalid {kind}: {reason}"]) from None
    if document is not None and not isinstance(document, dict):
        raise InvalidSettings(
            [f"settings file {path}: expected a {kind} mapping of setting = value"]
        )


def _decoded(value: Any, name: str) -> Any:
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{name} must be JSON: {exc}") from exc


def _read_keys_file(path: Path) -> AudienceKeys:
    kind = "JSON" if path.suffix == ".json" else "YAML"
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"audience keys file {path}: cannot read: {exc.strerror}") from exc
    try:
        document = orjson.loads(content) if kind == "JSON" else yaml.safe_load(content)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise ValueError(f"audience keys file {path}: invalid {kind}: {reason}") from exc
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


#: Settings whose values are secrets (bearer keys, a URL with a password): never echoed.
_SECRET = frozenset({"audience_keys", "database_url"})
_FLAGS = {"database_url": "--database", "settings_file": "--settings"}


def _problem(error: Any, given: Mapping[str, Any]) -> str:
    """One refused value in the project's words: setting, origin, value, what is accepted."""
    cause = error.get("ctx", {}).get("error")
    if not error["loc"]:  # a check across settings (the keys file): its message says it all
        return str(cause or error["msg"])
    top = str(error["loc"][0])
    # A setting inside a section reads as its path: sync.sources.0.kind.
    name = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        known = ", ".join(_field_names(error["loc"][:-1]))
        return f"{name} ({_origin(top, given)}) is not a setting; the settings are: {known}"
    shown = "(value not shown)" if top in _SECRET else _shown(error["input"])
    where = f"{name} = {shown} ({_origin(top, given)})"
    if error["type"] == "value_error" and cause is not None:
        return f"{where}: {str(cause).removeprefix(name + ': ')}"
    return f"{where} is not accepted; expected {_accepted(error['loc'])}"


def _field_names(loc: tuple[Any, ...]) -> list[str]:
    model = _section(loc)
    return list(model.model_fields) if model is not None else list(Settings.model_fields)


def _section(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The settings class a location points into (Settings itself for an empty one)."""
    model: type[BaseModel] = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        kind = _without_none(field.annotation) if field is not None else None
        if get_origin(kind) is list:
            kind = get_args(kind)[0]
        if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            return None
        model = kind
    return model


def _origin(name: str, given: Mapping[str, Any]) -> str:
    if name in given:
        return "option " + _FLAGS.get(name, "--" + name.replace("_", "-"))
    env = f"{ENV_PREFIX}{name.upper()}"
    if env in os.environ:
        return f"environment variable {env}"
    path = given.get("settings_file") or os.environ.get(f"{ENV_PREFIX}SETTINGS_FILE")
    return f"settings file {path}"


def _shown(value: Any) -> str:
    text = repr(str(value)) if isinstance(value, str | Path) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _accepted(loc: tuple[Any, ...]) -> str:
    """What a field accepts, from its type and bounds (so a new field needs nothing here)."""
    names = [part for part in loc if not isinstance(part, int)]
    section = _section(tuple(names[:-1])) if names else None
    field = section.model_fields.get(str(names[-1])) if section is not None else None
    if field is None:
        return "a known setting"
    kind = _without_none(field.annotation)
    bounds = {
        key: getattr(m, key)
        for m in field.metadata
        for key in ("ge", "gt", "le", "min_length")
        if getattr(m, key, None) is not None
    }
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(choice) for choice in get_args(kind))
    if kind is bool:
        return "true or false"
    if kind is int:
        return f"a whole number from {bounds.get('ge', 0)} to {bounds.get('le', 'any')}"
    if kind is datetime:
        return "an ISO 8601 date or instant, such as 2026-08-22 or 2026-08-22T10:00:00Z"
    if kind is Path:
        return "a file or directory path"
    if get_origin(kind) is list:
        return "a comma-separated list, or a JSON list"
    if kind is float:
        low = f"more than {bounds['gt']}" if "gt" in bounds else f"from {bounds.get('ge', 0)}"
        return f"a number {low}" + (f" to {bounds['le']}" if "le" in bounds else "")
    pattern = next((p for m in field.metadata if (p := getattr(m, "pattern", None))), None)
    if pattern is not None:
        return f"text matching {pattern}"
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "a mapping (TOML table, JSON object) of " + ", ".join(kind.model_fields)
    if get_origin(kind) is dict and names == ["audience_keys"]:
        return "a mapping (JSON object) of key to a list of flags"
    if get_origin(kind) is dict:
        return "a mapping (JSON object) of name to text"
    return "non-empty text" if bounds.get("min_length") else "text"


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation
