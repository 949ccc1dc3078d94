"""The grammar of model ids, in one place: the catalog rule ``model-id`` and the admin API.

A model id is at most :data:`MAX_ID_LENGTH` printable characters with no whitespace and no
control characters (CR, LF, NUL, ...). It may be a path (``openai/gpt-4o``,
``cloudflare/@cf/meta/llama-2-7b-chat-fp16``), but none of its ``/``-separated segments is
empty, ``.`` or ``..`` (so no leading, trailing or doubled ``/``). It does not end in a
segment that names a route under a model (``/retire``, ``/quote``, ``/history``) and is not
the name of a route beside the models (``traits``, ``compatibility_mapping``, ``resolve``).
Everything else the importers bring is accepted: ``@``, ``:``, ``.``, ``+``, non-ASCII letters.
"""

from __future__ import annotations

__all__ = ["MAX_ID_LENGTH", "RESERVED_IDS", "RESERVED_SUFFIXES", "id_problem"]

MAX_ID_LENGTH = 128
#: Paths under /api/v1/models/ (and /admin/v1/models/) that a model id would shadow.
RESERVED_IDS = frozenset({"traits", "compatibility_mapping", "resolve"})
RESERVED_SUFFIXES = ("/retire", "/quote", "/history")
_DOT_SEGMENTS = frozenset({"", ".", ".."})


def id_problem(model_id: str) -> str | None:
    """What is wrong with ``model_id`` under the grammar above, or None when it is valid."""
    if not model_id:
        return "is empty"
    if len(model_id) > MAX_ID_LENGTH:
        return f"is {len(model_id)} characters long; at most {MAX_ID_LENGTH} are allowed"
    bad = next((c for c in model_id if not c.isprintable() or c.isspace()), None)
    if bad is not None:
        return f"contains {bad!r}; ids hold no whitespace or control characters"
    if any(segment in _DOT_SEGMENTS for segment in model_id.split("/")):
        return "has an empty, '.' or '..' segment (a leading, trailing or doubled '/')"
    if model_id in RESERVED_IDS or model_id.endswith(RESERVED_SUFFIXES):
        return "collides with a route (ends in /retire, /quote or /history, or is reserved)"
    return None
