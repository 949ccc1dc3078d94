"""Every module's ``__all__`` names things that exist and are public (as httpx checks its own)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import modelcatalog


def _modules() -> list[ModuleType]:
    names = [info.name for info in pkgutil.walk_packages(modelcatalog.__path__, "modelcatalog.")]
    return [modelcatalog, *(importlib.import_module(name) for name in sorted(names))]


MODULES = _modules()
EXPORTING = [module for module in MODULES if hasattr(module, "__all__")]


def test_the_package_and_its_main_modules_declare_exports() -> None:
    assert len(MODULES) > 10
    declared = {module.__name__ for module in EXPORTING}
    assert {"modelcatalog", "modelcatalog.spec", "modelcatalog.catalog"} <= declared


@pytest.mark.parametrize("module", EXPORTING, ids=[m.__name__ for m in EXPORTING])
def test_exported_members_exist_are_public_and_listed_once(module: ModuleType) -> None:
    exported = list(module.__all__)
    assert all(isinstance(name, str) for name in exported)
    assert len(exported) == len(set(exported)), "a name is exported twice"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == [], f"{module.__name__}.__all__ names what it does not define"
    # Dunder metadata such as __version__ is public; a single leading underscore is not.
    private = [
        n for n in exported if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))
    ]
    assert private == [], f"{module.__name__}.__all__ exports private names"
