"""The collector pause around catalog loads, with the heap frozen and without."""

from __future__ import annotations

import gc

import pytest

from modelcatalog.catalog import sources
from modelcatalog.catalog.sources import collection_paused


def _count_calls(monkeypatch: pytest.MonkeyPatch, frozen: int) -> dict[str, int]:
    calls = {"get_freeze_count": 0, "freeze": 0, "unfreeze": 0}

    def counted(name: str, result: int | None = None) -> object:
        def call() -> int | None:
            calls[name] += 1
            return result

        return call

    monkeypatch.setattr(sources, "_heap_frozen", False)
    monkeypatch.setattr(gc, "get_freeze_count", counted("get_freeze_count", frozen))
    monkeypatch.setattr(gc, "freeze", counted("freeze"))
    monkeypatch.setattr(gc, "unfreeze", counted("unfreeze"))
    return calls


def test_a_frozen_heap_is_walked_once_not_on_every_load(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counting frozen objects walks all of them, with the GIL held: a serving process's
    # reloads must not pay for it every time.
    calls = _count_calls(monkeypatch, frozen=500_000)
    for _ in range(3):
        with collection_paused():
            pass
    assert calls == {"get_freeze_count": 1, "freeze": 0, "unfreeze": 0}


def test_without_a_frozen_heap_each_load_is_tenured(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(monkeypatch, frozen=0)
    for _ in range(3):
        with collection_paused():
            pass
    assert calls == {"get_freeze_count": 3, "freeze": 3, "unfreeze": 3}
