"""The sync part of the admin API: pending change sets, overrides and "upstream changed" flags.

Every route needs an admin key, like the rest of ``/admin/v1`` (:mod:`.admin`).

    GET    /admin/v1/sync/pending?status=&limit=   change sets, newest first (status: open by
                                                   default; approved, rejected, superseded, all)
    GET    /admin/v1/sync/pending/{id}             one change set with its diff
    POST   /admin/v1/sync/pending/{id}/approve     commit it as one version; 409 when the catalog
                                                   moved since it was built, or it is closed
    POST   /admin/v1/sync/pending/{id}/reject      close it; nothing is written
    GET    /admin/v1/sync/overrides?model=         the operator's fields (of one model)
    DELETE /admin/v1/sync/overrides?model=&path=   give a model's fields (or one) back to
                                                   upstream from the next sync
    GET    /admin/v1/sync/flags?model=             fields upstream changed under an override
    DELETE /admin/v1/sync/flags?model=&path=       acknowledge flags, keeping the operator's value
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelcatalog.api.admin import PREFIX, Admin, _int_param, _integer, _json
from modelcatalog.api.parts import ServiceParts
from modelcatalog.catalog.ids import MAX_ID_LENGTH
from modelcatalog.errors import InvalidRequestParameters
from modelcatalog.store import Store
from modelcatalog.sync import changesets
from modelcatalog.sync.overrides import (
    acknowledge_flags,
    clear_overrides,
    list_flags,
    load_overrides,
)

__all__ = ["sync_routes"]

_STATUSES = (*changesets.STATUSES, "all")
_MAX_PAGE = 500
_MAX_PATH = 1000


def _status(request: Request) -> str | None:
    value = request.query_params.get("status", "open")
    if value not in _STATUSES:
        raise InvalidRequestParameters({"status": " or ".join(_STATUSES)})
    return None if value == "all" else value


def _set_id(request: Request) -> int:
    found = _integer(request.path_params["id"], "id", "a change set number")
    assert found is not None
    return found


def _text_param(request: Request, name: str, limit: int, *, required: bool) -> str | None:
    value = request.query_params.get(name)
    if value is None and not required:
        return None
    if not value or len(value) > limit:
        raise InvalidRequestParameters({name: f"required, 1 to {limit} characters"})
    return value


def sync_routes(parts: ServiceParts) -> list[Route]:
    """The sync route group on a store (none without one)."""
    if parts.store is None:
        return []
    return _sync_routes(parts.store, parts.catalog.after_commit)


def _sync_routes(store: Store, after_commit: Callable[[], Any]) -> list[Route]:
    admin = Admin(store, after_commit)

    async def pending(request: Request) -> Response:
        await admin.key(request)
        status = _status(request)
        limit = _int_param(request, "limit", 50)
        if limit is None or not 1 <= limit <= _MAX_PAGE:
            raise InvalidRequestParameters({"limit": f"an integer from 1 to {_MAX_PAGE}"})
        found = await run_in_threadpool(changesets.change_sets, store, status, limit)
        head = await run_in_threadpool(store.head)
        return _json({"data": [c.as_json() for c in found]}, head)

    async def show(request: Request) -> Response:
        await admin.key(request)
        found = await run_in_threadpool(changesets.change_set, store, _set_id(request))
        return _json(found.as_json(), await run_in_threadpool(store.head))

    async def approve(request: Request) -> Response:
        key = await admin.key(request)
        set_id = _set_id(request)

        def decide() -> tuple[changesets.ChangeSet, Any]:
            done = changesets.approve(store, set_id, key.name)
            after_commit()
            return done

        found, info = await run_in_threadpool(decide)
        return _json({"change_set": found.as_json(), "version": info.as_json()}, info.id)

    async def reject(request: Request) -> Response:
        key = await admin.key(request)
        found = await run_in_threadpool(changesets.reject, store, _set_id(request), key.name)
        return _json({"change_set": found.as_json()}, await run_in_threadpool(store.head))

    async def overrides(request: Request) -> Response:
        await admin.key(request)
        model = _text_param(request, "model", MAX_ID_LENGTH, required=request.method == "DELETE")
        if request.method == "DELETE":
            assert model is not None
            path = _text_param(request, "path", _MAX_PATH, required=False)
            cleared = await run_in_threadpool(clear_overrides, store, model, path)
            return _json({"cleared": cleared}, await run_in_threadpool(store.head))
        found = await run_in_threadpool(load_overrides, store, model)
        body = {"data": [o.as_json() for group in found.values() for o in group]}
        return _json(body, await run_in_threadpool(store.head))

    async def flags(request: Request) -> Response:
        await admin.key(request)
        model = _text_param(request, "model", MAX_ID_LENGTH, required=request.method == "DELETE")
        if request.method == "DELETE":
            assert model is not None
            path = _text_param(request, "path", _MAX_PATH, required=False)
            done = await run_in_threadpool(acknowledge_flags, store, model, path)
            return _json({"acknowledged": done}, await run_in_threadpool(store.head))
        found = await run_in_threadpool(list_flags, store, model)
        return _json({"data": [f.as_json() for f in found]}, await run_in_threadpool(store.head))

    base = PREFIX + "/sync"
    return [
        Route(base + "/pending", pending, methods=["GET"]),
        Route(base + "/pending/{id}", show, methods=["GET"]),
        Route(base + "/pending/{id}/approve", approve, methods=["POST"]),
        Route(base + "/pending/{id}/reject", reject, methods=["POST"]),
        Route(base + "/overrides", overrides, methods=["GET", "DELETE"]),
        Route(base + "/flags", flags, methods=["GET", "DELETE"]),
    ]
