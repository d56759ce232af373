"""Export the whole store, or any answer, as JSON, GraphML, a networkx graph or OpenLineage events.

What is exported is a ``Selection`` of artifact, execution and context ids (``None`` for the
whole store) with every edge whose two ends are selected. ``selection_of(answer)`` makes one
from any answer object (a ``LineageResult``, a path, a list of tainted nodes, an incident...):
every nested object with ``kind`` and ``id`` is taken.

JSON document (``"format": "lineage-graph/1"``; ``docs/export-json.md`` is the reference,
``EXPORT_JSON_SCHEMA`` the JSON Schema; ``interop.json_import`` reads it back)::

    {
      "format": "lineage-graph/1",
      "exported_at": 1717171717000,              # ms since the epoch
      "complete": true,                          # the whole store (false: a selection)
      "types": [{"kind": "artifact", "id": 1, "name": "Model", "version": null,
                 "description": null, "base_type": "MODEL",
                 "properties": {"accuracy": "DOUBLE"}}],
      "artifacts": [{"id": 7, "type": "Model", "name": "m1", "uri": "s3://m/1",
                     "external_id": null, "state": "LIVE", "seq": 41,
                     "create_time": 1717, "update_time": 1718,
                     "properties": {"accuracy": 0.93}, "custom_properties": {}}],
      "executions": [{..., "last_known_state": "COMPLETE"}],   # no uri/state
      "contexts": [{...}],                                     # no uri/state
      "events": [{"artifact_id": 7, "execution_id": 3, "type": "OUTPUT",
                  "path": ["model", 0], "timestamp": 1718}],
      "attributions": [{"artifact_id": 7, "context_id": 2}],
      "associations": [{"execution_id": 3, "context_id": 2}],
      "parent_contexts": [{"child_id": 2, "parent_id": 1}],
      "reuses": [{"execution_id": 9, "original_id": 3}],
      "incidents": [{"id": 1, "reason": "corrupt", "created": 1719, "status": "OPEN",
                     "source": {"kind": "artifact", "id": 4}, "barrier_types": [],
                     "resolved": null, "resolution": null,
                     "reached": [{"kind": "artifact", "id": 7, "hops": 2,
                                  "via": {"kind": "execution", "id": 3}}]}]
    }

Deployments, aliases, the roles mapping and subscription cursors are nodes of the store
(``Deploy``/``Undeploy``/``SetAlias`` executions with ``Deployment``/``ModelAlias``
contexts, the ``lineage_graph.Roles`` context, ``SubscriptionCursor`` contexts), so they travel
in these sections like any other history. ``seq`` (the store-wide change number that cursors
count in) is exported so an import into an empty store keeps it.

Property values are plain JSON: INT is a JSON integer, DOUBLE always a number with a
fraction or exponent (``1.0``; ``Infinity``/``-Infinity`` as those bare tokens, like Python's
``json``), STRING a string, BOOLEAN ``true``/``false``, STRUCT an object or array. Lists are
sorted by id (events by execution, artifact, type).

GraphML and networkx: node keys ``"artifact:7"``, ``"execution:3"``, ``"context:2"``;
node attributes ``kind``, ``id``, ``type``, ``name``, ``uri``, ``state``, ``external_id``,
``create_time``, ``update_time`` and one attribute per property: ``p.<name>`` (declared) and
``c.<name>`` (custom); STRUCT values as JSON text. Edges point the way data flows; attribute
``rel`` is the event type, ``ATTRIBUTED_TO``, ``ASSOCIATED_WITH`` or ``CHILD_OF``; events
also carry ``path`` (JSON text) and ``timestamp``. ``to_networkx`` keeps values unflattened
(``properties``/``custom_properties`` dicts, ``path`` tuples); GraphML gets the flat form.

OpenLineage (``ol_export``, whose docstring has the details): events valid against the
2-0-2 JSON Schema, in time order. History that came from OpenLineage is given back event by
event (each run's START/RUNNING/COMPLETE/FAIL/... at its own time, with the facets that event
set), so importing the export into a fresh store gives the same graph; other history gets
a START and a final RunEvent per execution, with jobs qualified by their pipeline
(``<pipeline>.<execution type>``), ``parent`` and ``errorMessage`` facets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx
from pydantic import BaseModel

from ..models import AnyType, Event, Kind, ListOptions, Node
from ..store.base import Store

FORMAT = "lineage-graph/1"
PAGE = 1000
PRODUCER = "https://github.com/lineage-graph/lineage-graph"
RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


_NODE_BASE: dict[str, Any] = {
    "id": {"type": "integer"},
    "type": {"type": "string"},
    "name": {"type": ["string", "null"]},
    "external_id": {"type": ["string", "null"]},
    "create_time": {"type": ["integer", "null"]},
    "update_time": {"type": ["integer", "null"]},
    "seq": {"type": ["integer", "null"]},
    "properties": {"type": "object"},
    "custom_properties": {"type": "object"},
}
_REQUIRED = ["id", "type", "name", "properties", "custom_properties"]


def _obj_schema(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


_INTS = {"type": "integer"}
_REF = _obj_schema(
    {"kind": {"enum": ["artifact", "execution", "context"]}, "id": _INTS}, ["kind", "id"]
)
EXPORT_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "format",
        "exported_at",
        "complete",
        "types",
        "artifacts",
        "executions",
        "contexts",
        "events",
        "attributions",
        "associations",
        "parent_contexts",
        "reuses",
        "incidents",
    ],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "exported_at": _INTS,
        "complete": {"type": "boolean"},
        "types": {
            "type": "array",
            "items": _obj_schema(
                {
                    "kind": {"enum": ["artifact", "execution", "context"]},
                    "id": _INTS,
                    "name": {"type": "string"},
                    "version": {"type": ["string", "null"]},
                    "description": {"type": ["string", "null"]},
                    "base_type": {"type": ["string", "null"]},
                    "properties": {
                        "type": "object",
                        "additionalProperties": {
                            "enum": ["INT", "DOUBLE", "STRING", "STRUCT", "BOOLEAN"]
                        },
                    },
                },
                ["kind", "id", "name", "properties"],
            ),
        },
        "artifacts": {
            "type": "array",
            "items": _obj_schema(
                {
                    **_NODE_BASE,
                    "uri": {"type": ["string", "null"]},
                    "state": {
                        "enum": [
                            "UNKNOWN",
                            "PENDING",
                            "LIVE",
                            "MARKED_FOR_DELETION",
                            "DELETED",
                            "ABANDONED",
                            "REFERENCE",
                        ]
                    },
                },
                [*_REQUIRED, "state"],
            ),
        },
        "executions": {
            "type": "array",
            "items": _obj_schema(
                {
                    **_NODE_BASE,
                    "last_known_state": {
                        "enum": [
                            "UNKNOWN",
                            "NEW",
                            "RUNNING",
                            "COMPLETE",
                            "FAILED",
                            "CACHED",
                            "CANCELED",
                        ]
                    },
                },
                [*_REQUIRED, "last_known_state"],
            ),
        },
        "contexts": {"type": "array", "items": _obj_schema(_NODE_BASE, _REQUIRED)},
        "events": {
            "type": "array",
            "items": _obj_schema(
                {
                    "artifact_id": _INTS,
                    "execution_id": _INTS,
                    "type": {
                        "enum": [
                            "INPUT",
                            "OUTPUT",
                            "DECLARED_INPUT",
                            "DECLARED_OUTPUT",
                            "INTERNAL_INPUT",
                            "INTERNAL_OUTPUT",
                            "PENDING_OUTPUT",
                        ]
                    },
                    "path": {"type": "array", "items": {"type": ["integer", "string"]}},
                    "timestamp": {"type": ["integer", "null"]},
                },
                ["artifact_id", "execution_id", "type", "path"],
            ),
        },
        "attributions": {
            "type": "array",
            "items": _obj_schema(
                {"artifact_id": _INTS, "context_id": _INTS}, ["artifact_id", "context_id"]
            ),
        },
        "associations": {
            "type": "array",
            "items": _obj_schema(
                {"execution_id": _INTS, "context_id": _INTS}, ["execution_id", "context_id"]
            ),
        },
        "parent_contexts": {
            "type": "array",
            "items": _obj_schema(
                {"child_id": _INTS, "parent_id": _INTS}, ["child_id", "parent_id"]
            ),
        },
        "reuses": {
            "type": "array",
            "items": _obj_schema(
                {"execution_id": _INTS, "original_id": _INTS}, ["execution_id", "original_id"]
            ),
        },
        "incidents": {
            "type": "array",
            "items": _obj_schema(
                {
                    "id": _INTS,
                    "reason": {"type": "string"},
                    "created": _INTS,
                    "status": {"enum": ["OPEN", "RESOLVED"]},
                    "source": _REF,
                    "barrier_types": {"type": "array", "items": {"type": "string"}},
                    "resolved": {"type": ["integer", "null"]},
                    "resolution": {"type": ["string", "null"]},
                    "reached": {
                        "type": "array",
                        "items": _obj_schema(
                            {
                                "kind": {"enum": ["artifact", "execution", "context"]},
                                "id": _INTS,
                                "hops": _INTS,
                                "via": _REF,
                            },
                            ["kind", "id", "hops", "via"],
                        ),
                    },
                },
                ["id", "reason", "created", "status", "source", "barrier_types", "reached"],
            ),
        },
    },
}


@dataclass(frozen=True)
class Selection:
    """Ids to export per kind; edges are kept when both ends are selected."""

    artifacts: frozenset[int] = frozenset()
    executions: frozenset[int] = frozenset()
    contexts: frozenset[int] = frozenset()

    def ids(self, kind: Kind) -> frozenset[int]:
        return {
            Kind.ARTIFACT: self.artifacts,
            Kind.EXECUTION: self.executions,
            Kind.CONTEXT: self.contexts,
        }[kind]


def selection_of(answer: object, *, extra: Iterable[tuple[Kind, int]] = ()) -> Selection:
    """The nodes an answer names: every nested object with a ``kind`` and an ``id``.

    Args:
        answer: any answer (pydantic model, list, dict of them).
        extra: more ``(kind, id)`` pairs, e.g. the start of a walk.
    """
    found: dict[Kind, set[int]] = {k: set() for k in Kind}

    def visit(x: object) -> None:
        if isinstance(x, BaseModel):
            kind = getattr(x, "kind", None)
            ident = getattr(x, "id", None)
            if isinstance(kind, Kind) and isinstance(ident, int):
                found[kind].add(ident)
            for name in type(x).model_fields:
                visit(getattr(x, name))
        elif isinstance(x, dict):
            for v in x.values():
                visit(v)
        elif isinstance(x, (list, tuple, set, frozenset)):
            for v in x:
                visit(v)

    visit(answer)
    for kind, ident in extra:
        found[kind].add(ident)
    return Selection(
        frozenset(found[Kind.ARTIFACT]),
        frozenset(found[Kind.EXECUTION]),
        frozenset(found[Kind.CONTEXT]),
    )


# ---- reading the store in pages -----------------------------------------------------------


def _pages(store: Store, kind: Kind, selection: Selection | None) -> Iterator[list[Node]]:
    if selection is not None:
        ids = sorted(selection.ids(kind))
        for start in range(0, len(ids), PAGE):
            yield store.get_nodes_by_id(kind, ids[start : start + PAGE])
        return
    options = ListOptions(limit=PAGE)
    while True:
        page = store.list_nodes(kind, options)
        if page.items:
            yield page.items
        if page.next_cursor is None:
            return
        options = options.model_copy(update={"cursor": page.next_cursor})


def _events(store: Store, selection: Selection | None) -> Iterator[Event]:
    for page in _pages(store, Kind.EXECUTION, selection):
        for e in store.get_events(execution_ids=[n.id for n in page if n.id is not None]):
            if selection is None or e.artifact_id in selection.artifacts:
                yield e


def _members(store: Store, kind: Kind, context_id: int) -> Iterator[int]:
    options = ListOptions(limit=PAGE, context_id=context_id)
    while True:
        page = store.list_nodes(kind, options)
        for n in page.items:
            yield n.id
        if page.next_cursor is None:
            return
        options = options.model_copy(update={"cursor": page.next_cursor})


def _links(store: Store, selection: Selection | None) -> Iterator[tuple[str, dict[str, int]]]:
    """("attributions"|"associations"|"parent_contexts", record), context by context."""
    for page in _pages(store, Kind.CONTEXT, selection):
        for ctx in page:
            assert ctx.id is not None
            for aid in _members(store, Kind.ARTIFACT, ctx.id):
                if selection is None or aid in selection.artifacts:
                    yield "attributions", {"artifact_id": aid, "context_id": ctx.id}
            for eid in _members(store, Kind.EXECUTION, ctx.id):
                if selection is None or eid in selection.executions:
                    yield "associations", {"execution_id": eid, "context_id": ctx.id}
            for parent in store.get_parent_contexts(ctx.id):
                if selection is None or parent.id in selection.contexts:
                    yield "parent_contexts", {"child_id": ctx.id, "parent_id": parent.id}  # type: ignore[dict-item]


def _type_record(t: AnyType) -> dict[str, Any]:
    return {
        "kind": t.kind.value,
        "id": t.id,
        "name": t.name,
        "version": t.version,
        "description": t.description,
        "base_type": t.base_type,
        "properties": {k: v.value for k, v in sorted(t.properties.items())},
    }


def node_record(node: Node) -> dict[str, Any]:
    """A node as a JSON-ready dict (the export schema's node object)."""
    return node.model_dump(mode="json", exclude={"kind", "seq"})


def _event_record(e: Event) -> dict[str, Any]:
    return {
        "artifact_id": e.artifact_id,
        "execution_id": e.execution_id,
        "type": e.type.value,
        "path": list(e.path),
        "timestamp": e.timestamp,
    }


# ---- JSON -------------------------------------------------------------------------------


def store_record(node: Node) -> dict[str, Any]:
    """A node as the JSON document holds it: ``node_record`` with its ``seq``."""
    return node.model_dump(mode="json", exclude={"kind"})


def _reuses(store: Store, selection: Selection | None) -> Iterator[dict[str, int]]:
    for page in _pages(store, Kind.EXECUTION, selection):
        ids = [n.id for n in page if n.id is not None]
        for r in store.get_reuses(execution_ids=ids):
            if selection is None or r.original_id in selection.executions:
                yield {"execution_id": r.execution_id, "original_id": r.original_id}


def _ref_record(kind: Kind, ident: int) -> dict[str, Any]:
    return {"kind": kind.value, "id": ident}


_KIND_ORDER = {Kind.ARTIFACT: 0, Kind.EXECUTION: 1, Kind.CONTEXT: 2}


def _incidents(store: Store, selection: Selection | None) -> Iterator[dict[str, Any]]:
    """Every incident (a selection: those found in a selected node), with what it reached
    (a selection: the selected nodes), oldest first."""
    for listed in sorted(store.incident_list(None), key=lambda i: i.id):
        src = listed.source
        if selection is not None and src.id not in selection.ids(src.kind):
            continue
        inc = store.incident_get(listed.id, with_reached=True)
        reached = sorted(
            (
                t
                for t in inc.reached or ()
                if selection is None or t.node.id in selection.ids(t.node.kind)
            ),
            key=lambda t: (_KIND_ORDER[t.node.kind], t.node.id),
        )
        yield {
            "id": inc.id,
            "reason": inc.reason,
            "created": inc.created,
            "status": inc.status,
            "source": _ref_record(src.kind, src.id),
            "barrier_types": sorted(inc.barrier_types),
            "resolved": inc.resolved,
            "resolution": inc.resolution,
            "reached": [
                {
                    "kind": t.node.kind.value,
                    "id": t.node.id,
                    "hops": t.hops,
                    "via": _ref_record(t.via.kind, t.via.id),
                }
                for t in reached
            ],
        }


def write_json(
    store: Store, out: IO[str], selection: Selection | None = None, *, now: int | None = None
) -> dict[str, int]:
    """Stream the export document to ``out`` (memory stays at one page of nodes; edges
    between contexts and their members are gathered context by context).

    Args:
        selection: what to export (None: the whole store).
        now: the ``exported_at`` to write (default: now).

    Returns:
        How many records each section got.
    """
    from ..store.validation import now_ms

    counts: dict[str, int] = {}
    stamp = now if now is not None else now_ms()
    complete = "true" if selection is None else "false"
    out.write(
        f'{{"format": {json.dumps(FORMAT)}, "exported_at": {stamp}, "complete": {complete}'
    )
    types = [t for kind in Kind for t in store.get_types(kind)]
    out.write(',\n"types": ')
    json.dump([_type_record(t) for t in types], out, ensure_ascii=False)
    counts["types"] = len(types)

    def section(name: str, records: Iterable[dict[str, Any]]) -> None:
        out.write(f',\n"{name}": [')
        n = 0
        for record in records:
            out.write(",\n" if n else "\n")
            json.dump(record, out, ensure_ascii=False, sort_keys=True)
            n += 1
        out.write("\n]")
        counts[name] = n

    for kind in (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT):
        section(
            kind.value + "s",
            (store_record(n) for page in _pages(store, kind, selection) for n in page),
        )
    section("events", (_event_record(e) for e in _events(store, selection)))
    links: dict[str, list[dict[str, int]]] = {
        "attributions": [],
        "associations": [],
        "parent_contexts": [],
    }
    for name, record in _links(store, selection):
        links[name].append(record)
    for name, records in links.items():
        section(name, sorted(records, key=lambda r: tuple(r.values())))
    section("reuses", sorted(_reuses(store, selection), key=lambda r: tuple(r.values())))
    section("incidents", _incidents(store, selection))
    out.write("\n}\n")
    return counts


def with_contexts(store: Store, selection: Selection) -> Selection:
    """``selection`` plus the contexts its artifacts and executions belong to, and their
    parent contexts (all the way up): a lineage export keeps its pipelines and runs."""
    contexts = set(selection.contexts)
    found = [store.get_contexts_by_artifact(i) for i in sorted(selection.artifacts)]
    found += [store.get_contexts_by_execution(i) for i in sorted(selection.executions)]
    contexts.update(c.id for group in found for c in group if c.id is not None)
    todo = list(contexts)
    while todo:
        for parent in store.get_parent_contexts(todo.pop()):
            if parent.id is not None and parent.id not in contexts:
                contexts.add(parent.id)
                todo.append(parent.id)
    return Selection(selection.artifacts, selection.executions, frozenset(contexts))


def to_json(store: Store, selection: Selection | None = None) -> dict[str, Any]:
    """The export document as a Python dict (for small exports and tests)."""
    import io

    buf = io.StringIO()
    write_json(store, buf, selection)
    return json.loads(buf.getvalue())  # type: ignore[no-any-return]


# ---- networkx and GraphML -----------------------------------------------------------------


def node_key(kind: Kind, node_id: int) -> str:
    """The networkx/GraphML key of a node: ``"artifact:7"``."""
    return f"{kind.value}:{node_id}"


def to_networkx(store: Store, selection: Selection | None = None) -> nx.MultiDiGraph[str]:
    """The store (or a selection) as a ``networkx.MultiDiGraph`` (layout in the module doc)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for kind in (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT):
        for page in _pages(store, kind, selection):
            for n in page:
                assert n.id is not None
                attrs = n.model_dump(exclude={"seq"})
                attrs["kind"] = kind.value
                for key in ("state", "last_known_state"):
                    if key in attrs:
                        attrs["state"] = attrs.pop(key).value
                g.add_node(node_key(kind, n.id), **attrs)
    for e in _events(store, selection):
        a, x = node_key(Kind.ARTIFACT, e.artifact_id), node_key(Kind.EXECUTION, e.execution_id)
        u, v = (a, x) if e.type.is_input else (x, a)
        g.add_edge(
            u,
            v,
            key=f"{e.type.value} {json.dumps(list(e.path))}",
            rel=e.type.value,
            path=tuple(e.path),
            timestamp=e.timestamp,
        )
    for name, r in _links(store, selection):
        if name == "attributions":
            u, v, rel = (
                node_key(Kind.ARTIFACT, r["artifact_id"]),
                node_key(Kind.CONTEXT, r["context_id"]),
                "ATTRIBUTED_TO",
            )
        elif name == "associations":
            u, v, rel = (
                node_key(Kind.EXECUTION, r["execution_id"]),
                node_key(Kind.CONTEXT, r["context_id"]),
                "ASSOCIATED_WITH",
            )
        else:
            u, v, rel = (
                node_key(Kind.CONTEXT, r["child_id"]),
                node_key(Kind.CONTEXT, r["parent_id"]),
                "CHILD_OF",
            )
        g.add_edge(u, v, key=rel, rel=rel)
    return g


def _flat(value: object) -> object:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def flatten(g: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    """A copy with scalar attributes only (what GraphML can hold); see the module doc.

    An attribute that has different value types on different elements becomes text on
    all of them, so each GraphML key has one declared type.
    """
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for key, attrs in g.nodes(data=True):
        out: dict[str, object] = {}
        for k, v in attrs.items():
            if k == "properties":
                out.update({f"p.{pk}": _flat(pv) for pk, pv in v.items()})
            elif k == "custom_properties":
                out.update({f"c.{pk}": _flat(pv) for pk, pv in v.items()})
            elif v is not None:
                out[k] = _flat(v.value if hasattr(v, "value") else v)
        flat.add_node(key, **out)
    for u, v, k, attrs in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=k, **{a: _flat(b) for a, b in attrs.items() if b is not None})
    _unify_types(flat)
    return flat


def _unify_types(g: nx.MultiDiGraph[str]) -> None:
    seen: dict[str, set[type]] = {}
    elements = [a for _, a in g.nodes(data=True)] + [a for _, _, a in g.edges(data=True)]
    for attrs in elements:
        for k, v in attrs.items():
            seen.setdefault(k, set()).add(type(v))
    mixed = {k for k, types in seen.items() if len(types) > 1}
    for attrs in elements:
        for k in mixed & attrs.keys():
            attrs[k] = json.dumps(attrs[k]) if not isinstance(attrs[k], str) else attrs[k]


def write_graphml(
    store: Store, path: str | Path | IO[bytes], selection: Selection | None = None
) -> nx.MultiDiGraph[str]:
    """Write GraphML (via networkx); returns the flattened graph that was written."""
    flat = flatten(to_networkx(store, selection))
    nx.write_graphml(flat, path)
    return flat


# ---- OpenLineage out (``ol_export``) -------------------------------------------------------

_FACET_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunFacet"


def lg_facet(node: Node) -> dict[str, Any]:
    """The ``lineageGraph`` facet of a node that did not come from OpenLineage: its export
    record (ids, type, times, properties) without ``ol.`` properties."""
    record = {k: v for k, v in node_record(node).items() if k != "custom_properties"}
    record["custom_properties"] = {
        k: v for k, v in node.custom_properties.items() if not k.startswith("ol.")
    }
    return {"_producer": PRODUCER, "_schemaURL": _FACET_SCHEMA, **record}


def to_openlineage(
    store: Store, selection: Selection | None = None, *, namespace: str = "lineage-graph"
) -> Iterator[dict[str, Any]]:
    """OpenLineage 2-0-2 events for the selection, in time order (``ol_export``)."""
    from .ol_export import to_openlineage as run

    return run(store, selection, namespace=namespace)


def write_openlineage(
    store: Store,
    out: IO[str],
    selection: Selection | None = None,
    *,
    namespace: str = "lineage-graph",
) -> int:
    """Write OpenLineage events as JSON Lines (``ol_export``); returns how many."""
    from .ol_export import write_openlineage as run

    return run(store, out, selection, namespace=namespace)


def job_facets_of(store: Store, namespace: str, name: str) -> dict[str, Any]:
    """Job facets kept on the ``ol.Job`` context (empty when the job is unknown)."""
    from .ol_export import job_facets_of as run

    return run(store, namespace, name)
