"""Lineage queries on the in-memory networkx graph: the reference semantics (the oracle).

Written for clarity, not speed: breadth-first searches over ``MemoryStore.graph`` (layout in
``store/memory.py``) that follow exactly the rules in ``store/lineage_base.py``. What a walk
or a taint found becomes an answer in ``store/lineage_rules.py``, as on Neo4j; the traversals
here are the independent implementation the property tests hold the Cypher to.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..answers import (
    SUCCESS_STATES,
    ContextNode,
    Deployment,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    InputRef,
    LineageEdge,
    LineageNode,
    LineagePath,
    NodeRef,
    WalkOptions,
    edge_order,
    incident_order,
    input_order,
)
from ..errors import NotFoundError
from ..models import Artifact, EventType, Execution, ExecutionState, Kind, Node
from .lineage_base import LineageQueries
from .lineage_rules import Reached

Key = tuple[str, int]
_EVENTS = frozenset(e.value for e in EventType)
_INPUTS = frozenset(e.value for e in EventType if e.is_input)
_OUTPUTS = _EVENTS - _INPUTS
# How an artifact / execution belongs to a context.
_MEMBERSHIP = {"artifact": "ATTRIBUTED_TO", "execution": "ASSOCIATED_WITH"}


def _key(r: NodeRef) -> Key:
    return (r.kind.value, r.id)


def _ref(k: Key) -> NodeRef:
    return NodeRef(kind=Kind(k[0]), id=k[1])


def lineage_node(
    node: Node, *, hops: int | None = None, with_properties: bool = False
) -> LineageNode:
    """The answer form of a stored node."""
    state: str | None = None
    uri: str | None = None
    if isinstance(node, Artifact):
        state, uri = node.state.value, node.uri
    elif isinstance(node, Execution):
        state = node.last_known_state.value
    props = None
    if with_properties:
        props = {**node.custom_properties, **node.properties}
    return LineageNode(
        kind=node.kind,
        id=node.id or 0,
        type=node.type,
        name=node.name,
        uri=uri,
        state=state,
        create_time=node.create_time,
        hops=hops,
        properties=props,
    )


class MemoryLineageMixin(LineageQueries):
    """Implements ``LineageQueries`` for ``MemoryStore`` (which provides ``state``)."""

    state: Any

    # ---- helpers ---------------------------------------------------------------------------

    def _node(self, key: Key) -> Node | None:
        g = self.state.graph
        return g.nodes[key]["node"] if key in g else None

    def _exists(self, r: NodeRef) -> bool:
        return _key(r) in self.state.graph

    def _event_neighbours(
        self, key: Key, direction: Direction, as_of: int | None
    ) -> Iterable[tuple[Key, str]]:
        g = self.state.graph
        edges = (
            g.in_edges(key, data=True) if direction == "upstream" else g.out_edges(key, data=True)
        )
        for u, v, data in edges:
            if data.get("rel") not in _EVENTS:
                continue
            other = u if direction == "upstream" else v
            if as_of is not None:
                ts = data["event"].timestamp or 0
                if ts > as_of or (g.nodes[other]["node"].create_time or 0) > as_of:
                    continue
            yield other, data["rel"]

    def _bfs(
        self,
        starts: Iterable[Key],
        direction: Direction,
        *,
        as_of: int | None = None,
        max_depth: int | None = None,
        blocked: Callable[[Key], bool] = lambda k: False,
    ) -> dict[Key, int]:
        dist: dict[Key, int] = {}
        queue: deque[Key] = deque()
        for s in starts:
            if s in self.state.graph and s not in dist:
                dist[s] = 0
                queue.append(s)
        while queue:
            cur = queue.popleft()
            if max_depth is not None and dist[cur] >= max_depth:
                continue
            for nxt, _ in self._event_neighbours(cur, direction, as_of):
                if nxt not in dist and not blocked(nxt):
                    dist[nxt] = dist[cur] + 1
                    queue.append(nxt)
        return dist

    def _contexts_of(self, key: Key, rel: str) -> list[Key]:
        g = self.state.graph
        return sorted({v for _, v, d in g.out_edges(key, data=True) if d.get("rel") == rel})

    def _context_node(self, key: Key) -> ContextNode:
        node = self._node(key)
        assert node is not None
        parents = sorted(v[1] for v in self._contexts_of(key, "CHILD_OF"))
        return ContextNode(
            id=node.id or 0,
            type=node.type,
            name=node.name,
            create_time=node.create_time,
            parent_ids=parents,
        )

    def _ancestors(self, keys: Iterable[Key]) -> list[Key]:
        seen: set[Key] = set()
        todo = list(keys)
        while todo:
            for parent in self._contexts_of(todo.pop(), "CHILD_OF"):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return sorted(seen)

    def _descendant_contexts(self, key: Key) -> list[Key]:
        g = self.state.graph
        seen = {key}
        todo = [key]
        while todo:
            cur = todo.pop()
            for u, _, d in g.in_edges(cur, data=True):
                if d.get("rel") == "CHILD_OF" and u not in seen:
                    seen.add(u)
                    todo.append(u)
        return sorted(seen)

    def _members(self, context_keys: Iterable[Key], rel: str) -> set[Key]:
        g = self.state.graph
        return {
            u for c in context_keys for u, _, d in g.in_edges(c, data=True) if d.get("rel") == rel
        }

    # ---- walks -----------------------------------------------------------------------------

    def _walk_nodes(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions
    ) -> tuple[list[LineageNode], bool]:
        start_keys = {_key(s) for s in starts}
        as_of, types, kinds = options.as_of, options.types, options.kinds
        dist = self._bfs(start_keys, direction, as_of=as_of, max_depth=options.max_depth)
        found: list[LineageNode] = []
        for key in dist:
            if key in start_keys and not options.include_starts:
                continue
            node = self._node(key)
            assert node is not None
            if types is not None and node.type not in types:
                continue
            if kinds is not None and node.kind not in kinds:
                continue
            if options.roots_only and any(
                True for _ in self._event_neighbours(key, direction, as_of)
            ):
                continue
            found.append(lineage_node(node, with_properties=options.with_properties))
        return found, False  # no time budget: the oracle always finishes

    def lineage_edges(self, nodes: Sequence[NodeRef]) -> list[LineageEdge]:
        keys = {_key(n) for n in nodes}
        g = self.state.graph
        edges: list[LineageEdge] = []
        for u, v, d in g.edges(data=True):
            if u in keys and v in keys and d.get("rel") in _EVENTS:
                edges.append(
                    LineageEdge(
                        source=_ref(u), target=_ref(v), type=d["rel"],
                        timestamp=d["event"].timestamp,
                    )
                )
        return sorted(edges, key=edge_order)

    def lineage_path(self, source: NodeRef, target: NodeRef) -> LineagePath | None:
        src, dst = _key(source), _key(target)
        if src not in self.state.graph or dst not in self.state.graph:
            return None
        prev: dict[Key, tuple[Key, str] | None] = {src: None}
        queue: deque[Key] = deque([src])
        while queue and dst not in prev:
            cur = queue.popleft()
            for nxt, rel in self._event_neighbours(cur, "downstream", None):
                if nxt not in prev:
                    prev[nxt] = (cur, rel)
                    queue.append(nxt)
        if dst not in prev or src == dst:
            return None
        keys, rels = [dst], []
        while (step := prev[keys[-1]]) is not None:
            keys.append(step[0])
            rels.append(step[1])
        keys.reverse()
        rels.reverse()
        nodes = [lineage_node(self._node(k)) for k in keys]  # type: ignore[arg-type]
        return LineagePath(nodes=nodes, edge_types=rels)

    # ---- snapshots -------------------------------------------------------------------------

    def _snapshot(self, key: Key) -> ExecutionSnapshot:
        g = self.state.graph
        node = self._node(key)
        assert node is not None
        inputs = []
        for u, _, d in g.in_edges(key, data=True):
            if d.get("rel") in _INPUTS:
                a = self._node(u)
                assert isinstance(a, Artifact)
                inputs.append(
                    InputRef(
                        id=a.id or 0,
                        type=a.type,
                        name=a.name,
                        uri=a.uri,
                        event=d["rel"],
                        path=tuple(d["event"].path),
                    )
                )
        ctx = self._contexts_of(key, "ASSOCIATED_WITH")
        return ExecutionSnapshot(
            execution=lineage_node(node),
            properties=dict(node.properties),
            custom_properties=dict(node.custom_properties),
            inputs=sorted(inputs, key=input_order),
            contexts=[self._context_node(c) for c in ctx],
            ancestors=[self._context_node(c) for c in self._ancestors(ctx)],
        )

    def _snapshots(
        self, execution_ids: list[int], context_ids: list[int], produced_ids: list[int]
    ) -> list[ExecutionSnapshot]:
        g = self.state.graph
        keys: set[Key] = {("execution", i) for i in execution_ids} & set(g.nodes)
        keys |= self._members(
            [("context", i) for i in context_ids if ("context", i) in g], "ASSOCIATED_WITH"
        )
        for i in produced_ids:
            if ("artifact", i) in g:
                keys |= {
                    u
                    for u, _, d in g.in_edges(("artifact", i), data=True)
                    if d.get("rel") in _OUTPUTS
                }
        return [self._snapshot(k) for k in keys]

    def _failed_steps(self, start: NodeRef) -> list[FailedStep]:
        g = self.state.graph
        k = _key(start)
        if k not in g:
            return []
        if start.kind is Kind.CONTEXT:
            seeds = self._members(self._descendant_contexts(k), "ASSOCIATED_WITH")
        else:
            seeds = {k}
        reached = self._bfs(seeds, "upstream")
        executions: list[Execution] = [
            n
            for key in reached
            if key[0] == "execution"
            for n in [self._node(key)]
            if isinstance(n, Execution)
        ]
        out: list[FailedStep] = []
        all_execs = list(self.state.nodes[Kind.EXECUTION].values())
        for e in executions:
            if e.last_known_state is not ExecutionState.FAILED:
                continue
            mine = (e.create_time or 0, e.id or 0)
            peers = self._pipeline_peers(("execution", e.id or 0))
            good = [
                x
                for x in all_execs
                if x.type == e.type
                and (peers is None or ("execution", x.id or 0) in peers)
                and x.last_known_state.value in SUCCESS_STATES
                and (x.create_time or 0, x.id or 0) < mine
            ]
            best = max(good, key=lambda x: (x.create_time or 0, x.id or 0), default=None)
            out.append(
                FailedStep(
                    failed=self._snapshot(("execution", e.id or 0)),
                    last_success=None
                    if best is None
                    else self._snapshot(("execution", best.id or 0)),
                )
            )
        return out

    def _pipeline_peers(self, key: Key) -> set[Key] | None:
        """Executions sharing a context with ``key``'s contexts or their ancestors.

        None when the execution belongs to no context (then any execution is a peer).
        """
        own = self._contexts_of(key, "ASSOCIATED_WITH")
        if not own:
            return None
        scope = set(own) | set(self._ancestors(own))
        shared = {d for c in scope for d in self._descendant_contexts(c)}
        return self._members(shared, "ASSOCIATED_WITH")

    def last_deployed(
        self, start: NodeRef, deploy_types: Sequence[str], model_types: Sequence[str]
    ) -> Deployment | None:
        g = self.state.graph
        k = _key(start)
        if k not in g:
            return None
        if start.kind is Kind.CONTEXT:
            candidates = self._members(self._descendant_contexts(k), "ATTRIBUTED_TO")
        else:
            candidates = set(self._bfs([k], "downstream"))
        deployed = [
            n
            for c in candidates
            if c[0] == "artifact"
            for n in [self._node(c)]
            if n is not None and n.type in deploy_types
        ]
        if not deployed:
            return None
        last = max(deployed, key=lambda n: (n.create_time or 0, n.id or 0))
        last_key = ("artifact", last.id or 0)
        dist = self._bfs([last_key], "upstream")
        models = [
            (d, key[1])
            for key, d in dist.items()
            if key != last_key and key[0] == "artifact" and self._node(key).type in model_types  # type: ignore[union-attr]
        ]
        model = None
        if models:
            d, mid = min(models)
            model = lineage_node(self._node(("artifact", mid)), hops=d)  # type: ignore[arg-type]
        return Deployment(
            deployed=lineage_node(last),
            model=model,
            contexts=[self._context_node(c) for c in self._contexts_of(last_key, "ATTRIBUTED_TO")],
        )

    # ---- taint -----------------------------------------------------------------------------

    def _taint_reach(self, source: NodeRef, barrier_types: Sequence[str]) -> list[Reached]:
        if not self._exists(source):
            raise NotFoundError(f"no {source.kind.value} with id {source.id}")
        g = self.state.graph
        src = _key(source)
        barriers = set(barrier_types)

        def blocked(k: Key) -> bool:
            return k[0] == "execution" and g.nodes[k]["type"] in barriers

        dist = self._bfs([src], "downstream", blocked=blocked)
        return [
            Reached(
                node=lineage_node(self._node(key)),  # type: ignore[arg-type]
                hops=d,
                preds=[_ref(u) for u, _ in self._event_neighbours(key, "upstream", None)],
                contexts=[
                    lineage_node(self._node(c))  # type: ignore[arg-type]
                    for c in self._contexts_of(key, _MEMBERSHIP[key[0]])
                ],
            )
            for key, d in dist.items()
            if key != src
        ]

    def _incidents(self) -> dict[int, dict[str, Any]]:
        # Kept on the state object so that ``clear()`` (which re-creates it) forgets them.
        found = getattr(self.state, "lineage_incidents", None)
        if found is None:
            found = {}
            self.state.lineage_incidents = found
        return found

    def incident_create(
        self, source: NodeRef, reason: str, barrier_types: Sequence[str], now: int
    ) -> Incident:
        barriers = sorted(set(barrier_types))
        for known in self._incidents().values():
            if (known["status"], known["source"], known["reason"], known["barrier_types"]) == (
                "OPEN", source, reason, barriers
            ):
                return self._incident(known, with_reached=False)
        reached = self.taint_preview(source, barrier_types)
        incident_id = self.state.next_id("incident")
        record = {
            "id": incident_id,
            "reason": reason,
            "created": now,
            "status": "OPEN",
            "source": source,
            "barrier_types": barriers,
            "resolved": None,
            "resolution": None,
            "reached": reached,
        }
        self._incidents()[incident_id] = record
        return self._incident(record, with_reached=False)

    @staticmethod
    def _incident(record: dict[str, Any], *, with_reached: bool) -> Incident:
        fields = {k: v for k, v in record.items() if k != "reached"}
        return Incident(
            **fields,
            reached_count=len(record["reached"]),
            reached=list(record["reached"]) if with_reached else None,
        )

    def incident_get(self, incident_id: int, *, with_reached: bool = True) -> Incident:
        record = self._incidents().get(incident_id)
        if record is None:
            raise NotFoundError(f"no incident with id {incident_id}")
        return self._incident(record, with_reached=with_reached)

    def incident_list(self, status: str | None = None) -> list[Incident]:
        found = [
            self._incident(r, with_reached=False)
            for r in self._incidents().values()
            if status is None or r["status"] == status
        ]
        return sorted(found, key=incident_order, reverse=True)

    def open_incidents(self, refs: Sequence[NodeRef]) -> dict[NodeRef, tuple[int, ...]]:
        wanted = set(refs)
        found: dict[NodeRef, set[int]] = {}
        for incident_id, record in self._incidents().items():
            if record["status"] != "OPEN":
                continue
            touched = [record["source"], *(t.node.ref for t in record["reached"])]
            for ref in touched:
                if ref in wanted:
                    found.setdefault(ref, set()).add(incident_id)
        return {ref: tuple(sorted(ids)) for ref, ids in found.items()}

    def incident_resolve(self, incident_id: int, resolution: str, now: int) -> Incident:
        record = self._incidents().get(incident_id)
        if record is None:
            raise NotFoundError(f"no incident with id {incident_id}")
        if record["status"] != "RESOLVED":
            record.update(status="RESOLVED", resolved=now, resolution=resolution)
        return self._incident(record, with_reached=False)

