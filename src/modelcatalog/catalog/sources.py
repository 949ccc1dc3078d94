"""Read catalog data from disk: a catalog directory, one model file, or a Venice dump.

A catalog directory holds one YAML (or JSON) file per model at ``<dir>/<type>/<id>.yaml`` and
one file of compatibility aliases per type at ``<dir>/aliases/<type>.yaml`` (a mapping of alias
to model id). Traits are not kept apart: they come from each model's ``model_spec.traits``.

A Venice dump is the JSON body of ``GET /models`` (``{"data": [...]}``) or a bare list of
records; a dump written by ``modelcatalog export --format dump`` adds a top-level ``"aliases"``
(``{type: {alias: model id}}``), which other clients ignore. Reading never interprets records;
it only returns the raw JSON with its origin, so that parsing and rules can locate every problem.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from modelcatalog.catalog.findings import Origin
from modelcatalog.errors import SourceError

__all__ = [
    "ALIASES_DIR",
    "AliasEntry",
    "CatalogSource",
    "SourceRecord",
    "collection_paused",
    "read_source",
]

ALIASES_DIR = "aliases"
_DATA_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One raw model record and where it came from."""

    origin: Origin
    data: Any
    #: ``<type>/<id>`` spelled by the file's place in a catalog directory; None elsewhere.
    placement: str | None = None


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One compatibility alias: ``alias`` (another vendor's id) names ``target`` of ``type``."""

    origin: Origin
    type: str
    alias: str
    target: Any


@dataclass(slots=True)
class CatalogSource:
    """Everything read from one or more paths, not yet parsed."""

    records: list[SourceRecord] = field(default_factory=list)
    aliases: list[AliasEntry] = field(default_factory=list)
    #: True when the data came from Venice dumps (the live API's own output).
    from_dump: bool = False

    def extend(self, other: CatalogSource) -> None:
        self.records.extend(other.records)
        self.aliases.extend(other.aliases)
        self.from_dump = self.from_dump or other.from_dump


def read_source(path: Path, *, label: str | None = None) -> CatalogSource:
    """Read a catalog directory, a model file or a dump. Raises :class:`SourceError`."""
    shown = label or str(path)
    if path.is_dir():
        return _read_directory(path, shown)
    if not path.exists():
        raise SourceError(f"{shown}: no such file or directory")
    return _from_document(_load_document(path, shown), shown)


def read_document_bytes(
    content: bytes, label: str, formats: tuple[str, ...] = ("JSON", "YAML")
) -> CatalogSource:
    """Read a dump or a single record given as bytes (an upload, say) in one of ``formats``."""
    return _from_document(_parse(content, label, formats), label)


def _from_document(document: Any, label: str) -> CatalogSource:
    if _looks_like_dump(document):
        return _read_dump(document, label)
    if isinstance(document, dict):
        return CatalogSource(records=[SourceRecord(Origin(label), document)])
    raise SourceError(f"{label}: expected a model record, a list of records or {{'data': [...]}}")


def _looks_like_dump(document: Any) -> bool:
    return isinstance(document, list) or (
        isinstance(document, dict) and isinstance(document.get("data"), list)
    )


def _read_dump(document: Any, label: str) -> CatalogSource:
    items = document if isinstance(document, list) else document["data"]
    source = CatalogSource(from_dump=True)
    for index, item in enumerate(items):
        model_id = item.get("id") if isinstance(item, dict) else None
        anchor = f"data[{index}]({model_id})" if isinstance(model_id, str) else f"data[{index}]"
        source.records.append(SourceRecord(Origin(label, anchor), item))
    if isinstance(document, dict) and document.get("aliases") is not None:
        source.aliases.extend(_dump_aliases(document["aliases"], label))
    return source


def _dump_aliases(aliases: Any, label: str) -> Iterator[AliasEntry]:
    # Not part of the Venice body: modelcatalog's own dumps carry the compatibility aliases
    # here, {type: {alias: model id}}, so that exporting and importing again loses nothing.
    if not isinstance(aliases, dict) or not all(isinstance(m, dict) for m in aliases.values()):
        raise SourceError(f"{label}: aliases is an object of type -> {{alias: model id}}")
    for model_type, mapping in aliases.items():
        for alias, target in mapping.items():
            yield AliasEntry(Origin(label, f"aliases.{model_type}"), str(model_type), alias, target)


def _read_directory(root: Path, label: str) -> CatalogSource:
    source = CatalogSource()
    for path in _data_files(root):
        relative = path.relative_to(root)
        shown = f"{label.rstrip('/')}/{relative.as_posix()}"
        if relative.parts[0] == ALIASES_DIR:
            source.aliases.extend(_read_aliases(path, shown))
            continue
        document = _load_document(path, shown)
        if not isinstance(document, dict) or _looks_like_dump(document):
            raise SourceError(f"{shown}: a catalog directory holds one model record per file")
        placement = relative.with_suffix("").as_posix()
        source.records.append(SourceRecord(Origin(shown), document, placement))
    return source


def _data_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and path.suffix in _DATA_SUFFIXES and not hidden:
            yield path


def _read_aliases(path: Path, shown: str) -> Iterator[AliasEntry]:
    document = _load_document(path, shown)
    if document is None:
        return
    if not isinstance(document, dict):
        raise SourceError(f"{shown}: an alias file is a mapping of alias to model id")
    model_type = path.stem
    for alias, target in document.items():
        yield AliasEntry(Origin(shown), model_type, str(alias), target)


def _load_document(path: Path, shown: str) -> Any:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{shown}: cannot read: {exc.strerror}") from exc
    return _parse(content, shown, _formats(path))


def _formats(path: Path) -> tuple[str, ...]:
    """What a file may be, by its name: errors then name the format that was parsed."""
    if path.suffix == ".json":
        return ("JSON",)
    if path.suffix in (".yaml", ".yml"):
        return ("YAML",)
    return ("JSON", "YAML")


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while catalog data is read, parsed or built.

    Reading and parsing a catalog allocates many small objects and frees almost none, so the
    collector would keep re-scanning everything read so far: a third of the time of loading
    10,000 models, and more than half at 20,000, where the scans made loading grow faster
    than linearly. JSON documents and parsed records hold no reference cycles, so nothing is
    lost by waiting; the collector is switched back on (if it was on) right after.

    What was allocated meanwhile is long-lived by construction (a catalog), yet the collector
    would count all of it as young and walk it once per younger generation at the next
    allocations. The outermost pause therefore hands it straight to the oldest generation
    (see :func:`_tenure`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _tenure()
            gc.enable()


def _tenure() -> None:
    """Move every tracked object to the oldest generation without scanning any of them.

    ``gc.freeze()`` moves all generations to the permanent one and zeroes the young count;
    ``gc.unfreeze()`` moves them back, into the oldest generation. Both splice lists, so this
    costs the same for a million objects as for ten. A process that froze objects itself
    (``modelcatalog serve`` freezes its loaded heap, api/service.py) keeps them frozen: there
    the young generations are left as they are.
    """
    if not _process_froze_heap():
        gc.freeze()
        gc.unfreeze()


_heap_frozen = False


def _process_froze_heap() -> bool:
    """Whether this process froze objects; remembered once seen, as nothing here unfreezes.

    ``gc.get_freeze_count()`` walks the whole permanent generation: on a serving process,
    whose loaded heap is frozen, that was a 10-15 ms stall holding the GIL on every catalog
    reload, twice (docs/performance.md, "Reloading under load"). With nothing frozen the
    walk is of an empty list.
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = gc.get_freeze_count() > 0
    return _heap_frozen


def _parse(content: bytes, shown: str, formats: tuple[str, ...]) -> Any:
    with collection_paused():
        return _parse_document(content, shown, formats)


def _parse_document(content: bytes, shown: str, formats: tuple[str, ...]) -> Any:
    # JSON first even for YAML files: it is YAML too, and parsed many times faster.
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        json_error = exc
    if "YAML" not in formats:
        raise SourceError(f"{shown}: invalid JSON: {json_error}") from json_error
    try:
        return yaml.load(content, Loader=_loader())
    except yaml.YAMLError as exc:
        if "JSON" in formats:
            raise SourceError(
                f"{shown}: neither valid JSON ({json_error}) nor valid YAML ({exc})"
            ) from exc
        raise SourceError(f"{shown}: invalid YAML: {exc}") from exc


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses a mapping with a repeated key.

    YAML forbids repeated keys, but PyYAML silently keeps the last one, which would drop half
    of a price table or an alias without a word.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"repeated key {key!r} (line {mark.line + 1})", mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _loader() -> type[yaml.SafeLoader]:
    return _UniqueKeyLoader
