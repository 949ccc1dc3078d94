"""Metric labels: the template of the route that answered a request, never its raw path.

The raw read routes are labelled by their own templates (:data:`READ_LABELS`); a request that
reached the framework by the template of the Starlette route that answered it (Starlette
records it in the scope as ``route``), with path converters dropped and the id and type
parameters named as the API documents them (``/api/v1/models/{id}/quote``). A request that
no route answered is :data:`OTHER`: whatever paths a client sends, the number of labels is
bounded by the number of routes.
"""

from __future__ import annotations

import re

from starlette.types import Scope

__all__ = ["DIRECT_LABELS", "OTHER", "READ_LABELS", "route_label", "template_label"]

#: Label of every request that no route answered (404s, redirects).
OTHER = "other"
#: Metrics label of each raw read route (ReadRoutes route names).
READ_LABELS = {
    "listing": "/api/v1/models",
    "traits": "/api/v1/models/traits",
    "aliases": "/api/v1/models/compatibility_mapping",
    "model": "/api/v1/models/{id}",
    "resolve": "/api/v1/models/resolve",
}
#: Metrics label of each route the HTTP parser answers (api/direct.py): the reads, and quotes.
DIRECT_LABELS = {**READ_LABELS, "quote": "/api/v1/models/{id}/quote"}
#: Route parameters shown under the names the API documents use for them.
_SHOWN_AS = {"model_id": "id", "model_type": "type"}
_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_known: dict[str, str] = {}


def template_label(template: str) -> str:
    """``/admin/v1/aliases/{model_type}/{name:path}`` -> ``/admin/v1/aliases/{type}/{name}``."""
    return _PARAMETER.sub(lambda m: "{" + _SHOWN_AS.get(m[1], m[1]) + "}", template)


def route_label(scope: Scope) -> str:
    """The label of a request the framework has answered: its route's template, or OTHER."""
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return OTHER
    found = _known.get(template)
    if found is None:
        # Keyed by route templates, of which there are as many as routes.
        found = _known[template] = template_label(template)
    return found
