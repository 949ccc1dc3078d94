"""The HTTP service: the Venice ``/api/v1/models`` read API and its extensions.

:func:`build_service` (``api/service.py``) is the one place the service is built: it builds
every part once -- the catalog source, audiences, the ``?at=`` timeline, the observer -- and
passes them to each route group and to an immutable :class:`CatalogApp`. Data flows one way:
the source swaps snapshots into :class:`~modelcatalog.api.state.CatalogState`,
:mod:`modelcatalog.catalog.views` turns a snapshot into bytes per audience and lifecycle
window, and the routes write those bytes. Modules:

- ``service``   :func:`build_service`, :func:`create_app` (bare), ``ROUTE_GROUPS``
- ``parts``     :class:`~modelcatalog.api.parts.ServiceParts`, what every route group is given
- ``source``    where the catalog comes from: a file, or a store and its follower
- ``app``       :class:`CatalogApp`, the dispatcher (raw read path first, Starlette behind)
- ``reads``     the hot read routes (listings, maps, a model, a resolution) as a raw handler
- ``direct``    uvicorn's HTTP protocol answering those reads from the parser (the
                ``http_fast_path`` setting), and :func:`http_protocol`, which picks it
- ``protocol``  uvicorn's own HTTP protocol holding the request-head limits (fast path off)
- ``state``     :class:`CatalogState`, the atomic swap point for new snapshots
- ``timeline``  the catalog at an instant: ``?at=`` for reads, quotes and history alike
- ``audiences`` bearer keys (settings and store) -> audiences
- ``quote``, ``history``, ``admin``, ``sync``, ``ops``  the route groups beyond the read API
- ``admin_http``  what the admin groups (``admin``, ``sync``) read from requests and answer
- ``metrics``, ``labels``, ``logs``  request metrics, their route labels, the access log
- ``server``    binding the port, uvicorn's configuration, worker processes
- ``errors``    ``error_body()`` and the one exception -> HTTP status table
- ``limits``    every request limit (body, JSON depth, headers, target) and where it is enforced
- ``http``      content negotiation, ETags, precomputed header lists
- ``cors``      the cross-origin policy and preflight answers
- ``openapi.yaml``  the document served at ``/api/v1/openapi.yaml``

How to add a route group (importers, sync, a browser):

1. Write ``def xyz_routes(parts: ServiceParts) -> list[BaseRoute]`` in its own module. Take
   what the routes need from ``parts`` (``parts.state`` for the live catalog,
   ``parts.timeline.catalog_at(instant)`` for ``?at=``, ``parts.audiences`` for who is
   calling, ``parts.store``, ``parts.limits``, ``parts.settings``) and close over it; never
   build another of them, and never read ``request.app.state``. Return ``[]`` when the group
   does not apply (no store).
2. Add the one line ``xyz_routes,`` to ``ROUTE_GROUPS`` in ``api/service.py``.
3. Raise domain errors from :mod:`modelcatalog.errors`; do not build error responses. A new
   error class gets its status in ``api/errors.py``'s ``_STATUS`` table, the one place.
4. ``GET``/``HEAD`` on ``/api/v1/models`` and on every path under ``/api/v1/models/`` reach
   Starlette only for slashed ids the catalog does not hold (``{id}/history``): the rest of
   the path is a model id, and ids may hold slashes. New routes under ``/api/v1/models/``
   must use such a sub-route or another method (``POST .../{model_id:path}/quote``).
   Add the route to ``openapi.yaml`` and to ``docs/api.md``, and say in ``ROUTES`` of
   ``tests/hardening/test_audiences.py`` how an anonymous caller exercises it (the test
   enumerates the router and fails on a route it does not know). A route that shows models
   shows only those the caller's audience may see, without staff-only fields.

Swapping the catalog: build and validate the new snapshot, then ``state.swap(snapshot)``;
views of the old one are dropped and the new ones are built on first use.
"""

from modelcatalog.api.app import CatalogApp
from modelcatalog.api.service import build_service, create_app
from modelcatalog.api.state import CatalogState

__all__ = ["CatalogApp", "CatalogState", "build_service", "create_app"]
