"""Rows of the Neo4j lineage statements as answer models (``store/neo4j_lineage.py`` runs them).

User properties arrive as ``[key, value]`` pairs of the namespaced keys of
``store/neo4j_codec.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..answers import (
    ContextNode,
    ExecutionSnapshot,
    Incident,
    InputRef,
    LineageNode,
    NodeRef,
    TaintedNode,
    input_order,
)
from ..models import Kind
from .lineage_rules import Reached
from .neo4j_codec import split_properties

_ROW_FIELDS = frozenset(
    ("kind", "id", "type", "name", "uri", "state", "create_time", "properties")
)
_MARKED_FIELDS = _ROW_FIELDS | {"incidents"}
_new = LineageNode.__new__
_setattr = object.__setattr__


def user_props(pairs: Sequence[Sequence[Any]] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(declared, custom) user properties from ``[key, value]`` pairs of namespaced keys."""
    declared, custom, _ = split_properties((k, v) for k, v in pairs or ())
    return declared, custom


def node(row: Mapping[str, Any], kind: str | Kind | None = None, **extra: Any) -> LineageNode:
    """A node from a map with ``id``, ``type`` ... (``kind`` from the row unless given)."""
    return LineageNode(
        kind=Kind(kind if kind is not None else row["kind"]),
        id=row["id"],
        type=row["type"],
        name=row.get("name"),
        uri=row.get("uri"),
        state=row.get("state"),
        create_time=row.get("create_time"),
        **extra,
    )


def walk_node(row: Sequence[Any], with_properties: bool) -> LineageNode:
    """A walk's ``[id, is_artifact, type, name, uri, state, create_time, props, incidents?]``
    as a node (``incidents``: the open incident ids, null when not looked up).

    Built the way ``LineageNode.model_construct`` builds a model, without its per-field loop
    over aliases and defaults (4x the cost for the thousands of rows of a deep walk): every
    value comes from the store's own typed properties (validated when written), every field
    is given in declaration order, and the fields set are those ``node()`` would set, plus
    ``incidents`` when marked (as ``incident_marks.with_incidents``' ``model_copy`` sets it).
    tests/lineage/test_walk_options.py checks it equals ``model_construct``'s node.
    """
    props = None
    if with_properties:
        declared, custom = user_props(row[7])
        props = {**custom, **declared}
    marks = row[8] if len(row) > 8 else None
    node = _new(LineageNode)
    _setattr(node, "__dict__", {
        "kind": Kind.ARTIFACT if row[1] else Kind.EXECUTION, "id": row[0], "type": row[2],
        "name": row[3], "uri": row[4], "state": row[5], "create_time": row[6], "hops": None,
        "properties": props, "incidents": tuple(sorted(set(marks))) if marks else (),
    })
    _setattr(node, "__pydantic_fields_set__", set(_MARKED_FIELDS if marks else _ROW_FIELDS))
    _setattr(node, "__pydantic_extra__", None)
    _setattr(node, "__pydantic_private__", None)
    return node


def context(row: Mapping[str, Any]) -> ContextNode:
    """A context map with ``parents`` (ids) as a ``ContextNode``."""
    return ContextNode(
        id=row["id"], type=row["type"], name=row.get("name"),
        create_time=row.get("create_time"), parent_ids=sorted(row.get("parents") or []),
    )


def snapshot(snap: Mapping[str, Any]) -> ExecutionSnapshot:
    """A ``snap`` map of the snapshot statements as an ``ExecutionSnapshot``."""
    declared, custom = user_props(snap["props"])
    inputs = [
        InputRef(
            id=i["id"], type=i["type"], name=i.get("name"), uri=i.get("uri"), event=i["event"],
            path=tuple(json.loads(i.get("path") or "[]")),
        )
        for i in snap["inputs"]
    ]
    inputs.sort(key=input_order)
    return ExecutionSnapshot(
        execution=node(snap, Kind.EXECUTION),
        properties=declared,
        custom_properties=custom,
        inputs=inputs,
        contexts=sorted((context(c) for c in snap["contexts"]), key=lambda c: c.id),
        ancestors=sorted((context(c) for c in snap["ancestors"]), key=lambda c: c.id),
    )


def incident(row: Mapping[str, Any], tainted: list[TaintedNode] | None = None) -> Incident:
    """An incident row (``incident``, ``reached_count``), with what it reached if loaded."""
    i = row["incident"]
    return Incident(
        id=i["id"], reason=i["reason"], created=i["created"], status=i["status"],
        source=NodeRef(kind=Kind(i["source_kind"]), id=i["source_id"]),
        barrier_types=list(i.get("barrier_types") or []),
        resolved=i.get("resolved"), resolution=i.get("resolution"),
        reached_count=row["reached_count"], reached=tainted,
    )


def reached(rows: Sequence[Mapping[str, Any]]) -> list[Reached]:
    """``taint_preview`` rows as what the traversal found (an event joins an artifact and an
    execution, so the predecessors of one kind are of the other)."""
    found = []
    for r in rows:
        pred_kind = Kind.EXECUTION if r["kind"] == "artifact" else Kind.ARTIFACT
        found.append(
            Reached(
                node=node(r), hops=r["hops"],
                preds=[NodeRef(kind=pred_kind, id=p) for p in r["preds"]],
                contexts=[node(c, Kind.CONTEXT) for c in r["contexts"]],
            )
        )
    return found
