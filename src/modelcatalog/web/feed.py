"""``/changes.atom``: the changelog's newest versions as an Atom feed (RFC 4287).

One entry per version with changes the caller may see, identified by its page anchor so that
readers keep an entry's read state across fetches. A catalog read from files has no versions:
its feed is valid and has no entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelcatalog.catalog.snapshot import CatalogSnapshot
from modelcatalog.instants import format_instant, from_unix_seconds
from modelcatalog.web.changes import VersionChanges
from modelcatalog.web.render import render

__all__ = ["atom_feed"]


def atom_feed(base_url: str, versions: Sequence[VersionChanges], snapshot: CatalogSnapshot) -> str:
    """The feed document; ``base_url`` is the service's root URL as the caller reached it."""
    if versions:
        updated = max(v.created_at for v in versions)
    else:
        created = [int(m.record.created) for m in snapshot.models if m.record.created is not None]
        updated = from_unix_seconds(max(created, default=0))
    root = base_url.rstrip("/")
    return render(
        "changes.atom",
        root=root,
        updated=format_instant(updated),
        entries=[
            {
                "version": v,
                "updated": format_instant(v.created_at),
                "link": f"{root}/changes?before={v.version + 1}#v{v.version}",
                "title": f"Catalog version {v.version}: {v.summary()}",
            }
            for v in versions
        ],
    )
