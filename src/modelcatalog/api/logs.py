"""The service's logs: the process's log format, and one JSON line per request.

:func:`configure_logging` sets the level and format of every ``modelcatalog`` logger;
:class:`AccessLog` writes the per-request lines (``access_log = true``), one JSON object each.
"""

from __future__ import annotations

import logging
import time

import orjson
from starlette.types import Scope

from modelcatalog.settings import Settings

__all__ = ["AccessLog", "configure_logging"]

access_log = logging.getLogger("modelcatalog.access")


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


class AccessLog:
    """One JSON line per request on stderr: method, path, route label, status, time, version."""

    def __init__(self) -> None:
        _json_lines(access_log)

    def write(self, scope: Scope, label: str, status: int, elapsed: float, version: str) -> None:
        line = {
            "ts": round(time.time(), 3),
            "method": scope.get("method"),
            "path": scope.get("path"),
            "route": label,
            "status": status,
            "ms": round(elapsed * 1000, 3),
            "version": version,
            "client": (scope.get("client") or ("", 0))[0],
        }
        access_log.info(orjson.dumps(line).decode())


def _json_lines(logger: logging.Logger) -> None:
    # Request lines are already JSON; writing them bare keeps one parseable object per line.
    if not any(getattr(h, "modelcatalog_json", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.modelcatalog_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
