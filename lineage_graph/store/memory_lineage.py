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
    ACTION_KEY,
    AT_KEY,
    DEPLOY_TYPE,
    EVENT_EXECUTION_TYPES,
    PUSHED_MODEL_HOPS,
    ROLE_DATASET,
    ROLE_DEPLOYMENT,
    ROLE_EVALUATION,
    ROLE_MODEL,
    ROLE_PIPELINE,
    ROLE_STATISTICS,
    ROLE_TRAINING,
    ROLES_CONTEXT_NAME,
    ROLES_CONTEXT_TYPE,
    SUCCESS_STATES,
    ContextNode,
    DeploymentRow,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    InputRef,
    LineageEdge,
    LineageNode,
    LineagePath,
    MetricSource,
    ModelCandidate,
    ModelCandidates,
    NodeRef,
    RoleQuery,
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
_REUSED = frozenset({"REUSED"})
# The action of a recorded event without an ``action`` property.
_DEFAULT_ACTION = {"Deploy": "deploy", "Undeploy": "undeploy", "SetAlias": "alias"}
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

    def _creation_rows(self, artifact_ids: list[int]) -> list[tuple[int, int | None, list[int]]]:
        g = self.state.graph
        rows = []
        for i in artifact_ids:
            key = ("artifact", i)
            if key not in g:
                continue
            stamps = [
                max(t for t in times if t is not None)
                for src, _, d in g.in_edges(key, data=True)
                if d.get("rel") in _OUTPUTS
                for times in [(d["event"].timestamp, g.nodes[src]["node"].create_time)]
                if any(t is not None for t in times)
            ]
            rows.append((i, g.nodes[key]["node"].create_time, stamps))
        return rows

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

    # ---- roles, deployments, model candidates ---------------------------------------------

    def _role_types(self, roles: RoleQuery) -> dict[str, tuple[str, ...]]:
        """Type names per role: the stored mapping (scalar custom properties of the roles
        context; a non-string value removes a default and names no role) over the defaults."""
        cid = self.state.by_name[Kind.CONTEXT].get((ROLES_CONTEXT_TYPE, ROLES_CONTEXT_NAME))
        stored: dict[str, str] = {}
        if cid is not None:
            node = self.state.nodes[Kind.CONTEXT][cid]
            stored = {
                k: v if isinstance(v, str) else ""
                for k, v in node.custom_properties.items()
                if not isinstance(v, (dict, list))
            }
        return roles.resolve(stored)

    def _type(self, key: Key) -> str:
        return str(self.state.graph.nodes[key]["node"].type)

    def _rel_neighbours(self, key: Key, rels: frozenset[str], *, incoming: bool) -> set[Key]:
        g = self.state.graph
        edges = g.in_edges(key, data="rel") if incoming else g.out_edges(key, data="rel")
        return {(u if incoming else v) for u, v, rel in edges if rel in rels}

    def _producers(self, key: Key) -> set[Key]:
        return self._rel_neighbours(key, _OUTPUTS, incoming=True)

    def _outputs(self, key: Key) -> set[Key]:
        return self._rel_neighbours(key, _OUTPUTS, incoming=False)

    def _reusers(self, key: Key) -> set[Key]:
        return self._rel_neighbours(key, _REUSED, incoming=True)

    def _is_model(self, key: Key, r: dict[str, tuple[str, ...]]) -> bool:
        if key[0] != "artifact":
            return False
        t = self._type(key)
        if t in r[ROLE_MODEL]:
            return True
        if t in (*r[ROLE_EVALUATION], *r[ROLE_STATISTICS], *r[ROLE_DEPLOYMENT]):
            return False
        return any(
            self._type(x) in r[ROLE_TRAINING]
            and not any(self._type(o) in r[ROLE_MODEL] for o in self._outputs(x))
            for x in self._producers(key)
        )

    def _roots(self, contexts: Iterable[Key]) -> list[Key]:
        """Contexts without parents at or above ``contexts``."""
        found = set(contexts) | set(self._ancestors(contexts))
        return sorted(c for c in found if not self._contexts_of(c, "CHILD_OF"))

    def _pushes(self, x: Key, deploy: tuple[str, ...]) -> set[tuple[Key, int]]:
        """(pushed artifact, time) of a push execution: its own deployment-role outputs at
        their events' times, else its REUSED originals' at its creation."""
        g = self.state.graph
        own = {
            (v, d["event"].timestamp if d["event"].timestamp is not None
             else (g.nodes[x]["node"].create_time or 0))
            for _, v, d in g.out_edges(x, data=True)
            if d.get("rel") in _OUTPUTS and self._type(v) in deploy
        }
        if own:
            return own
        created = g.nodes[x]["node"].create_time or 0
        return {
            (p, created)
            for o in self._rel_neighbours(x, _REUSED, incoming=False)
            for p in self._outputs(o)
            if self._type(p) in deploy
        }

    def _training_datasets(
        self, model_id: int, roles: RoleQuery, all_types: bool, roots_only: bool
    ) -> list[LineageNode]:
        start = ("artifact", model_id)
        datasets = self._role_types(roles)[ROLE_DATASET]
        found = []
        for key, d in self._bfs([start], "upstream").items():
            node = self._node(key)
            if key == start or key[0] != "artifact" or node is None:
                continue
            if not all_types and node.type not in datasets:
                continue
            if roots_only and any(True for _ in self._event_neighbours(key, "upstream", None)):
                continue
            found.append(lineage_node(node, hops=d))
        return found

    def _deployment_rows(self, start: NodeRef, roles: RoleQuery) -> list[DeploymentRow]:
        g = self.state.graph
        k = _key(start)
        if k not in g:
            return []
        r = self._role_types(roles)
        deploy = r[ROLE_DEPLOYMENT]
        events = set(EVENT_EXECUTION_TYPES)
        found: set[Key] = set()
        if start.kind is Kind.CONTEXT:
            scope = self._descendant_contexts(k)
            found |= self._members(scope, "ASSOCIATED_WITH")
            for a in self._members(scope, "ATTRIBUTED_TO"):
                if self._type(a) in deploy:
                    found |= self._producers(a)
                found |= {
                    x for x in self._rel_neighbours(a, _INPUTS, incoming=False)
                    if self._type(x) in events
                }
        else:
            for d in self._bfs([k], "downstream"):
                if d[0] == "execution":
                    found.add(d)
                elif self._type(d) in deploy:
                    found |= self._producers(d)
        own = found | {y for f in found for y in self._reusers(f)}
        # Where they may have gone (a superset) ...
        targets: set[Key] = set()
        for x in own:
            for t in self._contexts_of(x, "ASSOCIATED_WITH"):
                if self._type(x) in events or self._type(t) in deploy:
                    targets.add(t)
            originals = {x} | self._rel_neighbours(x, _REUSED, incoming=False)
            for o in originals:
                for p in self._outputs(o):
                    if self._type(p) in deploy:
                        targets |= {
                            t for t in self._contexts_of(p, "ATTRIBUTED_TO")
                            if self._type(t) in deploy
                        }
            targets |= set(self._roots(self._contexts_of(x, "ASSOCIATED_WITH")))
        # ... and every execution of those targets.
        history: set[Key] = set()
        for t in targets:
            history |= self._members(self._descendant_contexts(t), "ASSOCIATED_WITH")
            for p in self._members([t], "ATTRIBUTED_TO"):
                if self._type(p) in deploy:
                    producers = self._producers(p)
                    history |= producers | {y for o in producers for y in self._reusers(o)}
        rows: list[DeploymentRow] = []
        for x in own | history:
            node = g.nodes[x]["node"]
            execution = lineage_node(node)
            if node.type in events:
                inputs = sorted(self._rel_neighbours(x, _INPUTS, incoming=True))
                action = node.custom_properties.get(ACTION_KEY)
                at = node.custom_properties.get(AT_KEY)
                rows.append(DeploymentRow.model_validate({
                    "action": action if isinstance(action, str) else _DEFAULT_ACTION[node.type],
                    "at": at if isinstance(at, int) else (node.create_time or 0),
                    "execution": execution,
                    "model": lineage_node(self._node(inputs[0])) if inputs else None,  # type: ignore[arg-type]
                    "targets": [self._context_node(c)
                                for c in self._contexts_of(x, "ASSOCIATED_WITH")],
                    "own": x in own,
                }))
                continue
            for p, at in self._pushes(x, deploy):
                placed = {
                    c for c in self._contexts_of(p, "ATTRIBUTED_TO")
                    if self._type(c) in deploy
                } | {c for c in self._contexts_of(x, "ASSOCIATED_WITH") if self._type(c) in deploy}
                roots = self._roots(self._contexts_of(x, "ASSOCIATED_WITH"))
                pipelines = [c for c in roots if self._type(c) in r[ROLE_PIPELINE]]
                where = sorted(placed) or pipelines or roots
                dist = self._bfs([p], "upstream", max_depth=PUSHED_MODEL_HOPS)
                models = sorted(
                    (d, key[1]) for key, d in dist.items()
                    if key != p and self._is_model(key, r)
                )
                rows.append(DeploymentRow(
                    action="push", at=at, execution=execution,
                    model=lineage_node(self._node(("artifact", models[0][1])))  # type: ignore[arg-type]
                    if models else None,
                    pushed=lineage_node(self._node(p)),  # type: ignore[arg-type]
                    targets=[self._context_node(c) for c in where],
                    own=x in own,
                ))
        return rows

    def _pipeline_of(self, m: Key, r: dict[str, tuple[str, ...]]) -> Key | None:
        contexts = set(self._contexts_of(m, "ATTRIBUTED_TO"))
        for x in self._producers(m):
            contexts |= set(self._contexts_of(x, "ASSOCIATED_WITH"))
        roots = [c for c in self._roots(contexts) if self._type(c) not in r[ROLE_DEPLOYMENT]]
        roots.sort(key=lambda c: (self._type(c) not in r[ROLE_PIPELINE], c[1]))
        return roots[0] if roots else None

    def _deployed_at(self, m: Key, r: dict[str, tuple[str, ...]]) -> set[int]:
        g = self.state.graph
        deploy = r[ROLE_DEPLOYMENT]
        times: set[int] = set()
        for x in self._rel_neighbours(m, _INPUTS, incoming=False):
            node = g.nodes[x]["node"]
            if node.type == DEPLOY_TYPE:
                action = node.custom_properties.get(ACTION_KEY)
                at = node.custom_properties.get(AT_KEY)
                if (action if isinstance(action, str) else "deploy") in ("deploy", "rollback"):
                    times.add(at if isinstance(at, int) else (node.create_time or 0))
                continue
            if node.type in EVENT_EXECUTION_TYPES:
                continue
            pushed = False
            for _, v, d in g.out_edges(x, data=True):
                if d.get("rel") in _OUTPUTS and self._type(v) in deploy:
                    pushed = True
                    ts = d["event"].timestamp
                    times.add(ts if ts is not None else (node.create_time or 0))
            if pushed:
                for y in self._reusers(x):
                    if not any(self._type(q) in deploy for q in self._outputs(y)):
                        times.add(g.nodes[y]["node"].create_time or 0)
        return times

    def _sources(self, m: Key, r: dict[str, tuple[str, ...]]) -> list[MetricSource]:
        evaluation = r[ROLE_EVALUATION]

        def source(relation: Any, key: Key, hops: int) -> MetricSource:
            node = self._node(key)
            assert node is not None
            return MetricSource(
                relation=relation, node=lineage_node(node), hops=hops,
                properties={**node.custom_properties, **node.properties},
            )

        out = [source("model", m, 0)]
        readers = self._rel_neighbours(m, _INPUTS, incoming=False)
        for x in sorted(readers):
            if self._type(x) in evaluation or any(
                self._type(e) in evaluation for e in self._outputs(x)
            ):
                out.append(source("evaluator", x, 1))
        made = {
            e for x in readers for e in self._outputs(x)
            if self._type(e) in evaluation or self._type(x) in evaluation
        }
        out += [source("evaluation", e, 2) for e in sorted(made)]
        beside = {
            e for x in self._producers(m) for e in self._outputs(x)
            if e != m and self._type(e) in evaluation
        }
        out += [source("producer", e, 2) for e in sorted(beside)]
        return out

    def _model_candidates(self, dataset_id: int, roles: RoleQuery) -> ModelCandidates:
        g = self.state.graph
        k = ("artifact", dataset_id)
        if k not in g:
            return ModelCandidates()
        r = self._role_types(roles)
        trained = {
            key for key in self._bfs([k], "downstream")
            if key != k and self._is_model(key, r)
        }
        pipelines = {p for m in trained if (p := self._pipeline_of(m, r)) is not None}
        attributed = {
            a for p in pipelines
            for a in self._members(self._descendant_contexts(p), "ATTRIBUTED_TO")
        } - trained
        out: list[ModelCandidate] = []
        for m in trained | {a for a in attributed if self._is_model(a, r)}:
            deployed = self._deployed_at(m, r)
            if m not in trained and not deployed:
                continue
            node = self._node(m)
            assert node is not None
            stamps = [
                d["event"].timestamp for _, _, d in g.in_edges(m, data=True)
                if d.get("rel") in _OUTPUTS and d["event"].timestamp is not None
            ]
            pipeline = self._pipeline_of(m, r)
            out.append(ModelCandidate(
                model=lineage_node(node),
                pipeline=None if pipeline is None else self._context_node(pipeline),
                trained_at=min(stamps) if stamps else (node.create_time or 0),
                trained_on=m in trained,
                deployed_at=sorted(deployed),
                sources=self._sources(m, r),
            ))
        return ModelCandidates(candidates=out)

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

    def _long_lived(
        self, context_ids: Sequence[int], long_lived_types: Sequence[str]
    ) -> dict[int, int | None]:
        g = self.state.graph
        out: dict[int, int | None] = {}
        for cid in context_ids:
            key = ("context", cid)
            if key not in g:
                continue
            has_children = any(d.get("rel") == "CHILD_OF" for _, _, d in g.in_edges(key, data=True))
            if not has_children and g.nodes[key]["type"] not in long_lived_types:
                continue
            # (time, artifact id): attributed artifacts at their creation, inputs of associated
            # executions (a deployment event's model) at the execution's creation.
            held: list[tuple[int, int]] = []
            for u, _, d in g.in_edges(key, data=True):
                node = self._node(u)
                if node is None or node.id is None:
                    continue
                if d.get("rel") == "ATTRIBUTED_TO":
                    held.append((node.create_time or 0, node.id))
                elif d.get("rel") == "ASSOCIATED_WITH":
                    held += [
                        (node.create_time or 0, a[1])
                        for a, _, r in g.in_edges(u, data="rel")
                        if r == "INPUT"
                    ]
            out[cid] = max(held)[1] if held else None
        return out

    def incident_create(
        self,
        source: NodeRef,
        reason: str,
        barrier_types: Sequence[str],
        now: int,
        long_lived_types: Sequence[str] = (),
    ) -> Incident:
        barriers = sorted(set(barrier_types))
        for known in self._incidents().values():
            if (known["status"], known["source"], known["reason"], known["barrier_types"]) == (
                "OPEN", source, reason, barriers
            ):
                return self._incident(known, with_reached=False)
        reached = self.taint_preview(source, barrier_types, long_lived_types)
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

