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

from collections.abc import Callable, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelcatalog.api.admin import PREFIX, Admin
from modelcatalog.api.admin_http import Endpoint, json_response, page_limit, path_integer
from modelcatalog.api.parts import ServiceParts
from modelcatalog.catalog.ids import MAX_ID_LENGTH
from modelcatalog.errors import InvalidRequestParameters
from modelcatalog.store import Store
from modelcatalog.sync import changesets
from modelcatalog.sync.overrides import (
    Flag,
    Override,
    acknowledge_flags,
    clear_overrides,
    list_flags,
    load_overrides,
)

__all__ = ["sync_routes"]

_STATUSES = (*changesets.STATUSES, "all")
_MAX_PATH = 1000


def _status(request: Request) -> str | None:
    value = request.query_params.get("status", "open")
    if value not in _STATUSES:
        raise InvalidRequestParameters({"status": " or ".join(_STATUSES)})
    return None if value == "all" else value


def _set_id(request: Request) -> int:
    return path_integer(request, "id", "a change set number")


def _text_param(request: Request, name: str, limit: int, *, required: bool) -> str | None:
    value = request.query_params.get(name)
    if value is None and not required:
        return None
    if not value or len(value) > limit:
        raise InvalidRequestParameters({name: f"required, 1 to {limit} characters"})
    return value


def _all_overrides(store: Store, model_id: str | None) -> list[Override]:
    return [o for group in load_overrides(store, model_id).values() for o in group]


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
        limit = page_limit(request)
        found = await run_in_threadpool(changesets.change_sets, store, status, limit)
        head = await run_in_threadpool(store.head)
        return json_response({"data": [c.as_json() for c in found]}, head)

    async def show(request: Request) -> Response:
        await admin.key(request)
        found = await run_in_threadpool(changesets.change_set, store, _set_id(request))
        return json_response(found.as_json(), await run_in_threadpool(store.head))

    async def approve(request: Request) -> Response:
        key = await admin.key(request)
        set_id = _set_id(request)

        def decide() -> tuple[changesets.ChangeSet, Any]:
            done = changesets.approve(store, set_id, key.name)
            after_commit()
            return done

        found, info = await run_in_threadpool(decide)
        return json_response({"change_set": found.as_json(), "version": info.as_json()}, info.id)

    async def reject(request: Request) -> Response:
        key = await admin.key(request)
        found = await run_in_threadpool(changesets.reject, store, _set_id(request), key.name)
        return json_response({"change_set": found.as_json()}, await run_in_threadpool(store.head))

    def fields(
        listed: Callable[[Store, str | None], Sequence[Override | Flag]],
        drop: Callable[[Store, str, str | None], int],
        dropped: str,
    ) -> Endpoint:
        """``GET``: the operator's fields or the flags on them (of one model); ``DELETE``:
        ``drop`` a model's (or one field's) and say how many went, as ``dropped``."""

        async def handle(request: Request) -> Response:
            await admin.key(request)
            deleting = request.method == "DELETE"
            model = _text_param(request, "model", MAX_ID_LENGTH, required=deleting)
            if deleting:
                assert model is not None
                path = _text_param(request, "path", _MAX_PATH, required=False)
                count = await run_in_threadpool(drop, store, model, path)
                return json_response({dropped: count}, await run_in_threadpool(store.head))
            found = await run_in_threadpool(listed, store, model)
            body = {"data": [item.as_json() for item in found]}
            return json_response(body, await run_in_threadpool(store.head))

        return handle

    overrides = fields(_all_overrides, clear_overrides, "cleared")
    flags = fields(list_flags, acknowledge_flags, "acknowledged")

    base = PREFIX + "/sync"
    return [
        Route(base + "/pending", pending, methods=["GET"]),
        Route(base + "/pending/{id}", show, methods=["GET"]),
        Route(base + "/pending/{id}/approve", approve, methods=["POST"]),
        Route(base + "/pending/{id}/reject", reject, methods=["POST"]),
        Route(base + "/overrides", overrides, methods=["GET", "DELETE"]),
        Route(base + "/flags", flags, methods=["GET", "DELETE"]),
    ]
