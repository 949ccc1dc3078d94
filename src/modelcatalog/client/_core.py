"""What the sync and async clients share: requests, revalidation, the kept copies, errors.

Each answer is kept under its request (method, path, query, body) with its ``ETag``. A request
sends ``If-None-Match`` when it has a copy, so an unchanged answer costs a ``304`` and no body.
When the service cannot be reached (connection refused, DNS, timeout) or answers a 5xx, the
copy is served and :class:`~modelcatalog.client.models.Freshness` says how old it is; without a
copy that is :class:`~modelcatalog.errors.ServiceUnavailable`. A 4xx is the service's answer
and is raised as the typed error it stands for (404 ``ModelNotFound`` with its suggestions,
410 ``ModelRemoved``, other refusals ``ServiceRefused``), never served from a copy.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from modelcatalog.client.models import Freshness
from modelcatalog.errors import ModelNotFound, ModelRemoved, ServiceRefused, ServiceUnavailable
from modelcatalog.instants import InvalidInstant, format_instant, parse_instant

__all__ = ["Call", "Core", "api_root"]

log = logging.getLogger("modelcatalog.client")
_API = "/api/v1"
_CACHE_FORMAT = 1


def api_root(base_url: str) -> str:
    """The API root: ``http://host:8000`` means ``http://host:8000/api/v1``; a URL with a path
    (``https://api.venice.ai/api/v1``) is taken as it is."""
    base = base_url.rstrip("/")
    return base + _API if urlsplit(base).path in ("", "/") else base


@dataclass(frozen=True, slots=True)
class Call:
    """One request, and the key its answer is kept under."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    @property
    def key(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        body = base64.b64encode(self.body).decode() if self.body is not None else ""
        return f"{self.method} {self.path}?{query} {body}"


@dataclass(frozen=True, slots=True)
class _Copy:
    body: bytes
    etag: str | None
    fetched_at: datetime


class Core:
    """The transport-free half of a client: it builds requests and reads their answers."""

    def __init__(self, base_url: str, api_key: str | None, cache_path: Path | str | None) -> None:
        self.root = api_root(base_url)
        self.headers = {"accept": "application/json"}
        if api_key:
            self.headers["authorization"] = f"Bearer {api_key}"
        self.cache_path = Path(cache_path) if cache_path is not None else None
        # Copies belong to one service and one caller: what a key sees is not for another.
        caller = hashlib.sha256((api_key or "").encode()).hexdigest()[:16]
        self._owner = f"{self.root} {caller}"
        self._copies: dict[str, _Copy] = self._load()
        self._lock = threading.Lock()
        #: How fresh the last answer was (the most recent call's, in any thread or task).
        self.last: Freshness | None = None

    def request(self, client: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
        headers = dict(self.headers)
        copy = self._copies.get(call.key)
        if copy is not None and copy.etag is not None:
            headers["if-none-match"] = copy.etag
        if call.body is not None:
            headers["content-type"] = "application/json"
        return client.build_request(
            call.method,
            self.root + call.path,
            params=list(call.params),
            headers=headers,
            content=call.body,
        )

    def answer(self, call: Call, response: httpx.Response) -> Any:
        """The JSON of a response, a kept copy for a 304 or a 5xx; raises for a 4xx."""
        status = response.status_code
        if status == 304 and call.key in self._copies:
            return self._confirmed(call)
        if status >= 500:
            return self.unreachable(call, f"{response.request.url} answered {status}")
        body = _json(response)
        if status >= 400:
            raise _refusal(response, body)
        if not 200 <= status < 300:
            raise ServiceUnavailable(f"{response.request.url} answered {status}")
        self._keep(call, _Copy(response.content, response.headers.get("etag"), _now()))
        self.last = Freshness(_now())
        return body

    def unreachable(self, call: Call, reason: str) -> Any:
        """The kept copy when the service cannot answer; ServiceUnavailable without one."""
        copy = self._copies.get(call.key)
        if copy is None:
            raise ServiceUnavailable(f"{reason}, and no earlier answer is kept")
        log.warning("serving a copy from %s: %s", format_instant(copy.fetched_at), reason)
        self.last = Freshness(copy.fetched_at, from_copy=True, error=reason)
        return orjson.loads(copy.body)

    def _confirmed(self, call: Call) -> Any:
        copy = self._copies[call.key]
        self._keep(call, _Copy(copy.body, copy.etag, _now()))
        self.last = Freshness(_now())
        return orjson.loads(copy.body)

    def _keep(self, call: Call, copy: _Copy) -> None:
        with self._lock:
            self._copies[call.key] = copy
            if self.cache_path is not None:
                self._save()

    def _load(self) -> dict[str, _Copy]:
        if self.cache_path is None or not self.cache_path.exists():
            return {}
        try:
            data = orjson.loads(self.cache_path.read_bytes())
            if data.get("format") != _CACHE_FORMAT or data.get("owner") != self._owner:
                return {}
            return {key: _copy_of(entry) for key, entry in data["copies"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, InvalidInstant) as exc:
            # A copy is an optimisation: an unreadable file is started afresh, not fatal.
            log.warning("ignoring the unreadable cache file %s: %s", self.cache_path, exc)
            return {}

    def _save(self) -> None:
        assert self.cache_path is not None
        copies = {
            key: {
                "body": copy.body.decode(),
                "etag": copy.etag,
                "fetched_at": format_instant(copy.fetched_at),
            }
            for key, copy in self._copies.items()
        }
        data = orjson.dumps({"format": _CACHE_FORMAT, "owner": self._owner, "copies": copies})
        folder = self.cache_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a reader (or a crash) never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=self.cache_path.name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, self.cache_path)


def _copy_of(entry: Mapping[str, Any]) -> _Copy:
    return _Copy(
        str(entry["body"]).encode(),
        entry.get("etag"),
        parse_instant(entry["fetched_at"], "fetched_at"),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _json(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise ServiceUnavailable(
            f"{response.request.url} answered {response.status_code} without a JSON body"
        ) from None


def _refusal(response: httpx.Response, body: Any) -> Exception:
    """The typed error a 4xx answer stands for."""
    error = body.get("error") if isinstance(body, dict) else None
    details = body.get("details") if isinstance(body, dict) else None
    details = details if isinstance(details, dict) else {}
    status = response.status_code
    if status == 404 and isinstance(details.get("id"), str):
        suggestions = details.get("suggestions")
        return ModelNotFound(details["id"], suggestions if isinstance(suggestions, list) else None)
    if status == 410 and isinstance(details.get("id"), str):
        replacement = details.get("replacementModelId")
        return ModelRemoved(
            details["id"],
            str(details.get("removedAt") or ""),
            replacement if isinstance(replacement, str) else None,
        )
    return ServiceRefused(f"{response.request.url}: {status} {error or 'refused'}", status)
