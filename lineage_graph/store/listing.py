"""Listing rules shared by both backends: ListOptions checks, cursors, order, comparisons.

Ordering: ascending puts ``None`` keys last (only ``name`` can be ``None``), ties broken by id;
descending is the exact reverse -- Cypher's ``ORDER BY k, id`` rules. A cursor is opaque
base64 JSON of the order, the last row's key and its id. Property filters follow Cypher's
comparison semantics (see ``property_matches``). ``validation`` re-exports everything here.
"""

from __future__ import annotations

import base64
import binascii
import json
import string
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidInputError
from ..models import ArtifactState, ExecutionState, Kind, ListOptions, Node, PropertyFilter
from .values import check_int, check_property_name, check_text, check_type_name, check_value

# ---- listing: filters, order, cursors -------------------------------------------------------


def check_list_options(options: ListOptions, kind: Kind | None = None) -> tuple[Any, int] | None:
    """Type names, property filter names and values, and the cursor.

    With ``kind``, also the filters that only make sense for some kinds: ``uri`` is for
    artifacts, ``states`` must be the kind's state names (contexts have none), ``context_id``
    is for artifacts/executions, ``artifact_id``/``execution_id`` for contexts.

    Returns:
        The decoded cursor ``(order key, id)``, or ``None`` for the first page.

    Raises:
        InvalidInputError: naming ``options.<field>`` (or ``cursor``) and the value.
    """
    if options.type is not None:
        check_type_name(options.type, "options.type")
    for t in options.types or ():
        check_type_name(t, "options.types")
    for fname in ("name", "name_glob", "uri"):
        v = getattr(options, fname)
        if v is not None:
            check_text(v, f"options.{fname}")
    for x in options.external_ids or ():
        check_text(x, "options.external_ids")
    for f in options.properties:
        field = f"options.properties.{f.name}"
        check_property_name(f.name, field)
        check_value(f.value, field)
    for x in options.states or ():
        check_text(x, "options.states")
    for fname in (
        "context_id",
        "artifact_id",
        "execution_id",
        "changed_after",
        "create_time_min",
        "create_time_max",
        "update_time_min",
        "update_time_max",
    ):
        v = getattr(options, fname)
        if v is not None:
            check_int(v, f"options.{fname}")
    if kind is not None:
        _check_options_for_kind(options, kind)
    if options.cursor is None:
        return None
    return decode_cursor(options.cursor, options.order_by, options.descending)


_STATES: dict[Kind, frozenset[str]] = {
    Kind.ARTIFACT: frozenset(s.value for s in ArtifactState),
    Kind.EXECUTION: frozenset(s.value for s in ExecutionState),
    Kind.CONTEXT: frozenset(),
}


def _check_options_for_kind(options: ListOptions, kind: Kind) -> None:
    def refuse(fname: str, value: object, why: str) -> None:
        raise InvalidInputError(
            f"options.{fname}={value!r}: {why}", field=f"options.{fname}", value=value
        )

    if options.uri is not None and kind is not Kind.ARTIFACT:
        refuse("uri", options.uri, "only artifacts have a uri")
    for state in options.states or ():
        if state not in _STATES[kind]:
            allowed = ", ".join(sorted(_STATES[kind])) or "none: contexts have no state"
            refuse("states", state, f"not a {kind.value} state (allowed: {allowed})")
    if options.context_id is not None and kind is Kind.CONTEXT:
        refuse("context_id", options.context_id, "filters artifacts and executions only")
    for fname in ("artifact_id", "execution_id"):
        v = getattr(options, fname)
        if v is not None and kind is not Kind.CONTEXT:
            refuse(fname, v, "filters contexts only")


def encode_cursor(order_by: str, descending: bool, key: Any, node_id: int) -> str:
    """An opaque cursor: base64 of JSON with the order, the last row's key and its id."""
    raw = json.dumps(
        {"o": order_by, "d": descending, "k": key, "i": node_id}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order_by: str, descending: bool) -> tuple[Any, int]:
    """The ``(key, id)`` of a cursor made by ``encode_cursor`` for the same order.

    Raises:
        InvalidInputError: field ``cursor``: malformed, or made for another order.
    """
    bad = InvalidInputError(
        f"cursor {cursor!r} is not a cursor from a previous page of this listing",
        field="cursor",
        value=cursor,
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(data, dict) or set(data) != {"o", "d", "k", "i"}:
        raise bad
    key, node_id = data["k"], data["i"]
    if data["o"] != order_by or data["d"] is not descending:
        raise bad
    if isinstance(node_id, bool) or not isinstance(node_id, int):
        raise bad
    if order_by in ("name", "type"):
        if key is not None and not isinstance(key, str):
            raise bad
    elif isinstance(key, bool) or not isinstance(key, int):
        raise bad
    return key, node_id


def order_key(node: Node, order_by: str) -> Any:
    """The value a node is ordered by (``None`` only possible for ``name``)."""
    return getattr(node, order_by)


def sort_key(node: Node, order_by: str) -> tuple[bool, Any, int]:
    """A key whose ascending order is the listing order (see the module docstring)."""
    k = order_key(node, order_by)
    return (k is None, k if k is not None else 0, node.id or 0)


def sort_nodes(nodes: Iterable[Node], order_by: str, descending: bool) -> list[Node]:
    """Nodes in listing order: see the module docstring for ``None`` and ties."""
    return sorted(nodes, key=lambda n: sort_key(n, order_by), reverse=descending)


def after_cursor(key: Any, node_id: int, cursor: tuple[Any, int], descending: bool) -> bool:
    """Whether a row ``(key, node_id)`` comes after the cursor's row in listing order."""
    ck, cid = cursor
    # Compare in ascending order: (non-null keys ascending, then nulls), ties by id.
    if (key is None) != (ck is None):
        cmp = 1 if key is None else -1  # nulls sort after every non-null key
    elif key is not None and key != ck:
        cmp = 1 if key > ck else -1
    else:
        cmp = (node_id > cid) - (node_id < cid)
    return cmp < 0 if descending else cmp > 0


def glob_regex(pattern: str) -> str:
    """The regular expression, full-match, that both backends use for a name glob.

    ``*`` is any run of characters, ``?`` one character, everything else literal. Only
    constructs Python's ``re`` and Java's ``java.util.regex`` (Cypher's ``=~``) read the same
    way are produced: ``(?s)`` so ``.`` also matches line breaks, and a backslash only before
    ASCII punctuation (Java rejects it before letters). Brackets are literal, not classes:
    the two engines disagree on class syntax (``&&`` is an intersection in Java).
    """
    parts = ["(?s)"]
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        elif ch in string.punctuation:
            parts.append("\\" + ch)
        else:
            parts.append(ch)
    return "".join(parts)


def property_matches(stored: Mapping[str, Any], f: PropertyFilter) -> bool:
    """Cypher's comparison semantics for one property filter on one node's property map.

    A missing property, a STRUCT, or a value of an incomparable type never matches (Cypher
    gives ``null``); numbers (int/float) compare with each other, booleans only with booleans,
    strings only with strings.
    """
    if f.name not in stored:
        return False
    v = stored[f.name]
    if isinstance(v, (dict, list)):
        return False
    if not _comparable(v, f.value):
        # Cypher: = is false, <> is true, ordering is null (no match).
        return bool(f.op == "!=")
    if f.op == "=":
        return bool(v == f.value)
    if f.op == "!=":
        return bool(v != f.value)
    if f.op == "<":
        return bool(v < f.value)
    if f.op == "<=":
        return bool(v <= f.value)
    if f.op == ">":
        return bool(v > f.value)
    return bool(v >= f.value)


def _comparable(a: object, b: object) -> bool:
    def group(x: object) -> str:
        if isinstance(x, bool):
            return "bool"
        if isinstance(x, (int, float)):
            return "num"
        return type(x).__name__

    return group(a) == group(b)
