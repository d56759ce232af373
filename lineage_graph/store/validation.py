"""Backend-independent checks, run by BOTH backends before anything is written.

Everything here is pure Python on model objects: no database, no graph. A backend calls these
first, then writes; so bad input never reaches a query and both backends refuse the same input
with the same error (``errors.InvalidInputError`` with ``field`` and ``value``).

This module is the one import for backends (``from . import validation as v``): types, nodes,
events and links live here; scalar values, names and time in ``store.values``; ListOptions,
cursors, ordering and filter comparison in ``store.listing`` -- both re-exported here.

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

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import AlreadyExistsError, InvalidInputError
from ..models import (
    AnyType,
    Artifact,
    Event,
    EventType,
    Execution,
    Kind,
    Node,
    ParentContext,
    PropertyType,
    node_class,
    type_class,
)
from .listing import (
    after_cursor,
    check_list_options,
    decode_cursor,
    encode_cursor,
    order_key,
    property_matches,
    sort_key,
    sort_nodes,
)
from .values import (
    INT64_MAX,
    INT64_MIN,
    MAX_INDEXED_TEXT_BYTES,
    check_declared_value,
    check_float,
    check_int,
    check_property_name,
    check_text,
    check_type_name,
    check_value,
    fits_int64,
    now_ms,
    value_matches,
)

if TYPE_CHECKING:
    import networkx as nx

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
            check_text(v, fname, allow_empty=False, max_bytes=MAX_INDEXED_TEXT_BYTES)
    if isinstance(node, Artifact) and node.uri is not None:
        check_text(node.uri, "uri", max_bytes=MAX_INDEXED_TEXT_BYTES)
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
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=False))
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
        keys = unique_keys(node)
        for key in keys:
            j = seen.get(key)
            if j is None:
                continue
            first = nodes[j]
            same = node.id == first.id if node.id is not None else first.id is None
            if not (same and content_equal(first, node)) or owner not in (i, j):
                raise AlreadyExistsError(
                    f"{key[0]} {key[1]!r} is given twice in one batch (items {j} and {i}) "
                    "with different content"
                )
            owner = j
        for key in keys:
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


def check_subgraph_events(
    events: Sequence[tuple[int, int, Event]], n_executions: int, n_artifacts: int
) -> None:
    """put_lineage_subgraph's (execution index, artifact index, event) triples point in range."""
    for n, (ei, ai, _) in enumerate(events):
        for field, idx, size in (
            ("execution_index", ei, n_executions),
            ("artifact_index", ai, n_artifacts),
        ):
            if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < size:
                raise InvalidInputError(
                    f"event {n}: {field} {idx!r} is not an index into the {size} given",
                    field=field,
                    value=idx,
                )


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
    # Imported here: networkx costs a read-only process (the CLI's `show`) a third of a second.
    import networkx as nx

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
    "fits_int64",
    "now_ms",
    "order_key",
    "property_matches",
    "sort_key",
    "sort_nodes",
    "unique_keys",
    "value_matches",
]
