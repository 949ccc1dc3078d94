"""``Catalog`` and ``AsyncCatalog``: the read API and the extensions, typed, on httpx.

Both speak to any Venice-compatible ``/api/v1/models`` endpoint (the Venice routes work
anywhere; ``resolve``, ``quote`` and ``history`` need a modelcatalog service). What a method
sends and how it reads the answer is written once, in :class:`_Endpoints`; the two classes
differ only in how they wait for the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote as quote_path

import httpx

from modelcatalog.client._core import Call, Core
from modelcatalog.client.models import (
    Freshness,
    HistoryEntry,
    QuoteAnswer,
    Resolved,
    parse_record,
)
from modelcatalog.instants import format_instant
from modelcatalog.pricing.usage import Usage, parse_usage
from modelcatalog.spec.record import ModelRecord

__all__ = ["AsyncCatalog", "Catalog"]

T = TypeVar("T")
#: Named here because the classes' ``list`` method shadows the builtin in their bodies.
Records = list[ModelRecord[Any]]
Entries = list[HistoryEntry]
Parsed = tuple[Call, Callable[[Any], T]]
_TIMEOUT = 10.0
#: Characters an id may keep unescaped in a path: ids hold slashes, colons and at signs.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _id_path(model_id: str) -> str:
    return "/models/" + quote_path(model_id, safe=_PATH_SAFE)


def _instant(at: datetime | str | None) -> tuple[tuple[str, str], ...]:
    if at is None:
        return ()
    return (("at", at if isinstance(at, str) else format_instant(at)),)


class _Endpoints:
    """Each method's request and the parser of its answer."""

    @staticmethod
    def list(model_type: str) -> Parsed[Records]:
        call = Call("GET", "/models", (("type", model_type),))
        return call, lambda body: [parse_record(r) for r in body["data"]]

    @staticmethod
    def get(model_id: str) -> Parsed[ModelRecord[Any]]:
        return Call("GET", _id_path(model_id)), parse_record

    @staticmethod
    def mapping(path: str, model_type: str) -> Parsed[dict[str, str]]:
        call = Call("GET", path, (("type", model_type),))
        return call, lambda body: {str(k): str(v) for k, v in body["data"].items()}

    @staticmethod
    def resolve(name: str, model_type: str | None, at: datetime | str | None) -> Parsed[Resolved]:
        params = (("model", name),) + ((("type", model_type),) if model_type else ())
        return Call("GET", "/models/resolve", params + _instant(at)), Resolved.model_validate

    @staticmethod
    def quote(
        name: str, usage: Usage | Mapping[str, Any], at: datetime | str | None
    ) -> Parsed[QuoteAnswer]:
        body = parse_usage(usage).to_json_text().encode()
        call = Call("POST", _id_path(name) + "/quote", _instant(at), body)
        return call, QuoteAnswer.model_validate

    @staticmethod
    def history(model_id: str) -> Parsed[Entries]:
        call = Call("GET", _id_path(model_id) + "/history")
        return call, lambda body: [HistoryEntry.model_validate(e) for e in body["data"]]


class Catalog:
    """A client of a catalog service. ``base_url`` is the server (``http://127.0.0.1:8000``)
    or an API root (``https://api.venice.ai/api/v1``). ``cache_path`` keeps the last good
    answers in a file as well as in memory, so a restarted gateway has them too."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        cache_path: Path | str | None = None,
        timeout: float = _TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._core = Core(base_url, api_key, cache_path)
        self._http = httpx.Client(timeout=timeout, transport=transport)

    @property
    def freshness(self) -> Freshness | None:
        """How fresh the last answer was: its age, and whether it is a kept copy."""
        return self._core.last

    def list(self, type: str = "text") -> Records:
        return self._run(*_Endpoints.list(type))

    def get(self, model_id: str) -> ModelRecord[Any]:
        return self._run(*_Endpoints.get(model_id))

    def traits(self, type: str = "text") -> dict[str, str]:
        return self._run(*_Endpoints.mapping("/models/traits", type))

    def compatibility_mapping(self, type: str = "text") -> dict[str, str]:
        return self._run(*_Endpoints.mapping("/models/compatibility_mapping", type))

    def resolve(
        self,
        name: str,
        type: str | None = None,
        *,
        at: datetime | str | None = None,
    ) -> Resolved:
        return self._run(*_Endpoints.resolve(name, type, at))

    def quote(
        self, name: str, usage: Usage | Mapping[str, Any], *, at: datetime | str | None = None
    ) -> QuoteAnswer:
        return self._run(*_Endpoints.quote(name, usage, at))

    def history(self, model_id: str) -> Entries:
        return self._run(*_Endpoints.history(model_id))

    def raw(self, call: Call) -> Any:
        """The JSON answer of one request (revalidated, kept, served from a copy alike)."""
        try:
            response = self._http.send(self._core.request(self._http, call))
        except httpx.TransportError as exc:
            return self._core.unreachable(call, f"cannot reach {self._core.root}: {exc}")
        return self._core.answer(call, response)

    def _run(self, call: Call, parse: Callable[[Any], T]) -> T:
        return parse(self.raw(call))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncCatalog:
    """:class:`Catalog` for asyncio: the same methods, awaited."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        cache_path: Path | str | None = None,
        timeout: float = _TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._core = Core(base_url, api_key, cache_path)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def freshness(self) -> Freshness | None:
        """How fresh the last answer was (of the most recent call, in any task)."""
        return self._core.last

    async def list(self, type: str = "text") -> Records:
        return await self._run(*_Endpoints.list(type))

    async def get(self, model_id: str) -> ModelRecord[Any]:
        return await self._run(*_Endpoints.get(model_id))

    async def traits(self, type: str = "text") -> dict[str, str]:
        return await self._run(*_Endpoints.mapping("/models/traits", type))

    async def compatibility_mapping(self, type: str = "text") -> dict[str, str]:
        return await self._run(*_Endpoints.mapping("/models/compatibility_mapping", type))

    async def resolve(
        self,
        name: str,
        type: str | None = None,
        *,
        at: datetime | str | None = None,
    ) -> Resolved:
        return await self._run(*_Endpoints.resolve(name, type, at))

    async def quote(
        self, name: str, usage: Usage | Mapping[str, Any], *, at: datetime | str | None = None
    ) -> QuoteAnswer:
        return await self._run(*_Endpoints.quote(name, usage, at))

    async def history(self, model_id: str) -> Entries:
        return await self._run(*_Endpoints.history(model_id))

    async def raw(self, call: Call) -> Any:
        """The JSON answer of one request (revalidated, kept, served from a copy alike)."""
        try:
            response = await self._http.send(self._core.request(self._http, call))
        except httpx.TransportError as exc:
            return self._core.unreachable(call, f"cannot reach {self._core.root}: {exc}")
        return self._core.answer(call, response)

    async def _run(self, call: Call, parse: Callable[[Any], T]) -> T:
        return parse(await self.raw(call))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
