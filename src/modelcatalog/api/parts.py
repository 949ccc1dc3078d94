"""The parts of one service, built once by :mod:`modelcatalog.api.service` and handed to each
route group, so that no route builds its own (a key resolver, a resolver of ``?at=``).

A route group is a function ``(ServiceParts) -> routes``; :data:`RouteGroup` is its type and
``ROUTE_GROUPS`` in :mod:`modelcatalog.api.service` lists those the service mounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from modelcatalog.api.audiences import Audiences
from modelcatalog.api.limits import RequestLimits
from modelcatalog.api.metrics import Observer
from modelcatalog.api.source import ServedCatalog
from modelcatalog.api.state import CatalogState
from modelcatalog.api.timeline import CatalogTimeline
from modelcatalog.settings import Settings
from modelcatalog.store import Store

__all__ = ["RouteGroup", "ServiceParts"]


@dataclass(frozen=True, slots=True)
class ServiceParts:
    """Everything a route may need, one instance of each per service."""

    settings: Settings
    catalog: ServedCatalog
    #: The catalog now and at any instant: reads, quotes and history share it.
    timeline: CatalogTimeline
    limits: RequestLimits
    #: Request and catalog metrics; ``None`` in a bare app (:func:`create_app`).
    observer: Observer | None

    @property
    def state(self) -> CatalogState:
        return self.catalog.state

    @property
    def store(self) -> Store | None:
        return self.catalog.store

    @property
    def audiences(self) -> Audiences:
        return self.catalog.audiences


RouteGroup = Callable[[ServiceParts], Sequence[BaseRoute]]
