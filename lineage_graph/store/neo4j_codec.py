"""Python values <-> Neo4j property maps for the Neo4j backend (no I/O here).

User properties live in their own key namespace so they can never overwrite a system key
(system keys never contain a dot):

* declared ``properties[x]`` -> ``p.x``; custom ``custom_properties[x]`` -> ``c.x``;
* STRUCT values (dict/list) are JSON strings under ``pj.x`` / ``cj.x``, so the prefix says
  how to decode and a JSON-looking STRING stays a string.

Neo4j keeps int (64-bit), float and bool apart, so scalar values round-trip with their exact
Python type; JSON keeps ``1`` and ``1.0`` apart too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..models import (
    AnyType,
    Artifact,
    ArtifactState,
    Context,
    Event,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    Node,
    PropertyType,
    type_class,
)

DECLARED, CUSTOM, DECLARED_JSON, CUSTOM_JSON = "p.", "c.", "pj.", "cj."

# Kind -> the label of its type nodes (a closed set: the only labels type queries splice in).
TYPE_LABEL: dict[Kind, str] = {
    Kind.ARTIFACT: "ArtifactType",
    Kind.EXECUTION: "ExecutionType",
    Kind.CONTEXT: "ContextType",
}
KIND_OF_TYPE_LABEL: dict[str, Kind] = {v: k for k, v in TYPE_LABEL.items()}

# The key a kind keeps its state under (contexts have none).
STATE_KEY: dict[Kind, str | None] = {
    Kind.ARTIFACT: "state",
    Kind.EXECUTION: "last_known_state",
    Kind.CONTEXT: None,
}


# Labels that mark trouble for Neo4j Browser's GraSS (which styles by label only): FAILED
# executions carry FAILED_LABEL while in that state; nodes an open incident reached carry
# TAINTED_LABEL (set and cleared by the taint statements). Both are in RESERVED_LABELS.
FAILED_LABEL = "Failed"
TAINTED_LABEL = "Tainted"


def state_labels(node: Node) -> tuple[list[str], list[str]]:
    """(labels to set, labels to remove) that follow a node's state: ``:Failed`` on FAILED
    executions, removed from executions in any other state; nothing for other kinds."""
    if not isinstance(node, Execution):
        return [], []
    if node.last_known_state is ExecutionState.FAILED:
        return [FAILED_LABEL], []
    return [], [FAILED_LABEL]


def property_key(name: str, *, custom: bool, struct: bool = False) -> str:
    """The Neo4j key of a user property (``p.lr``, ``cj.config`` ...)."""
    if struct:
        return (CUSTOM_JSON if custom else DECLARED_JSON) + name
    return (CUSTOM if custom else DECLARED) + name


def _dumps(value: Any) -> str:
    # Key order is kept, so a STRUCT comes back exactly as given.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def encode_node(
    node: Node, *, node_id: int, create_time: int, update_time: int, seq: int
) -> dict[str, Any]:
    """The full property map of a node as stored (system keys + namespaced user keys)."""
    props: dict[str, Any] = {
        "id": node_id,
        "type": node.type,
        "create_time": create_time,
        "update_time": update_time,
        "seq": seq,
    }
    if node.name is not None:
        props["name"] = node.name
    if node.external_id is not None:
        props["external_id"] = node.external_id
    if isinstance(node, Artifact):
        props["state"] = node.state.value
        if node.uri is not None:
            props["uri"] = node.uri
    elif isinstance(node, Execution):
        props["last_known_state"] = node.last_known_state.value
    # The prefixes of property_key, hoisted: this runs once per property of every node written.
    for plain, struct, values in (
        (DECLARED, DECLARED_JSON, node.properties),
        (CUSTOM, CUSTOM_JSON, node.custom_properties),
    ):
        for name, value in values.items():
            if isinstance(value, (dict, list)):
                props[struct + name] = _dumps(value)
            else:
                props[plain + name] = value
    return props


def split_properties(
    items: Iterable[tuple[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(declared, custom, system fields) from stored ``(key, value)`` pairs, STRUCTs decoded."""
    declared: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for key, value in items:
        if key.startswith(DECLARED):
            declared[key[len(DECLARED) :]] = value
        elif key.startswith(CUSTOM):
            custom[key[len(CUSTOM) :]] = value
        elif key.startswith(DECLARED_JSON):
            declared[key[len(DECLARED_JSON) :]] = json.loads(value)
        elif key.startswith(CUSTOM_JSON):
            custom[key[len(CUSTOM_JSON) :]] = json.loads(value)
        else:
            fields[key] = value
    return declared, custom, fields


def decode_node(kind: Kind, props: Mapping[str, Any]) -> Node:
    """A model object from a stored property map (inverse of ``encode_node``)."""
    declared, custom, fields = split_properties(props.items())
    common = {
        "id": fields["id"],
        "type": fields["type"],
        "name": fields.get("name"),
        "external_id": fields.get("external_id"),
        "create_time": fields.get("create_time"),
        "update_time": fields.get("update_time"),
        "seq": fields.get("seq"),
        "properties": declared,
        "custom_properties": custom,
    }
    if kind is Kind.ARTIFACT:
        return Artifact(
            **common, uri=fields.get("uri"), state=ArtifactState(fields.get("state", "UNKNOWN"))
        )
    if kind is Kind.EXECUTION:
        return Execution(
            **common,
            last_known_state=ExecutionState(fields.get("last_known_state", "UNKNOWN")),
        )
    return Context(**common)


def encode_type(t: AnyType, type_id: int) -> dict[str, Any]:
    """The property map of a type node; ``properties`` is a JSON object string."""
    props: dict[str, Any] = {
        "id": type_id,
        "name": t.name,
        "properties": _dumps({k: v.value for k, v in t.properties.items()}),
    }
    for fname in ("version", "description", "base_type"):
        value = getattr(t, fname)
        if value is not None:
            props[fname] = value
    return props


def decode_type(kind: Kind, props: Mapping[str, Any]) -> AnyType:
    """A type model from a type node's property map."""
    declared = json.loads(props.get("properties") or "{}")
    return type_class(kind)(
        id=props["id"],
        name=props["name"],
        version=props.get("version"),
        description=props.get("description"),
        base_type=props.get("base_type"),
        properties={k: PropertyType(v) for k, v in declared.items()},
    )


def encode_path(path: tuple[int | str, ...]) -> str:
    """An event path as a JSON array string (steps keep int vs str)."""
    return json.dumps(list(path), separators=(",", ":"))


def decode_event(row: Mapping[str, Any]) -> Event:
    """An event from an ``event_get`` row."""
    return Event(
        artifact_id=row["artifact_id"],
        execution_id=row["execution_id"],
        type=EventType(row["type"]),
        path=tuple(json.loads(row["path"] or "[]")),
        timestamp=row["ts"],
    )
