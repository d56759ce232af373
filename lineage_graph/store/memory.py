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

from collections.abc import Sequence

import networkx as nx

from ..errors import AlreadyExistsError, InvalidInputError, NotFoundError
from ..models import (
    AnyType,
    Artifact,
    ArtifactAndEvent,
    Association,
    Attribution,
    Context,
    Event,
    Execution,
    Kind,
    ListOptions,
    Node,
    Page,
    ParentContext,
    PutExecutionResult,
)
from . import validation as v
from .base import Store
from .memory_lineage import MemoryLineageMixin
from .memory_list import list_page
from .memory_state import (
    ASSOCIATED_WITH,
    ATTRIBUTED_TO,
    CHILD_OF,
    MemoryState,
    detach,
    event_edge_key,
    event_order,
    node_key,
)


class MemoryStore(MemoryLineageMixin, Store):
    """The reference backend: everything in one process, nothing persisted."""

    def __init__(self) -> None:
        self.state = MemoryState()

    @property
    def graph(self) -> nx.MultiDiGraph[tuple[str, int]]:
        """The networkx ``MultiDiGraph`` (layout in the module docstring)."""
        return self.state.graph

    # ---- schema and types ----------------------------------------------------------------

    def init_schema(self) -> None:
        """Nothing to create in memory; kept for parity."""

    def put_types(self, types: Sequence[AnyType], *, can_add_fields: bool = True) -> list[int]:
        ids: list[int] = []
        with self.state.transaction():
            for t in types:
                v.check_type(t)
                kind = t.kind
                stored = self.state.types[kind].get(t.name)
                if stored is None:
                    stored = t.model_copy(update={"id": self.state.next_id("type")}, deep=True)
                    self.state.set_type(kind, stored)
                else:
                    evolved = v.evolve_type(stored, t, can_add_fields=can_add_fields)
                    if evolved is not None:
                        self.state.set_type(kind, evolved)
                assert stored.id is not None
                ids.append(stored.id)
        return ids

    def get_types(self, kind: Kind, names: Sequence[str] | None = None) -> list[AnyType]:
        registry = self.state.types[kind]
        found = (
            registry.values() if names is None else [registry[n] for n in names if n in registry]
        )
        unique = {t.id: t for t in found}
        return [unique[i].model_copy(deep=True) for i in sorted(unique, key=lambda i: i or 0)]

    # ---- nodes ---------------------------------------------------------------------------

    def put_nodes(self, kind: Kind, nodes: Sequence[Node]) -> list[int]:
        ids: list[int] = []
        with self.state.transaction():
            for node in nodes:
                v.check_node(kind, node, self.state.types[kind].get(node.type))
            owners = v.batch_owners(nodes)
            for i, node in enumerate(nodes):
                ids.append(ids[owners[i]] if owners[i] != i else self._put_node(kind, node))
        return ids

    def _put_node(self, kind: Kind, node: Node) -> int:
        index = self.state.nodes[kind]
        claims = self._claims(kind, node)
        if node.id is not None:
            old = index.get(node.id)
            if old is None:
                raise NotFoundError(f"no {kind.value} with id {node.id} to update")
            if old.type != node.type:
                raise InvalidInputError(
                    f"{kind.value} {node.id} has type {old.type!r}; a node's type cannot change",
                    field="type",
                    value=node.type,
                )
            other = next((i for i in claims.values() if i != node.id), None)
            if other is not None:
                raise AlreadyExistsError(self._taken(kind, node, other))
            return self._write(kind, node, node.id, old.create_time)
        found = set(claims.values())
        if len(found) > 1:
            raise AlreadyExistsError(self._taken(kind, node, min(found)))
        if found:
            existing_id = found.pop()
            if v.content_equal(index[existing_id], node):
                return existing_id  # a retried write: nothing changes
            raise AlreadyExistsError(self._taken(kind, node, existing_id))
        return self._write(kind, node, self.state.next_id(kind.value), None)

    def _claims(self, kind: Kind, node: Node) -> dict[str, int]:
        claims: dict[str, int] = {}
        if node.name is not None and (node.type, node.name) in self.state.by_name[kind]:
            claims["name"] = self.state.by_name[kind][(node.type, node.name)]
        if node.external_id is not None and node.external_id in self.state.by_external_id[kind]:
            claims["external_id"] = self.state.by_external_id[kind][node.external_id]
        return claims

    @staticmethod
    def _taken(kind: Kind, node: Node, other: int) -> str:
        return (
            f"{kind.value} {other} already has type {node.type!r} and name {node.name!r} "
            f"or external_id {node.external_id!r}, with different content"
        )

    def _write(self, kind: Kind, node: Node, node_id: int, create_time: int | None) -> int:
        now = v.now_ms()
        stored = detach(
            node,
            id=node_id,
            create_time=create_time if create_time is not None else now,
            update_time=now,
            seq=self.state.next_id("seq"),
        )
        self.state.set_node(kind, stored)
        return node_id

    def import_nodes(self, kind: Kind, nodes: Sequence[Node]) -> None:
        """Write nodes under their given ids and times (``Store.import_nodes``)."""
        with self.state.transaction():
            for node in nodes:
                v.check_node(kind, node, self.state.types[kind].get(node.type))
                for f in ("id", "create_time", "update_time"):
                    v.check_int(getattr(node, f), f)
            for node in nodes:
                assert node.id is not None
                old = self.state.nodes[kind].get(node.id)
                if old is not None and old.type != node.type:
                    raise InvalidInputError(
                        f"{kind.value} {node.id} has type {old.type!r}; a node's type cannot change",
                        field="type",
                        value=node.type,
                    )
                other = next((i for i in self._claims(kind, node).values() if i != node.id), None)
                if other is not None:
                    raise AlreadyExistsError(self._taken(kind, node, other))
                stored = detach(node, seq=self.state.next_id("seq"))
                self.state.set_node(kind, stored)
                if node.id > self.state.counters.get(kind.value, 0):
                    self.state.set_counter(kind.value, node.id)

    def get_nodes_by_id(self, kind: Kind, ids: Sequence[int]) -> list[Node]:
        index = self.state.nodes[kind]
        return [detach(index[i]) for i in ids if i in index]

    def list_nodes(self, kind: Kind, options: ListOptions | None = None) -> Page:
        return list_page(self.state, kind, options or ListOptions())

    # ---- events and links ----------------------------------------------------------------

    def _require(self, kind: Kind, ids: Sequence[int], field: str) -> None:
        v.check_exists(kind, ids, lambda i: i in self.state.nodes[kind], field)

    def put_events(self, events: Sequence[Event]) -> None:
        for event in events:
            v.check_event(event)
        self._require(Kind.ARTIFACT, [e.artifact_id for e in events], "artifact_id")
        self._require(Kind.EXECUTION, [e.execution_id for e in events], "execution_id")
        with self.state.transaction():
            for event in events:
                (sk, si), (tk, ti) = v.event_edge(event)
                u, w = node_key(sk, si), node_key(tk, ti)
                key = event_edge_key(event)
                if self.state.graph.has_edge(u, w, key):
                    continue  # the event's key is known: keep the first timestamp
                stored = event.model_copy(
                    update={
                        "timestamp": event.timestamp if event.timestamp is not None else v.now_ms()
                    }
                )
                self.state.add_edge(u, w, key, rel=event.type.value, event=stored)

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

    def put_attributions_and_associations(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> None:
        self._require(Kind.ARTIFACT, [a.artifact_id for a in attributions], "artifact_id")
        self._require(Kind.EXECUTION, [a.execution_id for a in associations], "execution_id")
        self._require(
            Kind.CONTEXT,
            [a.context_id for a in attributions] + [a.context_id for a in associations],
            "context_id",
        )
        with self.state.transaction():
            for at in attributions:
                self._link(Kind.ARTIFACT, at.artifact_id, at.context_id, ATTRIBUTED_TO)
            for asc in associations:
                self._link(Kind.EXECUTION, asc.execution_id, asc.context_id, ASSOCIATED_WITH)

    def _link(self, kind: Kind, node_id: int, context_id: int, rel: str) -> None:
        u, w = node_key(kind, node_id), node_key(Kind.CONTEXT, context_id)
        self.state.add_edge(u, w, rel, rel=rel)

    def put_parent_contexts(self, links: Sequence[ParentContext]) -> None:
        self._require(Kind.CONTEXT, [lk.child_id for lk in links], "child_id")
        self._require(Kind.CONTEXT, [lk.parent_id for lk in links], "parent_id")
        g = self.state.graph
        # CHILD_OF edges leave contexts: scanning contexts' out-edges finds the hierarchy.
        existing = [
            (u[1], w[1])
            for cid in self.state.nodes[Kind.CONTEXT]
            for u, w, rel in g.out_edges(node_key(Kind.CONTEXT, cid), data="rel")
            if rel == CHILD_OF
        ]
        v.check_parent_links(links, existing)
        with self.state.transaction():
            for lk in links:
                self._link(Kind.CONTEXT, lk.child_id, lk.parent_id, CHILD_OF)

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

    # ---- compound writes -----------------------------------------------------------------

    def _put_contexts_reusing(self, contexts: Sequence[Context], reuse: bool) -> list[int]:
        by_name = self.state.by_name[Kind.CONTEXT]
        ids: list[int] = []
        for c in contexts:
            found = by_name.get((c.type, c.name)) if c.name is not None else None
            if reuse and c.id is None and found is not None:
                v.check_node(Kind.CONTEXT, c, self.state.types[Kind.CONTEXT].get(c.type))
                ids.append(found)
            else:
                ids.append(self.put_nodes(Kind.CONTEXT, [c])[0])
        return ids

    def put_execution(
        self,
        execution: Execution,
        artifacts_and_events: Sequence[ArtifactAndEvent] = (),
        contexts: Sequence[Context] = (),
        *,
        reuse_context_if_already_exist: bool = True,
        reuse_artifact_if_already_exist_by_external_id: bool = True,
    ) -> PutExecutionResult:
        with self.state.transaction():
            execution_id = self.put_nodes(Kind.EXECUTION, [execution])[0]
            artifacts: list[Artifact] = []
            by_ext = self.state.by_external_id[Kind.ARTIFACT]
            for ae in artifacts_and_events:
                a = ae.artifact
                if (
                    reuse_artifact_if_already_exist_by_external_id
                    and a.id is None
                    and a.external_id in by_ext
                ):
                    # MLMD: the artifact known by this external id is updated in place.
                    a = a.model_copy(update={"id": by_ext[str(a.external_id)]})
                artifacts.append(a)
            artifact_ids = self.put_nodes(Kind.ARTIFACT, artifacts)
            context_ids = self._put_contexts_reusing(contexts, reuse_context_if_already_exist)
            self.put_events(
                [
                    Event(
                        artifact_id=aid, execution_id=execution_id, type=ae.event_type, path=ae.path
                    )
                    for aid, ae in zip(artifact_ids, artifacts_and_events, strict=False)
                    if ae.event_type is not None
                ]
            )
            self.put_attributions_and_associations(
                [
                    Attribution(artifact_id=a, context_id=c)
                    for c in context_ids
                    for a in artifact_ids
                ],
                [Association(execution_id=execution_id, context_id=c) for c in context_ids],
            )
        return PutExecutionResult(
            execution_id=execution_id, artifact_ids=artifact_ids, context_ids=context_ids
        )

    def put_lineage_subgraph(
        self,
        executions: Sequence[Execution],
        artifacts: Sequence[Artifact],
        contexts: Sequence[Context],
        events: Sequence[tuple[int, int, Event]],
        *,
        reuse_context_if_already_exist: bool = True,
    ) -> tuple[list[int], list[int], list[int]]:
        v.check_subgraph_events(events, len(executions), len(artifacts))
        with self.state.transaction():
            execution_ids = self.put_nodes(Kind.EXECUTION, executions)
            artifact_ids = self.put_nodes(Kind.ARTIFACT, artifacts)
            context_ids = self._put_contexts_reusing(contexts, reuse_context_if_already_exist)
            self.put_events(
                [
                    e.model_copy(
                        update={"execution_id": execution_ids[ei], "artifact_id": artifact_ids[ai]}
                    )
                    for ei, ai, e in events
                ]
            )
            self.put_attributions_and_associations(
                [
                    Attribution(artifact_id=a, context_id=c)
                    for c in context_ids
                    for a in artifact_ids
                ],
                [
                    Association(execution_id=x, context_id=c)
                    for c in context_ids
                    for x in execution_ids
                ],
            )
        return execution_ids, artifact_ids, context_ids

    # ---- deletes ---------------------------------------------------------------------------

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        for i in ids:
            v.check_int(i, "ids")
        with self.state.transaction():
            return sum(self.state.remove_node(kind, i) for i in set(ids))

    def clear(self) -> None:
        # A fresh state object: whatever the lineage mixin keeps on it goes too.
        self.state = MemoryState()

    def close(self) -> None:
        """Nothing to release."""
