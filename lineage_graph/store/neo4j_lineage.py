"""Lineage queries on Neo4j: one parameterised Cypher statement each (see cypher/queries).

Statements: ``lineage_upstream``/``lineage_downstream`` (walks), ``lineage_edges``,
``lineage_path``, ``question_execution_snapshots``, ``question_failed_upstream``,
``question_last_deployed``, ``taint_preview``, ``taint_mark_bad``, ``taint_incident_*``.
Every deep walk is a one-relationship pattern under DISTINCT or ``min(length(p))``, which the
5.26 planner turns into ``VarLengthExpand(Pruning,BFS,All)`` (tests/lineage checks EXPLAIN).

Walks come in three files per direction (``walk_text``): the answer as ONE record holding a
list of per-node lists (decoding one record of lists costs a fraction of a record per node),
a ``_now`` twin of it without the ``$as_of`` tests for the common ``as_of=None``, and a
``_stream`` form (a row per node) for a time budget, where the rows already received are the
partial answer. Rows are turned into answer models with ``model_construct`` (trusted values).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, LiteralString, cast

import neo4j

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
    LineageResult,
    NodeRef,
    TaintedNode,
)
from ..errors import NotFoundError, QueryTimeoutError
from ..models import Kind
from ..queries import query
from .lineage_checks import check_depth, check_walk_args
from .memory_lineage import edge_sort_key
from .neo4j_codec import CUSTOM, CUSTOM_JSON, DECLARED, DECLARED_JSON

_KIND_ORDER = {Kind.ARTIFACT: 0, Kind.EXECUTION: 1, Kind.CONTEXT: 2}
_DEPTH_TOKEN = "/*max_depth*/"
# LIMIT when the caller asked for no limit (LIMIT needs a number).
_NO_LIMIT = 2**62
# Walk statement variants (see walk_text); tests/lineage/test_plans.py checks each plan.
WALK_VARIANTS = ("", "_now", "_stream")
_WALK_FILES: dict[tuple[str, str], str] = {
    ("upstream", ""): "lineage_upstream",
    ("upstream", "_now"): "lineage_upstream_now",
    ("upstream", "_stream"): "lineage_upstream_stream",
    ("downstream", ""): "lineage_downstream",
    ("downstream", "_now"): "lineage_downstream_now",
    ("downstream", "_stream"): "lineage_downstream_stream",
}
_ROW_FIELDS = frozenset(
    ("kind", "id", "type", "name", "uri", "state", "create_time", "properties")
)


def walk_text(direction: Direction, max_depth: int | None, variant: str = "") -> LiteralString:
    """The walk statement with its depth bound spliced in (the one place we splice a bound).

    ``variant``: ``""`` (one row of node lists, any ``as_of``), ``"_now"`` (the same without
    the time tests, for ``as_of=None``) or ``"_stream"`` (a row per node, for a time budget).
    Bounds cannot be parameters in Cypher; ``check_depth`` guarantees an int >= 0 or None.
    """
    depth = check_depth(max_depth)
    if variant not in WALK_VARIANTS:
        raise ValueError(f"unknown walk variant {variant!r}")
    name = _WALK_FILES[("upstream" if direction == "upstream" else "downstream", variant)]
    text = query(name)
    if _DEPTH_TOKEN not in text:
        raise ValueError(f"query {name!r} has no {_DEPTH_TOKEN} placeholder")
    # str(int) is digits only, so the text stays as trusted as the file it came from.
    bound = "" if depth is None else str(depth)
    trusted: LiteralString = text.replace(_DEPTH_TOKEN, bound)  # type: ignore[assignment,unused-ignore]
    return trusted


def _user_props(pairs: Sequence[Sequence[Any]] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(declared, custom) user properties from ``[key, value]`` pairs of namespaced keys."""
    declared: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in pairs or ():
        if key.startswith(DECLARED_JSON):
            declared[key[len(DECLARED_JSON):]] = json.loads(value)
        elif key.startswith(CUSTOM_JSON):
            custom[key[len(CUSTOM_JSON):]] = json.loads(value)
        elif key.startswith(DECLARED):
            declared[key[len(DECLARED):]] = value
        elif key.startswith(CUSTOM):
            custom[key[len(CUSTOM):]] = value
    return declared, custom


def _node(row: Mapping[str, Any], kind: str | Kind | None = None, **extra: Any) -> LineageNode:
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


def _row_node(row: Sequence[Any], with_properties: bool) -> LineageNode:
    """A walk's ``[id, is_artifact, type, name, uri, state, create_time, props]`` as a node.

    Built with ``model_construct``: every value comes from the store's own typed properties
    (validated when written), and validating thousands of rows per walk dominated the call.
    """
    props = None
    if with_properties:
        declared, custom = _user_props(row[7])
        props = {**custom, **declared}
    # Every field given (no default lookups); the set of given fields is what _node's would be.
    return LineageNode.model_construct(
        set(_ROW_FIELDS), kind=Kind.ARTIFACT if row[1] else Kind.EXECUTION, id=row[0],
        type=row[2], name=row[3], uri=row[4], state=row[5], create_time=row[6], hops=None,
        properties=props,
    )


def _context(row: Mapping[str, Any]) -> ContextNode:
    return ContextNode(
        id=row["id"], type=row["type"], name=row.get("name"),
        create_time=row.get("create_time"), parent_ids=sorted(row.get("parents") or []),
    )


def _snapshot(snap: Mapping[str, Any]) -> ExecutionSnapshot:
    declared, custom = _user_props(snap["props"])
    inputs = [
        InputRef(
            id=i["id"], type=i["type"], name=i.get("name"), uri=i.get("uri"), event=i["event"],
            path=tuple(json.loads(i.get("path") or "[]")),
        )
        for i in snap["inputs"]
    ]
    inputs.sort(key=lambda i: (i.event, json.dumps(list(i.path)), i.id))
    return ExecutionSnapshot(
        execution=_node(snap, Kind.EXECUTION),
        properties=declared,
        custom_properties=custom,
        inputs=inputs,
        contexts=sorted((_context(c) for c in snap["contexts"]), key=lambda c: c.id),
        ancestors=sorted((_context(c) for c in snap["ancestors"]), key=lambda c: c.id),
    )


def _incident(row: Mapping[str, Any], reached: list[TaintedNode] | None = None) -> Incident:
    i = row["incident"]
    return Incident(
        id=i["id"], reason=i["reason"], created=i["created"], status=i["status"],
        source=NodeRef(kind=Kind(i["source_kind"]), id=i["source_id"]),
        barrier_types=list(i.get("barrier_types") or []),
        resolved=i.get("resolved"), resolution=i.get("resolution"),
        reached_count=row["reached_count"], reached=reached,
    )


def _sorted_tainted(items: list[TaintedNode]) -> list[TaintedNode]:
    return sorted(items, key=lambda t: (_KIND_ORDER[t.node.kind], t.node.id))


class Neo4jLineageMixin:
    """Implements ``LineageQueries`` for ``Neo4jStore`` (its ``read``/``write``/``run_read``)."""

    _driver: neo4j.Driver
    _database: str | None

    if TYPE_CHECKING:  # provided by Neo4jStore
        def read(self, work: Any) -> Any: ...
        def write(self, work: Any) -> Any: ...
        def run_read(self, text: LiteralString, **params: Any) -> list[dict[str, Any]]: ...

    def _named(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return self.run_read(query(name), **params)

    def _named_values(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Like ``_named`` for statements that return only scalars, lists and maps (no nodes,
        relationships or paths): ``dict(zip(keys, values()))`` is ~3x cheaper than
        ``record.data()``, which walks every value looking for graph types to convert."""
        text = query(name)

        def work(runner: Any) -> list[dict[str, Any]]:
            result = runner.tx.run(text, params)
            keys = result.keys()
            return [dict(zip(keys, record.values(), strict=False)) for record in result]

        return cast(list[dict[str, Any]], self.read(work))

    def _stream(
        self, text: LiteralString, params: dict[str, Any], timeout: float
    ) -> tuple[list[dict[str, Any]], bool]:
        """Rows of a read statement within ``timeout``: those that arrived before it expired,
        and True if it did. Auto-commit so that rows stream (a managed transaction would retry)."""
        from .neo4j import _translate  # the one translation point; imported late (cycle)

        rows: list[dict[str, Any]] = []
        try:
            with _translate(), self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                result = session.run(neo4j.Query(text, timeout=timeout), params)
                keys = result.keys()
                # dict(zip(...)) over values(): ~3x cheaper than record.data() (no graph types here).
                for record in result:
                    rows.append(dict(zip(keys, record.values(), strict=False)))
        except QueryTimeoutError:
            return rows, True
        return rows, False

    # ---- walks -----------------------------------------------------------------------------

    def lineage_walk(
        self,
        starts: Sequence[NodeRef],
        direction: Direction,
        *,
        max_depth: int | None = None,
        types: Sequence[str] | None = None,
        kinds: Sequence[Kind] | None = None,
        roots_only: bool = False,
        as_of: int | None = None,
        limit: int | None = None,
        with_properties: bool = False,
        include_starts: bool = False,
        timeout: float | None = None,
    ) -> LineageResult:
        check_walk_args(starts, direction, max_depth, types, kinds, limit, timeout)
        params = {
            "artifact_ids": sorted({s.id for s in starts if s.kind is Kind.ARTIFACT}),
            "execution_ids": sorted({s.id for s in starts if s.kind is Kind.EXECUTION}),
            "as_of": as_of,
            "types": None if types is None else list(types),
            "kinds": None if kinds is None else [k.value for k in kinds],
            "roots_only": roots_only,
            "include_starts": include_starts,
            "with_properties": with_properties,
            # cap + 1 rows tell "more than the cap" without fetching the rest.
            "cap": _NO_LIMIT if limit is None else limit + 1,
        }
        if timeout is None:
            # One row of node lists; without as_of, the statement without the time tests.
            variant = "_now" if as_of is None else ""
            if as_of is None:
                del params["as_of"]
            nodes = self._walk_rows(walk_text(direction, max_depth, variant), params)
            timed_out = False
        else:
            # A row per node, so the rows that arrived before the budget ran out are kept.
            text = walk_text(direction, max_depth, "_stream")
            rows, timed_out = self._stream(text, params, timeout)
            nodes = [
                _row_node(
                    [r["id"], r["kind"] == "artifact", r["type"], r["name"], r["uri"],
                     r["state"], r["create_time"], r["props"]],
                    with_properties,
                )
                for r in rows
            ]
        nodes.sort(key=lambda n: (_KIND_ORDER[n.kind], n.id))
        partial, reason = False, None
        if limit is not None and len(nodes) > limit:
            nodes, partial, reason = nodes[:limit], True, f"node limit {limit} reached"
        if timed_out:
            partial, reason = True, f"time budget of {timeout} s ran out"
        return LineageResult.model_construct(
            artifacts=[n for n in nodes if n.kind is Kind.ARTIFACT],
            executions=[n for n in nodes if n.kind is Kind.EXECUTION],
            partial=partial,
            reason=reason,
        )

    def _walk_rows(self, text: LiteralString, params: dict[str, Any]) -> list[LineageNode]:
        """The nodes of a one-row walk statement (``rows``: a list of per-node lists)."""
        with_properties = bool(params["with_properties"])

        def work(runner: Any) -> list[Any]:
            record = runner.tx.run(text, params).single(strict=True)
            return cast(list[Any], record[0])

        return [_row_node(row, with_properties) for row in self.read(work)]

    def lineage_edges(self, nodes: Sequence[NodeRef]) -> list[LineageEdge]:
        rows = self._named_values(
            "lineage_edges",
            artifact_ids=sorted({n.id for n in nodes if n.kind is Kind.ARTIFACT}),
            execution_ids=sorted({n.id for n in nodes if n.kind is Kind.EXECUTION}),
        )
        edges = [
            LineageEdge(
                source=NodeRef(kind=Kind(r["source_kind"]), id=r["source_id"]),
                target=NodeRef(kind=Kind(r["target_kind"]), id=r["target_id"]),
                type=r["type"],
                timestamp=r["ts"],
            )
            for r in rows
        ]
        return sorted(edges, key=edge_sort_key)

    def lineage_path(self, source: NodeRef, target: NodeRef) -> LineagePath | None:
        rows = self._named_values(
            "lineage_path", source_kind=source.kind.value, source_id=source.id,
            target_kind=target.kind.value, target_id=target.id,
        )
        if not rows:
            return None
        return LineagePath(nodes=[_node(n) for n in rows[0]["nodes"]], edge_types=rows[0]["rels"])

    # ---- snapshots and questions -----------------------------------------------------------

    def execution_snapshots(
        self,
        *,
        execution_ids: Sequence[int] = (),
        context_ids: Sequence[int] = (),
        produced_ids: Sequence[int] = (),
    ) -> list[ExecutionSnapshot]:
        rows = self._named_values(
            "question_execution_snapshots", execution_ids=list(execution_ids),
            context_ids=list(context_ids), produced_ids=list(produced_ids),
        )
        return [_snapshot(r["snap"]) for r in rows]

    def failed_upstream(self, start: NodeRef) -> list[FailedStep]:
        rows = self._named(
            "question_failed_upstream", kind=start.kind.value, id=start.id,
            success_states=list(SUCCESS_STATES),
        )
        out = []
        for r in rows:
            snaps = [_snapshot(s) for s in r["snaps"]]
            out.append(FailedStep(failed=snaps[0], last_success=snaps[1] if len(snaps) > 1 else None))
        return sorted(out, key=lambda f: f.failed.execution.id)

    def last_deployed(
        self, start: NodeRef, deploy_types: Sequence[str], model_types: Sequence[str]
    ) -> Deployment | None:
        rows = self._named_values(
            "question_last_deployed", kind=start.kind.value, id=start.id,
            deploy_types=list(deploy_types), model_types=list(model_types),
        )
        if not rows:
            return None
        r = rows[0]
        model = None
        if r["model"] is not None:
            model = _node(r["model"], Kind.ARTIFACT, hops=r["model_hops"])
        return Deployment(
            deployed=_node(r["deployed"], Kind.ARTIFACT),
            model=model,
            contexts=sorted((_context(c) for c in r["contexts"]), key=lambda c: c.id),
        )

    # ---- taint -----------------------------------------------------------------------------

    def taint_preview(
        self, source: NodeRef, barrier_types: Sequence[str] = ()
    ) -> list[TaintedNode]:
        rows = self._named(
            "taint_preview", kind=source.kind.value, id=source.id, barriers=list(barrier_types)
        )
        if not rows and not self._exists(source):
            raise NotFoundError(f"no {source.kind.value} with id {source.id}")
        # The statement gives each node's hops and predecessor ids; pick the lowest-id
        # predecessor one hop closer (preds of an artifact are executions and vice versa).
        hops = {(r["kind"], r["id"]): r["hops"] for r in rows}
        hops[(source.kind.value, source.id)] = 0
        out: list[TaintedNode] = []
        best: dict[int, tuple[int, int, int, Kind, dict[str, Any]]] = {}
        for r in rows:
            pred_kind = "execution" if r["kind"] == "artifact" else "artifact"
            via = min(p for p in r["preds"] if hops.get((pred_kind, p)) == r["hops"] - 1)
            node = _node(r)
            out.append(TaintedNode(node=node, hops=r["hops"], via=NodeRef(kind=Kind(pred_kind), id=via)))
            for c in r["contexts"]:
                rank = (r["hops"], _KIND_ORDER[node.kind], node.id, node.kind, c)
                if c["id"] not in best or rank[:3] < best[c["id"]][:3]:
                    best[c["id"]] = rank
        for h, _, nid, nkind, c in best.values():
            out.append(
                TaintedNode(
                    node=_node(c, Kind.CONTEXT), hops=h + 1, via=NodeRef(kind=nkind, id=nid)
                )
            )
        return _sorted_tainted(out)

    def _exists(self, r: NodeRef) -> bool:
        return bool(self.get_nodes_by_id(r.kind, [r.id]))  # type: ignore[attr-defined]

    def incident_create(
        self, source: NodeRef, reason: str, barrier_types: Sequence[str], now: int
    ) -> Incident:
        params = {
            "kind": source.kind.value, "id": source.id, "reason": reason, "now": now,
            "barriers": list(barrier_types),
        }
        rows = self.write(lambda w: w.run("taint_mark_bad", **params))
        if not rows:
            raise NotFoundError(f"no {source.kind.value} with id {source.id}")
        return _incident(rows[0])

    def incident_get(self, incident_id: int, *, with_reached: bool = True) -> Incident:
        rows = self._named("taint_incident_get", id=incident_id, with_reached=with_reached)
        if not rows:
            raise NotFoundError(f"no incident with id {incident_id}")
        reached = None
        if with_reached:
            reached = _sorted_tainted(
                [
                    TaintedNode(
                        node=_node(t), hops=t["hops"],
                        via=NodeRef(kind=Kind(t["via_kind"]), id=t["via"]),
                    )
                    for t in rows[0]["reached"]
                ]
            )
        return _incident(rows[0], reached)

    def incident_list(self, status: str | None = None) -> list[Incident]:
        return [_incident(r) for r in self._named("taint_incident_list", status=status)]

    def incident_resolve(self, incident_id: int, resolution: str, now: int) -> Incident:
        rows = self.write(
            lambda w: w.run("taint_incident_resolve", id=incident_id, resolution=resolution, now=now)
        )
        if not rows:
            raise NotFoundError(f"no incident with id {incident_id}")
        return _incident(rows[0])
