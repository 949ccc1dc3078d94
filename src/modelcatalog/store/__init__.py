"""The catalog store: versioned catalogs on SQLite (default) or PostgreSQL (several replicas).

    from modelcatalog.store import Store
    with Store.open(data_dir="./data", seed=BUNDLED_CATALOG) as store:   # or database_url=...
        snapshot = store.snapshot()                      # the current catalog, servable
        past = store.snapshot_at(datetime(2026, 1, 1, tzinfo=UTC))   # as it stood then
        store.commit(lambda doc: doc.with_model(record), author="alice", message="add m",
                     expected=store.head())              # strict check, then one new version

Other parts of modelcatalog use :meth:`Store.snapshot_at` for "as of T" reads (``?at=``,
dated price quotes), :meth:`Store.history` for a model's changes and :meth:`Store.diff` for
what changed between two versions. :class:`~modelcatalog.store.follow.Follower` keeps a
running server on the newest version. Modules: ``schema`` (tables, migrations), ``engine``
(backends, write locking), ``document`` (catalog documents, import/export formats), ``diff``,
``store``, ``keys``, ``edits`` (model-level changes), ``follow`` (replica reload).
"""

from modelcatalog.store.document import CatalogDocument
from modelcatalog.store.store import HistoryEntry, Store, VersionInfo

__all__ = ["CatalogDocument", "HistoryEntry", "Store", "VersionInfo"]
