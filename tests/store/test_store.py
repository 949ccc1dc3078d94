"""The store's behaviour, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, select

from modelcatalog.bundled import BUNDLED_CATALOG
from modelcatalog.catalog.sources import read_source
from modelcatalog.errors import (
    AlreadyExists,
    CatalogInvalid,
    NotFound,
    SchemaOutOfDate,
    VersionConflict,
)
from modelcatalog.store import CatalogDocument, Store, edits, schema
from modelcatalog.store.document import export_directory, export_dump
from modelcatalog.store.schema import catalog_versions, schema_migrations
from tests.store.factory import text_model


def _add(store: Store, *records: dict[str, Any], expected: int | None = None) -> int:
    def change(document: CatalogDocument) -> CatalogDocument:
        for record in records:
            document = document.with_model(record)
        return document

    return store.commit(change, author="test", message="add", expected=expected).id


def test_a_new_store_is_empty_and_seeding_gives_version_one(
    store_location: dict[str, Any],
) -> None:
    with Store.open(**store_location) as store:
        assert store.head() == 0
    with Store.open(**store_location, seed=BUNDLED_CATALOG) as store:
        assert store.head() == 1
        bundled_ids = [r.data["id"] for r in read_source(BUNDLED_CATALOG).records]
        assert [m.id for m in store.snapshot().models] == bundled_ids
        assert store.snapshot().version == "1"
    with Store.open(**store_location, seed=BUNDLED_CATALOG) as store:
        assert store.head() == 1, "a store that has a version is never seeded again"


def test_each_commit_is_a_new_immutable_version(store: Store) -> None:
    first = _add(store, text_model("alpha"))
    second = _add(store, text_model("beta"))
    assert (first, second) == (1, 2)
    assert [m.id for m in store.snapshot(1).models] == ["alpha"]
    assert [m.id for m in store.snapshot(2).models] == ["alpha", "beta"]
    infos = store.versions()
    assert [v.id for v in infos] == [2, 1]
    assert infos[0].author == "test" and infos[0].model_count == 2
    assert infos[0].created_at > infos[1].created_at


def test_versions_page_newest_first(store: Store) -> None:
    for index in range(5):
        _add(store, text_model(f"m{index}"))
    first_page = store.versions(limit=2)
    second_page = store.versions(limit=2, before=first_page[-1].id)
    last_page = store.versions(limit=2, before=second_page[-1].id)
    assert [v.id for v in first_page + second_page + last_page] == [5, 4, 3, 2, 1]


def test_a_rejected_write_changes_nothing_and_reports_every_error(store: Store) -> None:
    _add(store, text_model("alpha"))
    broken = text_model("broken")
    broken["context_length"] = "lots"
    odd = text_model("odd")
    odd["model_spec"]["privacy"] = "public"
    with pytest.raises(CatalogInvalid) as caught:
        _add(store, text_model("fine"), broken, odd)
    locations = [f.location for f in caught.value.findings if f.severity == "error"]
    assert "catalog:models[2](broken).context_length" in locations
    assert "catalog:models[3](odd).model_spec.privacy" in locations
    assert store.head() == 1
    assert [m.id for m in store.snapshot().models] == ["alpha"]


def test_a_stale_expected_version_is_a_conflict(store: Store) -> None:
    base = _add(store, text_model("alpha"))
    _add(store, text_model("beta"), expected=base)
    with pytest.raises(VersionConflict) as caught:
        _add(store, text_model("gamma"), expected=base)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert store.head() == 2


def test_a_change_that_changes_nothing_makes_no_version(store: Store) -> None:
    _add(store, text_model("alpha"))
    assert _add(store, text_model("alpha")) == 1
    assert store.head() == 1


def test_concurrent_writers_lose_no_update(store: Store) -> None:
    _add(store, text_model("seed"))
    conflicts: list[int] = []

    def writer(index: int) -> None:
        while True:
            expected = store.head()
            try:
                _add(store, text_model(f"writer-{index}"), expected=expected)
                return
            except VersionConflict:
                conflicts.append(index)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.head() == 9
    ids = {m.id for m in store.snapshot().models}
    assert ids == {"seed"} | {f"writer-{i}" for i in range(8)}


def test_diff_lists_added_removed_changed_fields_and_prices(store: Store) -> None:
    _add(store, text_model("alpha"), text_model("beta"))
    changed = text_model("alpha", usd_in=0.75)
    changed["model_spec"]["name"] = "Alpha Two"
    del changed["model_spec"]["modelSource"]

    def change(document: CatalogDocument) -> CatalogDocument:
        document = edits.delete_model("beta")(document).with_model(changed)
        return document.with_model(text_model("gamma"))

    store.commit(change, author="test", message="rework")
    diff = store.diff(1, 2).as_json()
    assert diff["added"] == ["gamma"] and diff["removed"] == ["beta"]
    [alpha] = diff["changed"]
    fields = {f["path"]: (f["kind"], f["old"], f["new"]) for f in alpha["fields"]}
    assert fields == {
        "model_spec.pricing.input.usd": ("changed", 0.5, 0.75),
        "model_spec.pricing.input.diem": ("changed", 0.5, 0.75),
        "model_spec.name": ("changed", "Alpha", "Alpha Two"),
        "model_spec.modelSource": ("removed", "https://example.org/alpha", None),
    }
    assert [(p["id"], p["path"], p["old"], p["new"]) for p in diff["prices"]] == [
        ("alpha", "model_spec.pricing.input.usd", 0.5, 0.75),
        ("alpha", "model_spec.pricing.input.diem", 0.5, 0.75),
    ]
    assert store.diff(2, 1).as_json()["added"] == ["beta"]


def test_history_lists_a_models_changes_with_effective_times(store: Store) -> None:
    _add(store, text_model("alpha"))
    _add(store, text_model("beta"))
    _add(store, text_model("alpha", usd_out=2.0))
    store.commit(edits.delete_model("alpha"), author="ops", message="gone")
    history = store.history("alpha")
    assert [(h.version.id, h.change.kind) for h in history] == [
        (1, "added"),
        (3, "changed"),
        (4, "removed"),
    ]
    assert [f.path for f in history[1].change.fields] == [
        "model_spec.pricing.output.usd",
        "model_spec.pricing.output.diem",
    ]
    assert history[2].as_json()["author"] == "ops"
    times = [h.version.created_at for h in history]
    assert times == sorted(times)
    with pytest.raises(NotFound):
        store.history("never-existed")


def test_snapshot_at_is_the_version_current_at_that_instant(store: Store) -> None:
    _add(store, text_model("alpha"))
    _add(store, text_model("alpha", usd_in=9.0))
    first, second = store.version(1), store.version(2)
    between = first.created_at + (second.created_at - first.created_at) / 2
    assert store.version_at(between) == 1
    assert store.version_at(second.created_at) == 2
    assert store.version_at(datetime.now(UTC) + timedelta(days=1)) == 2
    price = store.snapshot_at(between).by_id["alpha"].wire["model_spec"]["pricing"]["input"]
    assert price["usd"] == 0.5
    with pytest.raises(NotFound):
        store.version_at(first.created_at - timedelta(seconds=1))


def test_model_edits_merge_patch_retire_traits_and_aliases(store: Store) -> None:
    _add(store, text_model("alpha"), text_model("beta"))
    store.commit(
        edits.patch_model("alpha", {"model_spec": {"description": "new", "modelSource": None}}),
        author="t",
        message="patch",
    )
    alpha = store.snapshot().by_id["alpha"].wire["model_spec"]
    assert alpha["description"] == "new" and "modelSource" not in alpha
    assert alpha["pricing"]["input"]["usd"] == 0.5
    removes = datetime(2030, 1, 1, tzinfo=UTC)
    store.commit(
        edits.retire_model("beta", removes, replacement="alpha"), author="t", message="retire"
    )
    deprecation = store.snapshot().by_id["beta"].wire["model_spec"]["deprecation"]
    assert deprecation["removesAt"] == "2030-01-01T00:00:00Z"
    assert deprecation["replacementModelId"] == "alpha"
    store.commit(edits.set_traits("text", {"default": "alpha"}), author="t", message="traits")
    store.commit(edits.set_aliases("text", {"gpt-4o": "alpha"}), author="t", message="alias")
    snapshot = store.snapshot()
    assert dict(snapshot.traits["text"]) == {"default": "alpha"}
    assert dict(snapshot.aliases["text"]) == {"gpt-4o": "alpha"}
    assert [a.as_json() for a in store.diff(4, 5).aliases] == [
        {"type": "text", "alias": "gpt-4o", "old": None, "new": "alpha"}
    ]
    with pytest.raises(AlreadyExists):
        store.commit(edits.create_model(text_model("alpha")), author="t", message="dup")
    with pytest.raises(NotFound):
        store.commit(edits.replace_model("nope", text_model("nope")), author="t", message="x")


def test_an_alias_to_a_missing_model_is_rejected(store: Store) -> None:
    _add(store, text_model("alpha"))
    with pytest.raises(CatalogInvalid):
        store.commit(edits.set_aliases("text", {"gpt-4o": "nope"}), author="t", message="x")
    assert store.head() == 1


def test_export_then_import_round_trips_exactly(store: Store, tmp_path: Path) -> None:
    store.seed(BUNDLED_CATALOG)
    _, original = store.document()
    export_directory(original, tmp_path / "dir")
    export_dump(original, tmp_path / "dump.json")
    store.import_source(read_source(tmp_path / "dir"), author="t", message="from dir")
    _, from_dir = store.document()
    assert sorted(from_dir.models, key=lambda r: r["id"]) == sorted(
        original.models, key=lambda r: r["id"]
    )
    assert from_dir.aliases == original.aliases
    store.import_source(read_source(tmp_path / "dump.json"), author="t", message="from dump")
    # A dump cannot say "staff only" without x-catalog, so the export writes it down.
    served = [(m.id, dict(m.wire), m.public_voice_cloning) for m in store.snapshot().models]
    assert served == [
        (m.id, dict(m.wire), m.public_voice_cloning) for m in store.snapshot(1).models
    ]


def test_a_schema_behind_or_ahead_refuses_to_open(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(schema_migrations))
        conn.execute(
            schema_migrations.insert().values(name="9999_from_the_future", applied_at_us=0)
        )
    with pytest.raises(SchemaOutOfDate, match="newer than this release"):
        Store.open(database_url=store.url)
    with store.engine.begin() as conn:
        conn.execute(delete(schema_migrations))
    with pytest.raises(SchemaOutOfDate, match="modelcatalog db upgrade"):
        Store.open(database_url=store.url, initialise=False)


def test_a_replica_starting_while_another_creates_the_schema_waits_for_all_of_it(
    store_location: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each migration used to commit on its own: a replica starting while another was between
    # migrations saw the first one's tables, took the database for an old one and refused.
    *earlier, last = schema.MIGRATIONS
    reached, release = threading.Event(), threading.Event()

    def slow(conn: Connection) -> None:
        reached.set()
        release.wait(10)
        last.apply(conn)

    monkeypatch.setattr(schema, "MIGRATIONS", (*earlier, schema.Migration(last.name, slow)))
    failures: list[BaseException] = []

    def start() -> None:
        try:
            Store.open(**store_location).close()
        except BaseException as exc:  # every failure is reported below
            failures.append(exc)
            reached.set()

    first = threading.Thread(target=start)
    first.start()
    assert reached.wait(10)
    second = threading.Thread(target=start)
    second.start()
    second.join(0.5)  # it may only finish once the first has committed the whole schema
    release.set()
    first.join()
    second.join()
    assert failures == []
    with Store.open(**store_location) as store, store.engine.connect() as conn:
        names = list(conn.execute(select(schema_migrations.c.name)).scalars())
    assert sorted(names) == sorted(m.name for m in schema.MIGRATIONS)


def test_versions_store_the_whole_document(store: Store) -> None:
    _add(store, text_model("alpha"))
    _add(store, text_model("beta"))
    with store.engine.connect() as conn:
        documents = conn.execute(
            select(catalog_versions.c.document).order_by(catalog_versions.c.id)
        ).scalars()
        models = [[r["id"] for r in CatalogDocument.from_json(d).models] for d in documents]
    assert models == [["alpha"], ["alpha", "beta"]]
