"""Backend-independent checks, run by BOTH backends before anything is written.

Everything here is pure Python on model objects: no database, no graph. A backend calls these
first, then writes; so bad input never reaches a query and both backends refuse the same input
with the same error (``errors.InvalidInputError`` with ``field`` and ``value``).

Decisions recorded here (both backends follow them; the contract suite checks them):

* Field names in errors are the model's field path without batch position: ``type``,
  ``name``, ``external_id``, ``properties.<p>``, ``custom_properties.<p>``, ``artifact_id``,
  ``execution_id``, ``path``, ``timestamp``, ``child_id``, ``parent_id``, ``cursor``,
  ``options.<field>``. The message says which item of a batch.
* Property values keep their exact Python type: INT is ``int`` (never ``bool``), DOUBLE is
  ``float`` only (an ``int`` is refused rather than coerced, unlike MLMD's proto), STRING
  ``str``, BOOLEAN ``bool``, STRUCT a JSON-serialisable ``dict``/``list``.
* Integers (values, ids, path steps, times) must fit in 64 bits, Neo4j's integer.
* Floats: ``-0.0`` and ``+/-inf`` are accepted and round-trip; ``NaN`` is refused (it is not
  equal to itself, so equality filters and the idempotent-retry rule could not hold).
  Inside a STRUCT (stored as JSON) neither ``inf`` nor ``NaN`` is accepted.
* STRUCT contents: dict keys are ``str``; leaves are ``None``, ``bool``, ``int``, ``float``,
  ``str``; containers ``dict`` and ``list`` (a tuple would come back as a list, so it is refused).
* Strings must be valid Unicode text (no lone surrogates), since the database stores UTF-8.
* A node ``name`` or ``external_id`` may be ``None`` but not ``""``.
* Events are keyed by ``(artifact_id, execution_id, type, path)``: re-putting a known event is
  a no-op and keeps the first timestamp (so a retry with a fresh timestamp does not duplicate).
* Ordering for paging: ascending puts ``None`` keys last, ties broken by id ascending;
  descending is the exact reverse (``None`` first) -- Cypher's ``ORDER BY k, id`` rules.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from ..errors import AlreadyExistsError, InvalidInputError
from ..models import (
    PROPERTY_NAME_PATTERN,
    AnyType,
    Artifact,
    ArtifactState,
    Event,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    ListOptions,
    Node,
    ParentContext,
    PropertyFilter,
    PropertyType,
    node_class,
    type_class,
    type_label,
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


# ---- time ---------------------------------------------------------------------------------


def now_ms() -> int:
    """Milliseconds since the Unix epoch (MLMD's ``*_time_since_epoch``)."""
    return time.time_ns() // 1_000_000


# ---- scalars --------------------------------------------------------------------------------


def check_int(value: object, field: str) -> int:
    """An ``int`` (not ``bool``) that fits in 64 bits.

    Raises:
        InvalidInputError: otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            f"{field} must be an integer, got {value!r}", field=field, value=value
        )
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidInputError(
            f"{field} = {value} does not fit in a 64-bit integer", field=field, value=value
        )
    return value


def check_text(value: object, field: str, *, allow_empty: bool = True) -> str:
    """A ``str`` that is valid Unicode text (encodable as UTF-8).

    Raises:
        InvalidInputError: not a string, empty when not allowed, or has lone surrogates.
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{field} must be a string, got {value!r}", field=field, value=value
        )
    if not allow_empty and value == "":
        raise InvalidInputError(
            f"{field} must not be empty (leave it unset instead)", field=field, value=value
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field} is not valid Unicode text (lone surrogate): {value!r}",
            field=field,
            value=value,
        ) from None
    return value


def check_float(value: object, field: str) -> float:
    """A ``float`` that is not NaN.

    Raises:
        InvalidInputError: otherwise.
    """
    if not isinstance(value, float):
        raise InvalidInputError(f"{field} must be a float, got {value!r}", field=field, value=value)
    if math.isnan(value):
        raise InvalidInputError(
            f"{field} is NaN, which is not accepted (it is not equal to itself)",
            field=field,
            value=value,
        )
    return value


def _check_struct(value: object, field: str) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        check_int(value, field)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(
                f"{field}: a STRUCT holds JSON, which has no {value!r}", field=field, value=value
            )
    elif isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_struct(item, f"{field}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(
                    f"{field}: STRUCT keys must be strings, got {key!r}", field=field, value=key
                )
            check_text(key, field)
            _check_struct(item, f"{field}.{key}")
    else:
        raise InvalidInputError(
            f"{field}: {type(value).__name__} {value!r} cannot be stored in a STRUCT "
            "(use dict, list, str, int, float, bool or None)",
            field=field,
            value=value,
        )


def check_value(value: object, field: str) -> None:
    """Any property value: bool, int, float, str, or a STRUCT (dict/list).

    Raises:
        InvalidInputError: naming ``field`` and the value.
    """
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        check_int(value, field)
    elif isinstance(value, float):
        check_float(value, field)
    elif isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, (dict, list)):
        _check_struct(value, field)
    else:
        raise InvalidInputError(
            f"{field}: unsupported value {value!r} of type {type(value).__name__}",
            field=field,
            value=value,
        )


_PYTHON_TYPE: dict[PropertyType, str] = {
    PropertyType.INT: "an int",
    PropertyType.DOUBLE: "a float",
    PropertyType.STRING: "a str",
    PropertyType.BOOLEAN: "a bool",
    PropertyType.STRUCT: "a dict or list",
}


def value_matches(ptype: PropertyType, value: object) -> bool:
    """Whether ``value`` has exactly the Python type a declared ``ptype`` requires."""
    if ptype is PropertyType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if ptype is PropertyType.DOUBLE:
        return isinstance(value, float)
    if ptype is PropertyType.STRING:
        return isinstance(value, str)
    if ptype is PropertyType.BOOLEAN:
        return isinstance(value, bool)
    return isinstance(value, (dict, list))


def check_declared_value(ptype: PropertyType, value: object, field: str) -> None:
    """A declared property's value against its declared type (exact types, no coercion).

    Raises:
        InvalidInputError: wrong type (DOUBLE takes ``float`` only: write ``1.0``, not ``1``).
    """
    if not value_matches(ptype, value):
        hint = (
            " (DOUBLE accepts float only: write 1.0, not 1)" if ptype is PropertyType.DOUBLE else ""
        )
        raise InvalidInputError(
            f"{field} is declared {ptype.value} and needs {_PYTHON_TYPE[ptype]}, "
            f"got {type(value).__name__} {value!r}{hint}",
            field=field,
            value=value,
        )
    check_value(value, field)


# ---- names ----------------------------------------------------------------------------------


def check_type_name(name: object, field: str = "type") -> str:
    """A type name usable as a label; returns the label (``models.type_label``).

    Raises:
        InvalidInputError: the name is malformed or reserved.
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"type name {name!r} is not a string", field=field, value=name)
    try:
        return type_label(name)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field=field, value=name) from None


def check_property_name(name: object, field: str) -> str:
    """A property name matching ``models.PROPERTY_NAME_PATTERN``.

    Raises:
        InvalidInputError: otherwise; ``field`` is e.g. ``properties.<name>``.
    """
    if not isinstance(name, str) or not PROPERTY_NAME_PATTERN.match(name):
        raise InvalidInputError(
            f"property name {name!r} is invalid: start with a letter or '_', then letters, "
            "digits, '_', '.', '-' (at most 128)",
            field=field,
            value=name,
        )
    return name


# ---- types ----------------------------------------------------------------------------------


def check_type(t: AnyType) -> str:
    """A type definition: its name, its property names, its text fields. Returns the label.

    Raises:
        InvalidInputError: naming the bad field.
    """
    label = check_type_name(t.name, "name")
    for pname, ptype in t.properties.items():
        check_property_name(pname, f"properties.{pname}")
        if not isinstance(ptype, PropertyType):
            raise InvalidInputError(
                f"property {pname!r} has unknown value type {ptype!r}",
                field=f"properties.{pname}",
                value=ptype,
            )
    for fname in ("version", "description", "base_type"):
        v = getattr(t, fname)
        if v is not None:
            check_text(v, fname)
    return label


def evolve_type(stored: AnyType, new: AnyType, *, can_add_fields: bool) -> AnyType | None:
    """How a stored type changes when ``new`` (same kind and name) is put again.

    Adding properties is allowed when ``can_add_fields``; changing a property's value type or
    leaving a stored property out is not. ``version``/``base_type`` may not change once set;
    a new ``description`` replaces the old one.

    Returns:
        The type to store (with ``stored.id``), or ``None`` when nothing changes.

    Raises:
        AlreadyExistsError: naming the property (or field) that conflicts.
    """
    for pname, ptype in stored.properties.items():
        if pname not in new.properties:
            raise AlreadyExistsError(
                f"type {stored.name!r} already declares property {pname!r} ({ptype.value}); "
                "a type's properties cannot be removed"
            )
        if new.properties[pname] != ptype:
            raise AlreadyExistsError(
                f"type {stored.name!r} declares property {pname!r} as {ptype.value}; "
                f"it cannot change to {new.properties[pname].value}"
            )
    added = [p for p in new.properties if p not in stored.properties]
    if added and not can_add_fields:
        raise AlreadyExistsError(
            f"type {stored.name!r} exists without property {added[0]!r} and can_add_fields is False"
        )
    for fname in ("version", "base_type"):
        old_v, new_v = getattr(stored, fname), getattr(new, fname)
        if old_v is not None and new_v is not None and old_v != new_v:
            raise AlreadyExistsError(
                f"type {stored.name!r} has {fname} {old_v!r}; it cannot change to {new_v!r}"
            )
    update: dict[str, Any] = {}
    if added:
        update["properties"] = {**stored.properties, **{p: new.properties[p] for p in added}}
    for fname in ("version", "base_type", "description"):
        new_v = getattr(new, fname)
        if new_v is not None and new_v != getattr(stored, fname):
            update[fname] = new_v
    if not update:
        return None
    return stored.model_copy(update=update)


# ---- nodes ----------------------------------------------------------------------------------


def check_node(kind: Kind, node: Node, node_type: AnyType | None) -> str:
    """A node before it is written: kind, type, declared and custom properties, text fields.

    Args:
        kind: the kind being written.
        node: the node.
        node_type: the stored type named by ``node.type`` (``None`` if there is none).

    Returns:
        The node's type label.

    Raises:
        InvalidInputError: naming the field and value.
    """
    expected = node_class(kind)
    if not isinstance(node, expected):
        raise InvalidInputError(
            f"expected {expected.__name__}, got {type(node).__name__}",
            field="kind",
            value=getattr(node, "kind", None),
        )
    label = check_type_name(node.type, "type")
    if node_type is None:
        raise InvalidInputError(
            f"unknown {kind.value} type {node.type!r}: put the type first",
            field="type",
            value=node.type,
        )
    if node.id is not None:
        check_int(node.id, "id")
    for fname in ("name", "external_id"):
        v = getattr(node, fname)
        if v is not None:
            check_text(v, fname, allow_empty=False)
    if isinstance(node, Artifact) and node.uri is not None:
        check_text(node.uri, "uri")
    for pname, value in node.properties.items():
        field = f"properties.{pname}"
        check_property_name(pname, field)
        ptype = node_type.properties.get(pname)
        if ptype is None:
            raise InvalidInputError(
                f"property {pname!r} is not declared by type {node.type!r} "
                "(declare it, or use custom_properties)",
                field=field,
                value=value,
            )
        check_declared_value(ptype, value, field)
    for pname, value in node.custom_properties.items():
        field = f"custom_properties.{pname}"
        check_property_name(pname, field)
        check_value(value, field)
    return label


def check_type_kind(kind: Kind, t: AnyType) -> None:
    """The type object is of ``kind``'s type class.

    Raises:
        InvalidInputError: otherwise.
    """
    if not isinstance(t, type_class(kind)):
        raise InvalidInputError(
            f"expected {type_class(kind).__name__}, got {type(t).__name__}",
            field="kind",
            value=getattr(t, "kind", None),
        )


_CONTENT_FIELDS = ("type", "name", "external_id", "properties", "custom_properties")


def values_equal(a: object, b: object) -> bool:
    """Equality that keeps types apart: ``1 != 1.0 != True``, recursively in STRUCTs."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    return a == b


def content_equal(stored: Node, new: Node) -> bool:
    """Whether ``new`` is a retry of ``stored``: same caller-set content, typed exactly.

    Ignores what the store sets: ``id``, ``create_time``, ``update_time``, ``seq``.
    """
    if type(stored) is not type(new):
        return False
    fields = list(_CONTENT_FIELDS)
    if isinstance(stored, Artifact):
        fields += ["uri", "state"]
    elif isinstance(stored, Execution):
        fields += ["last_known_state"]
    return all(values_equal(getattr(stored, f), getattr(new, f)) for f in fields)


def unique_keys(node: Node) -> list[tuple[str, Any]]:
    """The unique keys a node claims: ``("name", (type, name))`` and ``("external_id", x)``."""
    keys: list[tuple[str, Any]] = []
    if node.name is not None:
        keys.append(("name", (node.type, node.name)))
    if node.external_id is not None:
        keys.append(("external_id", node.external_id))
    return keys


def batch_owners(nodes: Sequence[Node]) -> list[int]:
    """For each node of one batch, the index of the first node claiming the same unique key.

    A later node with the same ``(type, name)`` or ``external_id`` as an earlier one is a
    retry of it when content is equal (both get the same id), else a conflict.

    Returns:
        ``owners[i] == i`` for a node that is its own; ``owners[i] == j < i`` for a repeat.

    Raises:
        AlreadyExistsError: two nodes of the batch claim one key with different content, or
            one of them is an update by id.
    """
    seen: dict[tuple[str, Any], int] = {}
    owners: list[int] = []
    for i, node in enumerate(nodes):
        owner = i
        for key in unique_keys(node):
            j = seen.get(key)
            if j is None:
                continue
            first = nodes[j]
            same = node.id == first.id if node.id is not None else first.id is None
            if not (same and content_equal(first, node)) or (owner != i and owner != j):
                raise AlreadyExistsError(
                    f"{key[0]} {key[1]!r} is given twice in one batch (items {j} and {i}) "
                    "with different content"
                )
            owner = j
        for key in unique_keys(node):
            seen.setdefault(key, owner)
        owners.append(owner)
    return owners


# ---- events and links -----------------------------------------------------------------------


def check_event(event: Event) -> None:
    """An event's own fields: ids, type, path steps (int or str), timestamp.

    Raises:
        InvalidInputError: naming the field and value.
    """
    check_int(event.artifact_id, "artifact_id")
    check_int(event.execution_id, "execution_id")
    if not isinstance(event.type, EventType):
        raise InvalidInputError(
            f"unknown event type {event.type!r}", field="type", value=event.type
        )
    for step in event.path:
        if isinstance(step, str):
            check_text(step, "path")
        else:
            check_int(step, "path")
    if event.timestamp is not None:
        check_int(event.timestamp, "timestamp")


def event_key(event: Event) -> tuple[int, int, EventType, tuple[int | str, ...]]:
    """What identifies an event: re-putting an event with this key is a no-op."""
    return (event.artifact_id, event.execution_id, event.type, tuple(event.path))


def event_edge(event: Event) -> tuple[tuple[Kind, int], tuple[Kind, int]]:
    """The edge's (source, target): data flows artifact -> execution for input kinds,
    execution -> artifact for output kinds."""
    a, e = (Kind.ARTIFACT, event.artifact_id), (Kind.EXECUTION, event.execution_id)
    return (a, e) if event.type.is_input else (e, a)


def check_exists(kind: Kind, ids: Iterable[int], exists: Callable[[int], bool], field: str) -> None:
    """Every referenced id exists (no dangling events or links).

    Raises:
        InvalidInputError: ``field`` and the first missing id.
    """
    for i in ids:
        check_int(i, field)
        if not exists(i):
            raise InvalidInputError(f"{field}: no {kind.value} with id {i}", field=field, value=i)


def check_parent_links(links: Sequence[ParentContext], existing: Iterable[tuple[int, int]]) -> None:
    """Adding ``links`` to the existing ``(child, parent)`` edges keeps the hierarchy acyclic.

    Raises:
        InvalidInputError: ``parent_id`` of the first link that closes a cycle (or is a
            self-link).
    """
    g: nx.DiGraph[int] = nx.DiGraph()
    g.add_edges_from(existing)
    for link in links:
        check_int(link.child_id, "child_id")
        check_int(link.parent_id, "parent_id")
        if link.child_id == link.parent_id:
            raise InvalidInputError(
                f"context {link.child_id} cannot be its own parent",
                field="parent_id",
                value=link.parent_id,
            )
        # child -> parent closes a cycle iff the child is already an ancestor of the parent.
        if (
            link.parent_id in g
            and link.child_id in g
            and nx.has_path(g, link.parent_id, link.child_id)
        ):
            raise InvalidInputError(
                f"making context {link.parent_id} a parent of {link.child_id} would create a "
                f"cycle ({link.child_id} is already an ancestor of {link.parent_id})",
                field="parent_id",
                value=link.parent_id,
            )
        g.add_edge(link.child_id, link.parent_id)


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
    for fname in ("name", "uri"):
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
    if order_by == "name":
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


__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "after_cursor",
    "batch_owners",
    "check_declared_value",
    "check_event",
    "check_exists",
    "check_float",
    "check_int",
    "check_list_options",
    "check_node",
    "check_parent_links",
    "check_property_name",
    "check_text",
    "check_type",
    "check_type_kind",
    "check_type_name",
    "check_value",
    "content_equal",
    "decode_cursor",
    "encode_cursor",
    "event_edge",
    "event_key",
    "evolve_type",
    "now_ms",
    "order_key",
    "property_matches",
    "sort_key",
    "sort_nodes",
    "unique_keys",
    "value_matches",
]
