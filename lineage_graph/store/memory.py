"""The in-memory backend: a networkx MultiDiGraph with the Neo4j backend's semantics (the oracle).

Graph layout (``MemoryStore.graph``, a ``networkx.MultiDiGraph``), for the lineage work:

* Nodes are keyed ``(kind, id)`` with ``kind`` in ``"artifact"``, ``"execution"``,
  ``"context"`` (``memory_state.node_key``). Attributes: ``kind`` (``models.Kind``), ``type``
  (the type name), ``node`` (the stored frozen model: ``Artifact``/``Execution``/``Context``
  with id, times and seq set). Treat ``node`` as read-only: replace it through the store.
* Edges point the way data flows, like Neo4j's relationships. Attribute ``rel`` is the
  relationship type:

  - events: ``rel`` is the event type name; input kinds (INPUT, DECLARED_INPUT,
    INTERNAL_INPUT) go artifact -> execution, output kinds (OUTPUT, DECLARED_OUTPUT,
    INTERNAL_OUTPUT, PENDING_OUTPUT) execution -> artifact. Attribute ``event`` holds the
    ``models.Event`` (timestamp set); edge key ``"<TYPE> <path as JSON>"``.
  - ``ATTRIBUTED_TO`` artifact -> context, ``ASSOCIATED_WITH`` execution -> context,
    ``CHILD_OF`` child context -> parent context; edge key = ``rel``.

Types, unique-key indexes and id counters live next to the graph in ``MemoryState``
(``store.state``); ``store.state.nodes[kind]`` maps id -> node for each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import networkx as nx

from ..answers import Incident, tainted_order
from ..models import (
    AnyType,
    Association,
    Attribution,
    Context,
    Event,
    Kind,
    ListOptions,
    Node,
    Page,
    ParentContext,
    Reuse,
)
from . import validation as v
from .base import Store
from .memory_lineage import MemoryLineageMixin, lineage_node
from .memory_list import list_page
from .memory_state import (
    ASSOCIATED_WITH,
    ATTRIBUTED_TO,
    CHILD_OF,
    REUSED,
    MemoryState,
    detach,
    event_edge_key,
    event_order,
    node_key,
)
from .port import NodeKeys, NodeWrite
from .rules import WriteRules

T = TypeVar("T")


class MemoryStore(MemoryLineageMixin, Store):
    """The reference backend: everything in one process, nothing persisted."""

    def __init__(self) -> None:
        self.state = MemoryState()

    @property
    def graph(self) -> nx.MultiDiGraph[tuple[str, int]]:
        """The networkx ``MultiDiGraph`` (layout in the module docstring)."""
        return self.state.graph

    def _write(self, work: Callable[[WriteRules], T]) -> T:
        with self.state.transaction():
            return work(WriteRules(MemoryPort(self.state)))

    def init_schema(self) -> None:
        """Nothing to create in memory; kept for parity."""

    # ---- reads ---------------------------------------------------------------------------

    def get_types(self, kind: Kind, names: Sequence[str] | None = None) -> list[AnyType]:
        registry = self.state.types[kind]
        found = (
            registry.values() if names is None else [registry[n] for n in names if n in registry]
        )
        unique = {t.id: t for t in found}
        return [unique[i].model_copy(deep=True) for i in sorted(unique, key=lambda i: i or 0)]

    def get_nodes_by_id(self, kind: Kind, ids: Sequence[int]) -> list[Node]:
        index = self.state.nodes[kind]
        return [detach(index[i]) for i in ids if i in index]

    def list_nodes(self, kind: Kind, options: ListOptions | None = None) -> Page:
        return list_page(self.state, kind, options or ListOptions())

    def get_events(
        self,
        *,
        artifact_ids: Sequence[int] | None = None,
        execution_ids: Sequence[int] | None = None,
    ) -> list[Event]:
        g = self.state.graph
        found: dict[tuple[object, ...], Event] = {}
        keys = [node_key(Kind.ARTIFACT, i) for i in artifact_ids or ()]
        keys += [node_key(Kind.EXECUTION, i) for i in execution_ids or ()]
        for key in keys:
            if key not in g:
                continue
            for edges in (g.in_edges(key, data=True), g.out_edges(key, data=True)):
                for _, _, d in edges:
                    if "event" in d:
                        found[v.event_key(d["event"])] = d["event"]
        return sorted(found.values(), key=event_order)

    def _contexts_along(self, context_id: int, *, parents: bool) -> list[Context]:
        key = node_key(Kind.CONTEXT, context_id)
        g = self.state.graph
        if key not in g:
            return []
        edges = g.out_edges(key, data=True) if parents else g.in_edges(key, data=True)
        ids = {(w if parents else u)[1] for u, w, d in edges if d.get("rel") == CHILD_OF}
        return self.get_contexts_by_id(sorted(ids))

    def get_parent_contexts(self, context_id: int) -> list[Context]:
        return self._contexts_along(context_id, parents=True)

    def get_child_contexts(self, context_id: int) -> list[Context]:
        return self._contexts_along(context_id, parents=False)

    def get_reuses(
        self,
        *,
        execution_ids: Sequence[int] | None = None,
        original_ids: Sequence[int] | None = None,
    ) -> list[Reuse]:
        g = self.state.graph
        found: set[tuple[int, int]] = set()
        for i in execution_ids or ():
            key = node_key(Kind.EXECUTION, i)
            if key in g:
                out = g.out_edges(key, data="rel")
                found.update((i, w[1]) for _, w, rel in out if rel == REUSED)
        for i in original_ids or ():
            key = node_key(Kind.EXECUTION, i)
            if key in g:
                into = g.in_edges(key, data="rel")
                found.update((u[1], i) for u, _, rel in into if rel == REUSED)
        return [Reuse(execution_id=e, original_id=o) for e, o in sorted(found)]

    def clear(self) -> None:
        # A fresh state object: whatever the lineage mixin keeps on it goes too.
        self.state = MemoryState()

    def close(self) -> None:
        """Nothing to release."""


class MemoryPort:
    """``WritePort`` over the undo-logged ``MemoryState`` (the transaction is the caller's)."""

    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def stored_types(self) -> Mapping[Kind, Mapping[str, AnyType]]:
        return self.state.types

    def write_types(self, kind: Kind, types: Sequence[AnyType]) -> None:
        for t in types:
            self.state.set_type(kind, t.model_copy(deep=True))

    def reserve(self, counts: Mapping[str, int]) -> dict[str, int]:
        first: dict[str, int] = {}
        for counter, n in counts.items():
            first[counter] = self.state.counters.get(counter, 0) + 1
            if n > 0:
                self.state.set_counter(counter, first[counter] + n - 1)
        return first

    def raise_counter(self, counter: str, at_least: int) -> None:
        if at_least > self.state.counters.get(counter, 0):
            self.state.set_counter(counter, at_least)

    def find_nodes(self, kind: Kind, keys: NodeKeys) -> list[Node]:
        index = self.state.nodes[kind]
        by_name = self.state.by_name[kind]
        by_ext = self.state.by_external_id[kind]
        found = {i for i in keys.ids if i in index}
        found.update(by_name[k] for k in keys.names if k in by_name)
        found.update(by_ext[x] for x in keys.external_ids if x in by_ext)
        return [index[i] for i in sorted(found)]

    def write_nodes(
        self, kind: Kind, updates: Sequence[NodeWrite], creates: Sequence[NodeWrite]
    ) -> None:
        for w in (*updates, *creates):
            self.state.set_node(
                kind,
                detach(
                    w.node,
                    id=w.node_id,
                    create_time=w.create_time,
                    update_time=w.update_time,
                    seq=w.seq,
                ),
            )

    def existing_ids(self, kind: Kind, ids: Sequence[int]) -> set[int]:
        index = self.state.nodes[kind]
        return {i for i in ids if i in index}

    def write_events(self, events: Sequence[Event]) -> tuple[int, int]:
        matched = created = 0
        g = self.state.graph
        for event in events:
            (sk, si), (tk, ti) = v.event_edge(event)
            u, w = node_key(sk, si), node_key(tk, ti)
            if u not in g or w not in g:
                continue
            matched += 1
            # A known event keeps its first timestamp.
            created += self.state.add_edge(
                u, w, event_edge_key(event), rel=event.type.value, event=event
            )
        return matched, created

    def write_links(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> int:
        rows = [(Kind.ARTIFACT, a.artifact_id, a.context_id, ATTRIBUTED_TO) for a in attributions]
        rows += [
            (Kind.EXECUTION, a.execution_id, a.context_id, ASSOCIATED_WITH) for a in associations
        ]
        written = 0
        for kind, node_id, context_id, rel in rows:
            u, w = node_key(kind, node_id), node_key(Kind.CONTEXT, context_id)
            if u in self.state.graph and w in self.state.graph:
                self.state.add_edge(u, w, rel, rel=rel)
                written += 1
        return written

    def context_ancestry(self, ids: Sequence[int]) -> tuple[set[int], list[tuple[int, int]]]:
        g = self.state.graph
        found = {i for i in ids if i in self.state.nodes[Kind.CONTEXT]}
        edges: list[tuple[int, int]] = []
        seen = set(found)
        todo = list(found)
        while todo:
            child = todo.pop()
            for _, parent, rel in g.out_edges(node_key(Kind.CONTEXT, child), data="rel"):
                if rel == CHILD_OF:
                    edges.append((child, parent[1]))
                    if parent[1] not in seen:
                        seen.add(parent[1])
                        todo.append(parent[1])
        return found, edges

    def write_parents(self, links: Sequence[ParentContext]) -> None:
        for lk in links:
            u, w = node_key(Kind.CONTEXT, lk.child_id), node_key(Kind.CONTEXT, lk.parent_id)
            self.state.add_edge(u, w, CHILD_OF, rel=CHILD_OF)

    def write_reuses(self, links: Sequence[Reuse]) -> int:
        written = 0
        for lk in links:
            u = node_key(Kind.EXECUTION, lk.execution_id)
            w = node_key(Kind.EXECUTION, lk.original_id)
            if u in self.state.graph and w in self.state.graph:
                self.state.add_edge(u, w, REUSED, rel=REUSED)
                written += 1
        return written

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        return sum(self.state.remove_node(kind, i) for i in ids)

    def write_incidents(self, incidents: Sequence[Incident]) -> int:
        # Where MemoryLineageMixin keeps them (on the state, so clear() forgets them); set
        # through the undo log so a failed import leaves none behind.
        stored: dict[int, Any] | None = getattr(self.state, "lineage_incidents", None)
        if stored is None:
            stored = {}
            setattr(self.state, "lineage_incidents", stored)  # noqa: B010 (not declared there)
        created = 0
        for inc in incidents:
            if inc.id in stored:
                continue
            # What a node looks like in an answer comes from the node as stored here.
            reached = [
                t.model_copy(update={"node": lineage_node(
                    self.state.nodes[t.node.kind][t.node.id])})
                for t in inc.reached or ()
            ]
            record = {
                **inc.model_dump(exclude={"reached", "reached_count"}),
                "source": inc.source, "barrier_types": sorted(inc.barrier_types),
                "reached": sorted(reached, key=tainted_order),
            }
            self.state._set(stored, inc.id, record)
            created += 1
        return created
