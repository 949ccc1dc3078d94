"""``GET /api/v1/models/{id}/history``: a model's changes, as the caller may see them.

History is public, so it answers to the same audiences as the read routes:

- A model that ``GET /models/{id}`` hides from the caller (a beta model without a beta key)
  has no history for that caller: the same 404 as an id that never existed. A model no longer
  in the catalog keeps its history, under the audience of the last version that held it.
- Versions in which the caller could not see the model, or changed only what the caller
  cannot see, are left out. Where the model becomes
  visible (a beta model released), the entry reads ``added``; where it stops being visible,
  ``removed``; neither lists the fields, which would show what the caller never saw.
- Staff-only fields (``model_spec.voice_cloning`` where it is not public) appear only to staff
  keys, and operator-only ``x-catalog`` keys to no public caller, inside field paths and inside
  the values of a changed parent (``model_spec`` added whole) alike.
- ``author`` (the admin key's name) is shown to admin keys only. An admin key sees the whole
  history, every field included: what the admin API (``/admin/v1/versions``, diffs) shows it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.parts import ServiceParts
from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.catalog.views import Audience
from modelcatalog.errors import ModelNotFound, NotFound
from modelcatalog.spec.record import CATALOG_EXTENSION_KEY
from modelcatalog.store import Store
from modelcatalog.store.diff import FieldChange
from modelcatalog.store.keys import authenticate
from modelcatalog.store.store import HistoryEntry

__all__ = ["HISTORY_PATH", "Caller", "VersionFlags", "history_json", "history_routes"]

HISTORY_PATH = "/api/v1/models/{model_id:path}/history"
_VOICE_CLONING = "model_spec.voice_cloning"
_BETA = "model_spec.beta"
_PUBLIC_CLONING = f"{CATALOG_EXTENSION_KEY}.publicVoiceCloning"
_KEPT_VERSIONS = 8
_FLAG_PATHS = frozenset({_BETA, "model_spec", _PUBLIC_CLONING, CATALOG_EXTENSION_KEY})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks for a history: the read audience of the key, and whether it is an admin key."""

    audience: Audience
    admin: bool = False


@dataclass(frozen=True, slots=True)
class _Seen:
    """What decides a caller's view of one version of a model."""

    present: bool = False
    beta: bool = False
    public_cloning: bool = False

    def visible_to(self, caller: Caller) -> bool:
        return self.present and (caller.admin or caller.audience.sees_beta or not self.beta)


class VersionFlags:
    """What decides visibility of every model of a version, read once per version.

    A model's ``added`` entry lists no fields, so its flags come from the version's document;
    parsing a whole document per request would let any caller make the server do it again
    and again, so the flags of the last few versions asked about are kept (a bounded number
    of versions that exist, whatever the requests say).
    """

    def __init__(self, store: Store, keep: int = _KEPT_VERSIONS) -> None:
        self._store = store
        self._keep = keep
        self._flags: OrderedDict[int, dict[str, _Seen]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, version_id: int, model_id: str) -> _Seen:
        with self._lock:
            flags = self._flags.get(version_id)
            if flags is not None:
                self._flags.move_to_end(version_id)
        if flags is None:
            _, document = self._store.document(version_id)
            flags = {str(r.get("id")): _seen_in(r) for r in document.models if isinstance(r, dict)}
            with self._lock:
                self._flags[version_id] = flags
                while len(self._flags) > self._keep:
                    self._flags.popitem(last=False)
        # Not in the version that added it cannot happen; if it does, fail closed.
        return flags.get(model_id, _Seen(present=True, beta=True))


def history_json(
    store: Store,
    live: CatalogSnapshot,
    model_id: str,
    caller: Caller,
    flags: VersionFlags | None = None,
) -> dict[str, Any]:
    """The history body of ``model_id`` for ``caller``; raises :class:`ModelNotFound`.

    ``live`` is the catalog being served: a model it hides from ``caller`` has no history.
    """
    try:
        entries = store.history(model_id)
    except NotFound as exc:
        raise ModelNotFound(model_id) from exc
    if caller.admin:
        data = [_entry(e, e.change.kind, list(e.change.fields), author=True) for e in entries]
        return {"object": "list", "id": model_id, "data": data}
    shown, last = _as_seen_by(caller, _walk(flags or VersionFlags(store), model_id, entries))
    # The served snapshot may trail the store by one reload; either hiding the model hides it.
    served = live.by_id.get(model_id)
    hidden_now = served is not None and not _seen_in(dict(served.wire)).visible_to(caller)
    if hidden_now or not last.visible_to(caller) or not shown:
        raise ModelNotFound(model_id)
    return {"object": "list", "id": model_id, "data": shown}


def _as_seen_by(
    caller: Caller, walked: Iterable[tuple[HistoryEntry, _Seen, _Seen]]
) -> tuple[list[dict[str, Any]], _Seen]:
    """The entries ``caller`` may see, and the model as the last version that held it."""
    shown: list[dict[str, Any]] = []
    last = _Seen()
    for entry, before, after in walked:
        last = after if after.present else before
        if before.visible_to(caller) and after.visible_to(caller):
            hidden = _hidden_paths(caller, before, after)
            fields = [f for c in entry.change.fields if (f := _redact(c, hidden)) is not None]
            if fields or entry.change.kind != "changed":  # else nothing this caller may see
                shown.append(_entry(entry, entry.change.kind, fields, author=False))
        elif after.visible_to(caller) or before.visible_to(caller):
            kind = "added" if after.visible_to(caller) else "removed"
            shown.append(_entry(entry, kind, [], author=False))
    return shown, last


def _walk(
    flags: VersionFlags, model_id: str, entries: Iterable[HistoryEntry]
) -> Iterator[tuple[HistoryEntry, _Seen, _Seen]]:
    """Each entry with what decided visibility just before and just after its version."""
    seen = _Seen()
    for entry in entries:
        before = seen
        if entry.change.kind == "added":
            seen = flags(entry.version.id, model_id)
        elif entry.change.kind == "removed":
            seen = _Seen()
        else:
            seen = _changed(seen, entry.change.fields)
        yield entry, before, seen


def _seen_in(record: Any) -> _Seen:
    if not isinstance(record, dict):
        return _Seen(present=True)
    extension = record.get(CATALOG_EXTENSION_KEY)
    public = isinstance(extension, dict) and extension.get("publicVoiceCloning") is True
    return _Seen(True, _is_beta(record), public)


def _changed(seen: _Seen, fields: Iterable[FieldChange]) -> _Seen:
    # Only the flags that decide visibility are followed; a removed field's ``new`` is None.
    record: dict[str, Any] = {
        "model_spec": {"beta": seen.beta},
        CATALOG_EXTENSION_KEY: {"publicVoiceCloning": seen.public_cloning},
    }
    for change in fields:
        if change.path in _FLAG_PATHS:
            parent, _, key = change.path.rpartition(".")
            if parent and not isinstance(record.get(parent), dict):
                record[parent] = {}
            (record[parent] if parent else record)[key] = change.new
    return _seen_in(record)


def _hidden_paths(caller: Caller, before: _Seen, after: _Seen) -> tuple[str, ...]:
    hidden = [CATALOG_EXTENSION_KEY]
    public = before.public_cloning and after.public_cloning
    if not (public or caller.audience.sees_private_voice_cloning):
        hidden.append(_VOICE_CLONING)
    return tuple(hidden)


def _redact(change: FieldChange, hidden: tuple[str, ...]) -> FieldChange | None:
    """``change`` without the hidden paths: dropped below one, stripped from values above one."""
    old, new = change.old, change.new
    for path in hidden:
        if change.path == path or change.path.startswith(path + "."):
            return None
        prefix = change.path + "." if change.path else ""
        if path.startswith(prefix):
            inner = path[len(prefix) :].split(".")
            old, new = _without(old, inner), _without(new, inner)
    if (old, new) == (change.old, change.new):
        return change
    if old == new:
        return None
    return FieldChange(change.path, change.kind, old, new)


def _without(value: Any, path: list[str]) -> Any:
    if not isinstance(value, dict) or path[0] not in value:
        return value
    if len(path) == 1:
        return {k: v for k, v in value.items() if k != path[0]}
    return {**value, path[0]: _without(value[path[0]], path[1:])}


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _is_beta(record: Any) -> bool:
    return _get(_get(record, "model_spec"), "beta") is True


def _entry(
    entry: HistoryEntry, kind: str, fields: list[FieldChange], *, author: bool
) -> dict[str, Any]:
    body = entry.as_json()
    body["kind"] = kind
    body["fields"] = [f.as_json() for f in fields]
    if not author:
        del body["author"]
    return body


def history_routes(parts: ServiceParts) -> list[Route]:
    """``GET``/``HEAD`` of a model's history on a store (none without one), for requests the
    raw read path hands on."""
    store = parts.store
    if store is None:
        return []
    flags = VersionFlags(store)
    audiences, timeline = parts.audiences, parts.timeline

    async def history(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        caller = await run_in_threadpool(_caller, request, store, audiences)
        live = timeline.state.snapshot
        body = await run_in_threadpool(history_json, store, live, model_id, caller, flags)
        headers = {"cache-control": "no-store", "vary": "Authorization"}
        return Response(orjson.dumps(body), media_type="application/json", headers=headers)

    return [Route(HISTORY_PATH, history, methods=["GET", "HEAD"])]


def _caller(request: Request, store: Store, audiences: Audiences) -> Caller:
    authorization = request.headers.get("authorization")
    if authorization is None:
        return Caller(Audience.ANONYMOUS)
    audience = audiences.audience(authorization.encode("latin-1"))
    scheme, _, token = authorization.partition(" ")
    # Authors are admin-only: the key is checked against the database, as the admin API does,
    # so a revoked admin key stops seeing them at once.
    key = authenticate(store, token.strip()) if scheme.lower() == "bearer" and token else None
    return Caller(audience, admin=key is not None and key.admin)
