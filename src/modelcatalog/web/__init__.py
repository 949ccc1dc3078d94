"""The catalog browser: server-rendered HTML pages over the same views as the JSON API.

- ``pages``        the routes (``/``, ``/models/{id}``, ``/compare``, ``/changes``,
                   ``/changes.atom``, ``/static/{name}``) and :func:`page_routes`, the hook
- ``params``       query parameters, checked and bounded
- ``render``       templates, HTML responses with ETags, error pages from the one error table
- ``record_view``  a served record made readable (pricing tables, timeline, quote fields)
- ``chart``        price history rebuilt from the store's history, as an SVG step chart
- ``changes``      the versions as a changelog per audience; ``feed`` the same as Atom

Filtering, search, sort and facet counts are in :mod:`modelcatalog.catalog.query`.
"""

from modelcatalog.web.pages import page_routes

__all__ = ["page_routes"]
