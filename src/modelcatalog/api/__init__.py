"""The HTTP service: the Venice ``/api/v1/models`` read API and its extensions.

Data flows one way: :class:`~modelcatalog.api.state.CatalogState` holds the live snapshot,
:mod:`modelcatalog.catalog.views` turns it into bytes per audience and lifecycle window, and
:mod:`modelcatalog.api.listing` writes those bytes. Modules:

- ``app``      :func:`create_app` and the dispatcher (raw read path first, Starlette behind)
- ``listing``  the hot read routes (listings, maps, a model, a resolution) as a raw ASGI handler
- ``direct``   uvicorn's HTTP protocol answering those reads from the parser, no ASGI round trip
               (the ``http_fast_path`` setting), and :func:`http_protocol`, which picks it
- ``protocol`` uvicorn's own HTTP protocol holding the request-head limits (the fast path off)
- ``state``    :class:`CatalogState`, the atomic swap point for new snapshots
- ``errors``   ``error_body()`` and the one exception -> HTTP status table
- ``limits``   every request limit (body, JSON depth, headers, target) and where it is enforced
- ``http``     content negotiation, ETags, precomputed header lists
- ``auth``     bearer keys -> audiences (constant-time comparison)
- ``cors``     the cross-origin policy and preflight answers
- ``history``  ``/api/v1/models/{id}/history`` on a store, per audience
- ``openapi.yaml``  the document served at ``/api/v1/openapi.yaml``

How to add a route (admin, quotes, readiness, metrics):

1. Write a Starlette endpoint (or a mounted sub-app) in its own module, e.g. ``api/quote.py``.
   Read the live catalog from ``request.app.state.catalog`` (a :class:`CatalogState`; call
   ``.views()`` or ``.snapshot``) and settings from ``request.app.state.settings``.
2. Raise domain errors from :mod:`modelcatalog.errors`; do not build error responses. A new
   error class gets its status in ``api/errors.py``'s ``_STATUS`` table, the one place.
3. Pass the route to :func:`create_app`: ``create_app(settings, state, routes=[Route(
   "/api/v1/models/{model_id}/quote", quote, methods=["POST"]), Mount("/admin/v1", admin)])``,
   and ``lifespan=`` for start-up and shut-down work (a store connection, a notification
   listener that calls ``state.swap(new_snapshot)``). ``modelcatalog serve`` builds its
   list in ``api/service.py``'s ``extension_routes()``.
4. ``GET``/``HEAD`` on ``/api/v1/models`` and on every path under ``/api/v1/models/`` never
   reach Starlette: the rest of the path is a model id, and ids may hold slashes. New routes
   under ``/api/v1/models/`` must use another method (``POST .../{model_id:path}/quote``).
   Add the route to ``openapi.yaml`` and to ``docs/api.md``, and say in ``ROUTES`` of
   ``tests/hardening/test_audiences.py`` how an anonymous caller exercises it (the test
   enumerates the router and fails on a route it does not know). A route that shows models
   shows only those the caller's audience may see, without staff-only fields.

Swapping the catalog: build and validate the new snapshot, then ``state.swap(snapshot)``;
views of the old one are dropped and the new ones are built on first use.
"""

from modelcatalog.api.app import CatalogApp, create_app
from modelcatalog.api.state import CatalogState

__all__ = ["CatalogApp", "CatalogState", "create_app"]
