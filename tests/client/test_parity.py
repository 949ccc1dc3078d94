"""One rule: the in-process Resolver and ``GET /models/resolve`` give identical answers for
every id, trait and alias (and near misses) of the bundled catalog, for anonymous and beta
callers, and of each captured live catalog served as it was on its day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import pytest

from modelcatalog.client import Catalog, Resolved, Resolver
from modelcatalog.errors import ModelNotFound, ModelRemoved
from modelcatalog.spec.record import MODEL_TYPES
from tests.client.conftest import CAPTURES, NOW
from tests.e2e.conftest import Server, start_server
from tests.e2e.test_captures import capture_dump
from tests.store.servers import run_cli

pytestmark = pytest.mark.e2e

Outcome = tuple[Any, ...]


def outcome(resolve: Callable[[], Resolved]) -> Outcome:
    try:
        found = resolve()
    except (ModelNotFound, ModelRemoved) as exc:
        return (type(exc).__name__, exc.details)
    return (found.requested, found.type, found.model, found.via, found.warnings)


def questions(resolver: Resolver) -> Iterator[tuple[str, str | None]]:
    """Every id, trait and alias, and near misses, with and without a type."""
    for model_id, record in resolver.records.items():
        for model_type in (None, record["type"], "text"):
            yield model_id, model_type
        yield model_id.upper(), None
        yield model_id[:-1], None
    for maps in (resolver.index.traits, resolver.index.aliases):
        for mapping in maps.values():
            for name in mapping:
                for asked in (None, *MODEL_TYPES):
                    yield name, asked
    yield "no-such-model", None


def assert_parity(url: str, at: datetime, key: str | None = None) -> int:
    with Catalog(url, key) as catalog:
        resolver = Resolver.fetch(catalog, at)
        asked = sorted(set(questions(resolver)), key=str)
        differences = [
            (name, model_type)
            for name, model_type in asked
            if outcome(partial(catalog.resolve, name, model_type))
            != outcome(partial(resolver.resolve, name, model_type))
        ]
    assert differences == [], differences[:10]
    return len(asked)


@pytest.fixture(scope="module")
def beta_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    root = tmp_path_factory.mktemp("parity")
    data_dir = root / "data"
    done = run_cli("keys", "create", "partner", "--beta", "--json", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    server = start_server(root, "--data-dir", str(data_dir), "--now", NOW)
    yield server, str(orjson.loads(done.stdout)["key"])
    server.stop()


@pytest.mark.parametrize("audience", ["anonymous", "beta"])
def test_the_resolver_answers_as_the_service_on_the_bundled_catalog(
    beta_server: tuple[Server, str], audience: str
) -> None:
    server, key = beta_server
    at = datetime.fromisoformat(NOW).replace(tzinfo=UTC)
    asked = assert_parity(server.url, at, key if audience == "beta" else None)
    print(f"parity on the bundled catalog, {audience}: {asked} names")
    assert asked > 500


@pytest.mark.parametrize(
    ("name", "captured"),
    [
        ("corre_venice_models_text_2026-03-03.json", "2026-03-03"),
        ("venice-pricing_type-all_2025-12-14", "2025-12-14"),
        ("venice-cpp_captured_entries_2026-07-28_and_08-11.json", "2026-08-11"),
        ("api-docs_static-models_2026-08-22.json", "2026-08-22"),
    ],
)
def test_the_resolver_answers_as_the_service_on_captured_catalogs(
    tmp_path: Path, name: str, captured: str
) -> None:
    dump, _ = capture_dump(CAPTURES, name, tmp_path)
    server = start_server(tmp_path, "--catalog", str(dump), "--now", captured)
    try:
        asked = assert_parity(server.url, datetime.fromisoformat(captured).replace(tzinfo=UTC))
    finally:
        server.stop()
    print(f"parity on {name}: {asked} names")
    assert asked > 20
