"""The default catalog that ships inside the package."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_CATALOG"]

#: Catalog directory (``<type>/<id>.yaml`` and ``aliases/<type>.yaml``) used when none is given.
BUNDLED_CATALOG = Path(__file__).parent / "data" / "catalog"
