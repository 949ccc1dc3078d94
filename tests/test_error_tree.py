"""The tree drawn in modelcatalog.errors' docstring is the classes' real hierarchy."""

from __future__ import annotations

import re

import pytest

from modelcatalog import errors

#: A drawn class: the tree's prefix (depth = its length / 4), then the name.
_NODE = re.compile(r"^    ((?:│   |    )*)(?:├── |└── )?([A-Z]\w+)\b")


def _drawn() -> dict[str, str | None]:
    """Each class drawn in the docstring -> the class drawn as its parent (None at the root)."""
    doc = errors.__doc__ or ""
    tree = doc.split("\n\n")[1]
    parents: dict[str, str | None] = {}
    path: list[str] = []
    for line in tree.splitlines():
        found = _NODE.match(line)
        if found is None or found[2] in ("base",):
            continue
        rest = line[found.end(1) :]
        if not rest.startswith(("├── ", "└── ")) and path:
            continue  # a description running on to the next line
        depth = len(found[1]) // 4 + (1 if rest.startswith(("├── ", "└── ")) else 0)
        del path[depth:]
        parents[found[2]] = path[-1] if path else None
        path.append(found[2])
    return parents


DRAWN = _drawn()


def test_the_drawing_is_read() -> None:
    assert DRAWN["ModelCatalogError"] is None
    assert DRAWN["StoreError"] == "ModelCatalogError"
    assert DRAWN["PayloadTooLarge"] == "LimitExceeded"
    assert len(DRAWN) > 30


@pytest.mark.parametrize("name", sorted(DRAWN))
def test_each_drawn_class_has_the_drawn_parent(name: str) -> None:
    cls = getattr(errors, name)
    parent = DRAWN[name]
    if parent is None:
        assert cls.__bases__ == (Exception,)
    else:
        assert cls.__bases__ == (getattr(errors, parent),), f"{name} is drawn under {parent}"


def test_every_exported_error_is_drawn() -> None:
    assert set(errors.__all__) == set(DRAWN)


def test_access_and_precondition_errors_are_not_store_errors() -> None:
    for cls in (errors.Unauthenticated, errors.Forbidden, errors.PreconditionFailed):
        assert not issubclass(cls, errors.StoreError), cls
    assert issubclass(errors.PreconditionFailed, errors.RequestError)
