"""The admin API under ``/admin/v1``: change the catalog, list versions, diff them, roll back.

Every route needs ``Authorization: Bearer <admin key>`` (``modelcatalog keys create NAME
--admin``): no key, an unknown or a revoked key is a 401, a key without ``admin`` a 403. Keys
are checked against the database on every admin request, so a revocation holds at once.

Every write builds the whole new catalog, checks it strictly and commits it as one version
authored by the key's name (the message comes from ``X-Catalog-Message`` or ``?message=``);
a rejected write is a 422 listing every finding and changes nothing. Responses carry the
current catalog version as ``ETag``; a write with ``If-Match`` naming another version is a
412, so read-modify-write clients never overwrite a change they did not see.

A write that would remove more than ``destructive_write_share`` of the models (0.5 by
default), or leave none, is a 409 whose ``details`` say how many would go (``removed``,
``before``, ``after``), unless it carries ``?force=true``. Input is taken literally: booleans
are JSON booleans, instants ISO 8601 strings (:mod:`modelcatalog.instants`), integers in query
strings, paths and ``If-Match`` ASCII digits within the store's range; model ids follow the
grammar of :mod:`modelcatalog.catalog.ids` (the ``model-id`` rule).

    GET    /admin/v1/models/{id}            the stored record (with x-catalog); headers
                                            X-Catalog-Overrides and X-Catalog-Upstream-Changed
                                            name the fields kept across syncs (api/sync.py)
    POST   /admin/v1/models                 create
    PUT    /admin/v1/models/{id}            replace
    PATCH  /admin/v1/models/{id}            JSON Merge Patch (RFC 7396)
    POST   /admin/v1/models/{id}/retire     {"removesAt", "startsAt"?, "replacementModelId"?,
                                            "autoRemap"? (a boolean)}
    DELETE /admin/v1/models/{id}            drop at once
    PUT    /admin/v1/aliases/{type}         {alias: model id}: REPLACES the type's whole map
                                            (aliases not in the body are removed)
    PUT    /admin/v1/aliases/{type}/{alias} {"model": id}: add or change one alias
    DELETE /admin/v1/aliases/{type}/{alias} remove one alias (404 if absent)
    PUT    /admin/v1/traits/{type}          {trait: model id}: REPLACES the type's whole map
    PUT    /admin/v1/traits/{type}/{trait}  {"model": id}: give one trait to a model
    DELETE /admin/v1/traits/{type}/{trait}  take one trait away (404 if no model holds it)
    POST   /admin/v1/import                 a dump (with its "aliases"), a record list, or
                                            {"models", "aliases"}; replaces the catalog
                                            (JSON; YAML with Content-Type: application/yaml);
                                            ?from=litellm|venice maps the body with an importer
                                            (&provider=, &mode=, &default=FIELD=VALUE,
                                            &owned_by=) and answers with its report
    POST   /admin/v1/versions/{n}/rollback  a new version whose catalog equals version n's
    GET    /admin/v1/versions?limit=&before=
    GET    /admin/v1/versions/{a}/diff/{b}

Every write also takes ``?force=true`` (see above) and ``If-Match``. The fields a model
write changes (create, replace, patch, retire, delete, traits; not imports or rollbacks) become
the operator's: upstream syncs keep them (:mod:`modelcatalog.sync.overrides`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelcatalog.api.admin_http import (
    Endpoint,
    json_response,
    page_limit,
    parse_integer,
    path_integer,
    query_integer,
)
from modelcatalog.api.limits import check_yaml_depth, load_json
from modelcatalog.api.parts import ServiceParts
from modelcatalog.catalog.sources import read_document_bytes
from modelcatalog.errors import (
    Forbidden,
    ImportRefused,
    InvalidRequestParameters,
    InvalidSettings,
    NotFound,
    PreconditionFailed,
    RequestError,
    SourceError,
    Unauthenticated,
    VersionConflict,
)
from modelcatalog.importers import (
    IMPORTERS,
    SPEC_OWNED_BY,
    ImportOptions,
    ImportResult,
    import_catalog,
    parse_defaults,
)
from modelcatalog.instants import parse_instant
from modelcatalog.store import CatalogDocument, Store, VersionInfo, edits
from modelcatalog.store.keys import ApiKey, authenticate
from modelcatalog.store.store import Change
from modelcatalog.sync.overrides import Override, load_overrides, record_hand_edits

__all__ = ["PREFIX", "Admin", "admin_routes"]

PREFIX = "/admin/v1"
_ETAG = re.compile(r'^\s*(?:W/)?"?([0-9]+)"?\s*$')
_ETAG_HINT = 'a catalog version ETag, e.g. "12"'
_VERSION_NUMBER = "a catalog version number"
_MAX_ETAG = 64


class Admin:
    """The admin endpoints over one store; ``after_commit`` swaps the local replica at once."""

    def __init__(
        self, store: Store, after_commit: Callable[[], Any], max_removed_share: float = 0.5
    ) -> None:
        self.store = store
        self.after_commit = after_commit
        self.max_removed_share = max_removed_share

    async def key(self, request: Request) -> ApiKey:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("an admin key is required: Authorization: Bearer <key>")
        key = await run_in_threadpool(authenticate, self.store, token.strip())
        if key is None:
            raise Unauthenticated("unknown or revoked key")
        if not key.admin:
            raise Forbidden(f"key {key.name!r} is not an admin key")
        return key

    async def write(
        self,
        request: Request,
        key: ApiKey,
        change: Change,
        what: str,
        status: int = 200,
        *,
        always_say: bool = False,
        by_hand: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> Response:
        """Commit ``change``; its message is the caller's, else ``what`` (``always_say``:
        ``what`` followed by the caller's). ``by_hand``: the fields it changes become the
        operator's, kept across upstream syncs (imports and rollbacks are not)."""
        expected = _if_match(request)
        given = request.headers.get("x-catalog-message") or request.query_params.get("message")
        message = f"{what}: {given}" if always_say and given else given
        share = None if _force(request) else self.max_removed_share
        after_write = record_hand_edits(key.name) if by_hand else None

        def commit() -> VersionInfo:
            try:
                info = self.store.commit(
                    change,
                    author=key.name,
                    message=message or what,
                    expected=expected,
                    max_removed_share=share,
                    after_write=after_write,
                )
            except VersionConflict as exc:
                raise PreconditionFailed(exc.expected, exc.current) from exc
            self.after_commit()
            return info

        info = await run_in_threadpool(commit)
        return json_response({"version": info.as_json(), **(extra or {})}, info.id, status)


def _sync_headers(response: Response, overrides: list[Override]) -> None:
    """Name the model's overridden and upstream-changed fields (values: /admin/v1/sync/...)."""
    paths = [quote(o.path, safe="._-:@") for o in overrides if o.path]
    flagged = [quote(o.path, safe="._-:@") for o in overrides if o.path and o.flag is not None]
    if paths:
        response.headers["x-catalog-overrides"] = ", ".join(paths)
    if flagged:
        response.headers["x-catalog-upstream-changed"] = ", ".join(flagged)


def _if_match(request: Request) -> int | None:
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    found = _ETAG.match(value) if len(value) <= _MAX_ETAG else None
    version = parse_integer(found.group(1), "If-Match", _ETAG_HINT) if found else None
    if version is None:
        raise InvalidRequestParameters({"If-Match": _ETAG_HINT})
    return version


async def _body(request: Request, max_depth: int) -> Any:
    try:
        return load_json(await request.body(), max_depth)
    except orjson.JSONDecodeError as exc:
        raise RequestError(f"the request body is not JSON: {exc}") from exc


async def _object(request: Request, max_depth: int) -> dict[str, Any]:
    body = await _body(request, max_depth)
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object")
    return body


def _string_map(body: dict[str, Any], what: str) -> dict[str, str]:
    if not all(isinstance(v, str) for v in body.values()):
        raise RequestError(f"{what} maps names to model ids (strings)")
    return {str(k): v for k, v in body.items()}


def _entry_target(body: dict[str, Any]) -> str:
    model_id = body.get("model")
    if set(body) != {"model"} or not isinstance(model_id, str):
        raise RequestError('the body is {"model": "<model id>"}', {"field": "model"})
    return model_id


def admin_routes(parts: ServiceParts) -> list[Route]:
    """The admin route group on a store (none without one)."""
    if parts.store is None:
        return []
    settings = parts.settings
    return _admin_routes(
        parts.store, parts.catalog.after_commit, settings.destructive_write_share,
        parts.limits.json_depth,
    )  # fmt: skip


def _admin_routes(
    store: Store, after_commit: Callable[[], Any], max_removed_share: float, depth: int
) -> list[Route]:
    admin = Admin(store, after_commit, max_removed_share)

    async def get_model(request: Request) -> Response:
        await admin.key(request)
        model_id = request.path_params["model_id"]
        info, document = await run_in_threadpool(store.document)
        record = document.model(model_id)
        if record is None:
            raise NotFound(f"no model {model_id!r}")
        overrides = (await run_in_threadpool(load_overrides, store, model_id)).get(model_id, [])
        response = json_response(record, info.id)
        _sync_headers(response, overrides)
        return response

    async def create(request: Request) -> Response:
        key = await admin.key(request)
        record = await _object(request, depth)
        return await admin.write(
            request, key, edits.create_model(record), f"create {record.get('id')}", 201
        )

    async def replace(request: Request) -> Response:
        key = await admin.key(request)
        model_id = request.path_params["model_id"]
        record = await _object(request, depth)
        if record.get("id", model_id) != model_id:
            raise RequestError(f"the body's id {record.get('id')!r} is not {model_id!r}")
        return await admin.write(
            request, key, edits.replace_model(model_id, record), f"replace {model_id}"
        )

    async def patch(request: Request) -> Response:
        key = await admin.key(request)
        model_id = request.path_params["model_id"]
        body = await _object(request, depth)
        if "id" in body and body["id"] != model_id:
            raise RequestError("a patch cannot change a model's id")
        return await admin.write(
            request, key, edits.patch_model(model_id, body), f"patch {model_id}"
        )

    async def retire(request: Request) -> Response:
        key = await admin.key(request)
        model_id = request.path_params["model_id"]
        body = await _object(request, depth)
        removes_at = _instant(body, "removesAt", required=True)
        assert removes_at is not None
        change = edits.retire_model(
            model_id,
            removes_at,
            starts_at=_instant(body, "startsAt"),
            replacement=_optional_text(body, "replacementModelId"),
            auto_remap=_flag(body, "autoRemap"),
        )
        return await admin.write(request, key, change, f"retire {model_id}")

    async def delete(request: Request) -> Response:
        key = await admin.key(request)
        model_id = request.path_params["model_id"]
        return await admin.write(request, key, edits.delete_model(model_id), f"delete {model_id}")

    def name_map(
        plural: str,
        singular: str,
        set_map: Callable[[str, dict[str, str]], Change],
        set_entry: Callable[[str, str, str], Change],
        remove_entry: Callable[[str, str], Change],
    ) -> tuple[Endpoint, Endpoint]:
        """The routes of a type's map of names to model ids (aliases, traits): the whole map,
        and one entry."""

        async def whole(request: Request) -> Response:
            key = await admin.key(request)
            kind = request.path_params["model_type"]
            mapping = _string_map(await _object(request, depth), plural)
            return await admin.write(request, key, set_map(kind, mapping), f"{plural} of {kind}")

        async def entry(request: Request) -> Response:
            key = await admin.key(request)
            kind, name = request.path_params["model_type"], request.path_params["name"]
            if request.method == "DELETE":
                change, what = remove_entry(kind, name), f"remove {kind} {singular} {name}"
            else:
                target = _entry_target(await _object(request, depth))
                change, what = set_entry(kind, name, target), f"{kind} {singular} {name}"
            return await admin.write(request, key, change, what)

        return whole, entry

    aliases, alias_entry = name_map(
        "aliases", "alias", edits.set_aliases, edits.set_alias, edits.remove_alias
    )
    traits, trait_entry = name_map(
        "traits", "trait", edits.set_traits, edits.set_trait, edits.remove_trait
    )

    async def rollback(request: Request) -> Response:
        key = await admin.key(request)
        target = path_integer(request, "n", _VERSION_NUMBER)
        _, document = await run_in_threadpool(store.document, target)
        change: Change = lambda _current: document  # noqa: E731
        what = f"rollback to version {target}"
        return await admin.write(request, key, change, what, always_say=True, by_hand=False)

    async def bulk_import(request: Request) -> Response:
        key = await admin.key(request)
        kind = request.query_params.get("from")
        if kind is not None:
            return await _mapped_import(request, key, kind)
        document = _import_document(await request.body(), _body_formats(request), depth)
        return await admin.write(
            request, key, lambda _current: document, "import", 201, by_hand=False
        )

    async def _mapped_import(request: Request, key: ApiKey, kind: str) -> Response:
        options = _import_options(request, kind, store.owned_by or SPEC_OWNED_BY)
        await _body(request, depth)  # JSON within the depth limit, else a 400
        result = await run_in_threadpool(_mapped, kind, await request.body(), options)
        document = CatalogDocument.from_records(result.models, from_dump=result.from_listing)
        report = {"report": result.report.to_json()}
        change: Change = lambda _current: document  # noqa: E731
        return await admin.write(
            request, key, change, f"import {kind}", 201, extra=report, by_hand=False
        )

    async def versions(request: Request) -> Response:
        await admin.key(request)
        limit = page_limit(request)
        before = query_integer(request, "before", None)
        if before == 0:
            raise InvalidRequestParameters({"before": "a catalog version number (1 or more)"})
        found = await run_in_threadpool(lambda: store.versions(limit=limit, before=before))
        head = await run_in_threadpool(store.head)
        next_before = found[-1].id if found and found[-1].id > 1 else None
        body = {"data": [v.as_json() for v in found], "next_before": next_before}
        return json_response(body, head)

    async def diff(request: Request) -> Response:
        await admin.key(request)
        a = path_integer(request, "a", _VERSION_NUMBER)
        b = path_integer(request, "b", _VERSION_NUMBER)
        result = await run_in_threadpool(store.diff, a, b)
        head = await run_in_threadpool(store.head)
        return json_response(result.as_json(), head)

    model = PREFIX + "/models/{model_id:path}"
    return [
        Route(PREFIX + "/models", create, methods=["POST"]),
        Route(model + "/retire", retire, methods=["POST"]),
        Route(model, get_model, methods=["GET"]),
        Route(model, replace, methods=["PUT"]),
        Route(model, patch, methods=["PATCH"]),
        Route(model, delete, methods=["DELETE"]),
        Route(PREFIX + "/aliases/{model_type}", aliases, methods=["PUT"]),
        Route(PREFIX + "/aliases/{model_type}/{name:path}", alias_entry, methods=["PUT", "DELETE"]),
        Route(PREFIX + "/traits/{model_type}", traits, methods=["PUT"]),
        Route(PREFIX + "/traits/{model_type}/{name:path}", trait_entry, methods=["PUT", "DELETE"]),
        Route(PREFIX + "/import", bulk_import, methods=["POST"]),
        Route(PREFIX + "/versions", versions, methods=["GET"]),
        Route(PREFIX + "/versions/{a}/diff/{b}", diff, methods=["GET"]),
        Route(PREFIX + "/versions/{n}/rollback", rollback, methods=["POST"]),
    ]


def _body_formats(request: Request) -> tuple[str, ...]:
    """An import is JSON unless its Content-Type says YAML; errors name the format parsed."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ("YAML",) if media.endswith("yaml") else ("JSON",)


def _import_options(request: Request, kind: str, owners: frozenset[str]) -> ImportOptions:
    params = request.query_params
    if kind not in IMPORTERS:
        raise InvalidRequestParameters({"from": f"one of {', '.join(sorted(IMPORTERS))}"})
    try:
        return ImportOptions(
            providers=_name_set(params.getlist("provider")),
            modes=_name_set(params.getlist("mode")),
            defaults=parse_defaults(params.getlist("default")),
            owned_by=params.get("owned_by"),
            accepted_owned_by=owners,
            source="import",
        )
    except InvalidSettings as exc:
        raise InvalidRequestParameters({"default": "; ".join(exc.problems)}) from exc


def _name_set(given: list[str]) -> frozenset[str] | None:
    names = frozenset(n.strip() for item in given for n in item.split(",") if n.strip())
    return names or None


def _mapped(kind: str, raw: bytes, options: ImportOptions) -> ImportResult:
    try:
        result = import_catalog(kind, raw, options)
    except SourceError as exc:
        raise RequestError(str(exc)) from exc
    if not result.models:
        raise ImportRefused(
            f"no entry could be imported ({result.report.entries} read, "
            f"{result.report.filtered} filtered out, {len(result.report.skipped)} skipped)"
        )
    return result


def _import_document(raw: bytes, formats: tuple[str, ...], max_depth: int) -> CatalogDocument:
    try:
        parsed = load_json(raw, max_depth)  # refuses deep YAML flow style too
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("models"), list):
        aliases = parsed.get("aliases", {})  # present means an object: null is not "none"
        if not isinstance(aliases, dict) or not all(isinstance(m, dict) for m in aliases.values()):
            raise RequestError("aliases is an object of type -> {alias: model id}")
        return CatalogDocument(tuple(parsed["models"]), aliases)
    if "YAML" in formats:
        check_yaml_depth(raw, max_depth)
    try:
        source = read_document_bytes(raw, "import", formats)
    except SourceError as exc:
        raise RequestError(str(exc)) from exc
    if not source.from_dump:
        raise RequestError(
            'an import is a dump ({"data": [...]}), a list of records, '
            'or {"models": [...], "aliases": {...}}; it replaces the catalog'
        )
    return CatalogDocument.from_source(source)


def _instant(body: dict[str, Any], name: str, *, required: bool = False) -> datetime | None:
    if name not in body and not required:
        return None
    value = body.get(name)
    # A date is a JSON string, never a number; the one parser names the field when it fails.
    return parse_instant(value, name)


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise RequestError(f"{name} must be true or false (a JSON boolean)", {"field": name})
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    # Taken literally like every other field: left out is "none", null is a mistyped value.
    value = body.get(name)
    if name in body and not isinstance(value, str):
        raise RequestError(f"{name} must be a string", {"field": name})
    return value


def _force(request: Request) -> bool:
    value = request.query_params.get("force")
    if value is None:
        return False
    if value not in {"true", "false"}:
        raise InvalidRequestParameters({"force": "true or false"})
    return value == "true"
