"""Rules across the whole catalog: ids, replacements, traits and compatibility aliases.

Each rule sees every parsed record (in catalog order) and every alias entry, and names the
record or alias file each problem is in. Ids are case-sensitive (``wai-Illustrious``), so
lookups are exact; a near miss in case only is pointed out in the message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from modelcatalog.catalog.ids import id_problem
from modelcatalog.catalog.record_rules import parse_instant
from modelcatalog.catalog.rules import Entry, Problem, catalog_rule
from modelcatalog.catalog.sources import AliasEntry
from modelcatalog.instants import format_instant
from modelcatalog.spec.record import MODEL_TYPES

__all__: list[str] = []

REPLACEMENT = "model_spec.deprecation.replacementModelId"


def _by_id(entries: Sequence[Entry]) -> dict[str, Entry]:
    """The first entry of each id (a duplicate is the unique-id rule's to report)."""
    found: dict[str, Entry] = {}
    for entry in entries:
        if entry.record.id:
            found.setdefault(entry.record.id, entry)
    return found


def _a(word: str | None) -> str:
    """``word`` with its indefinite article: "an image", "a text"."""
    text = str(word)
    return f"an {text}" if text[:1] in ("a", "e", "i", "o", "u") else f"a {text}"


def _unknown_id(model_id: str, by_id: Mapping[str, Entry]) -> str:
    message = f"names {model_id!r}, which is not in the catalog"
    near = [known for known in by_id if known.lower() == model_id.lower()]
    return f"{message} (ids are case-sensitive: did you mean {near[0]!r}?)" if near else message


@catalog_rule("unique-id", always_error=True)
def _unique_ids(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """Every model id appears once in the catalog (ids are case-sensitive)."""
    first_seen: dict[str, Entry] = {}
    for entry in entries:
        model_id = entry.record.id
        if not model_id:
            continue
        if model_id in first_seen:
            first = first_seen[model_id].origin.at()
            yield Problem(
                "id", f"duplicate id {model_id!r}, first defined at {first}", entry.origin
            )
        else:
            first_seen[model_id] = entry


@catalog_rule("file-placement")
def _file_placement(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """A model file in a catalog directory sits at ``<type>/<id>.yaml``."""
    for entry in entries:
        model_id, kind = entry.record.id, entry.record.type
        if entry.placement is None or not model_id or not kind:
            continue
        folder, _, stem = entry.placement.partition("/")
        wanted = f"{kind}/{model_id}.yaml"
        if folder != kind:
            yield Problem(
                "type",
                f"is {kind!r} but the file is in {folder}/; move it to {wanted}",
                entry.origin,
            )
        elif stem != model_id:
            yield Problem(
                "id",
                f"is {model_id!r} but the file is named {stem!r}; rename it to {wanted}",
                entry.origin,
            )


def _replacement(entry: Entry) -> str | None:
    deprecation = entry.record.model_spec.deprecation if entry.record.model_spec else None
    target = deprecation.replacementModelId if deprecation is not None else None
    return target if isinstance(target, str) else None


@catalog_rule("replacement-exists")
def _replacement_exists(
    entries: Sequence[Entry], aliases: Sequence[AliasEntry]
) -> Iterator[Problem]:
    """A ``replacementModelId`` names a model of the catalog."""
    by_id = _by_id(entries)
    for entry in entries:
        target = _replacement(entry)
        if target is not None and target not in by_id:
            yield Problem(REPLACEMENT, _unknown_id(target, by_id), entry.origin)


@catalog_rule("replacement-type")
def _replacement_type(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """A replacement is a model of the same type (a text model is replaced by a text model)."""
    by_id = _by_id(entries)
    for entry in entries:
        target = by_id.get(_replacement(entry) or "")
        if target is not None and target.record.type != entry.record.type:
            yield Problem(
                REPLACEMENT,
                f"names {target.record.id!r}, {_a(target.record.type)} model; "
                f"{_a(entry.record.type)} model needs {_a(entry.record.type)} replacement",
                entry.origin,
            )


def _removes_at(entry: Entry) -> Any:
    spec = entry.record.model_spec
    value = spec.deprecation.removesAt if spec is not None and spec.deprecation else None
    return parse_instant(value) if isinstance(value, str) else None


@catalog_rule("replacement-lifetime")
def _replacement_lifetime(
    entries: Sequence[Entry], aliases: Sequence[AliasEntry]
) -> Iterator[Problem]:
    """A replacement is not itself removed before the model it replaces."""
    by_id = _by_id(entries)
    for entry in entries:
        target = by_id.get(_replacement(entry) or "")
        if target is None or target is entry:
            continue
        ends, target_ends = _removes_at(entry), _removes_at(target)
        if ends is not None and target_ends is not None and target_ends < ends:
            yield Problem(
                REPLACEMENT,
                f"names {target.record.id!r}, which is removed at {format_instant(target_ends)}, "
                f"before this model ({format_instant(ends)})",
                entry.origin,
            )


def _cycles(links: Mapping[str, str]) -> list[list[str]]:
    """Each loop of ``id -> replacement id`` links once, in the order it is walked."""
    walked: dict[str, str] = {}
    cycles = []
    for start in links:
        path, node = [], start
        while node in links and node not in walked:
            walked[node] = start
            path.append(node)
            node = links[node]
        if walked.get(node) == start and node in path:
            cycles.append(path[path.index(node) :])
    return cycles


@catalog_rule("replacement-cycle")
def _replacement_cycle(
    entries: Sequence[Entry], aliases: Sequence[AliasEntry]
) -> Iterator[Problem]:
    """Following ``replacementModelId`` from any model never comes back to it."""
    by_id = _by_id(entries)
    links = {
        model_id: target
        for model_id, entry in by_id.items()
        if (target := _replacement(entry)) is not None and target in by_id
    }
    for cycle in _cycles(links):
        chain = " -> ".join([*cycle, cycle[0]])
        yield Problem(REPLACEMENT, f"the replacement chain loops: {chain}", by_id[cycle[0]].origin)


@catalog_rule("unique-trait")
def _unique_trait(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """A trait is claimed by at most one model of each type (a trait selects one model)."""
    owners: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        spec, kind = entry.record.model_spec, entry.record.type
        for index, trait in enumerate((spec.traits if spec is not None else None) or []):
            owner = owners.setdefault((str(kind), trait), entry)
            if owner is not entry and owner.record.id != entry.record.id:
                yield Problem(
                    f"model_spec.traits[{index}]",
                    f"trait {trait!r} of {kind} models is already claimed by "
                    f"{owner.record.id!r} ({owner.origin.at()})",
                    entry.origin,
                )


@catalog_rule("alias-type")
def _alias_type(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """An alias file is named after a model type: ``aliases/<type>.yaml``."""
    reported: set[str] = set()
    for alias in aliases:
        if alias.type not in MODEL_TYPES and alias.origin.source not in reported:
            reported.add(alias.origin.source)
            yield Problem(
                "",
                f"{alias.type!r} is not a model type; name the file after one of "
                f"{', '.join(MODEL_TYPES)}",
                alias.origin,
            )


@catalog_rule("alias-target")
def _alias_target(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """A compatibility alias names an existing model of its alias file's type."""
    by_id = _by_id(entries)
    for alias in aliases:
        if alias.type not in MODEL_TYPES:
            continue
        target = alias.target
        if not isinstance(target, str):
            yield Problem(alias.alias, "the target must be a model id (a string)", alias.origin)
        elif target not in by_id:
            yield Problem(alias.alias, _unknown_id(target, by_id), alias.origin)
        elif by_id[target].record.type != alias.type:
            kind = by_id[target].record.type
            yield Problem(
                alias.alias,
                f"names {target!r}, {_a(kind)} model, but this file holds {alias.type} aliases",
                alias.origin,
            )


@catalog_rule("alias-name")
def _alias_name(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """A compatibility alias is another vendor's model id, so it follows the model-id grammar
    (printable, at most 128 characters, no empty, ``.`` or ``..`` segment, no route name).
    """
    for alias in aliases:
        problem = id_problem(alias.alias)
        if problem is not None:
            shown = repr(alias.alias[:40] + ("..." if len(alias.alias) > 40 else ""))
            yield Problem(alias.alias[:40], f"{shown} {problem}", alias.origin)


@catalog_rule("unique-alias")
def _unique_alias(entries: Sequence[Entry], aliases: Sequence[AliasEntry]) -> Iterator[Problem]:
    """Each alias is defined once per type, across all alias files read."""
    first_seen: dict[tuple[str, str], AliasEntry] = {}
    for alias in aliases:
        first = first_seen.setdefault((alias.type, alias.alias), alias)
        if first is not alias:
            yield Problem(
                alias.alias,
                f"alias {alias.alias!r} of {alias.type} models is already defined at "
                f"{first.origin.at(first.alias)}",
                alias.origin,
            )


@catalog_rule("alias-shadows-model")
def _alias_shadows_model(
    entries: Sequence[Entry], aliases: Sequence[AliasEntry]
) -> Iterator[Problem]:
    """An alias is not also the id of a model of its type, which the alias would hide."""
    by_id = _by_id(entries)
    for alias in aliases:
        model = by_id.get(alias.alias)
        if model is not None and model.record.type == alias.type:
            yield Problem(
                alias.alias,
                f"is also the id of {_a(alias.type)} model ({model.origin.at()}); "
                "requests for it would be ambiguous",
                alias.origin,
            )
