"""Lineage queries on Neo4j: one parameterised Cypher statement each (see cypher/queries).

Statements: ``lineage_upstream``/``lineage_downstream`` (walks), ``lineage_edges``,
``lineage_path``, ``question_execution_snapshots``, ``question_failed_upstream``,
``question_deployments``, ``question_model_candidates``, ``taint_preview``,
``taint_incident_*``; ``taint_mark_bad`` records what ``taint_preview`` found, in the same
write transaction. The answer rules (order, limit, taint ``via``) are
``store/lineage_rules.py``'s, shared with the networkx oracle.
Every deep walk is a one-relationship pattern under DISTINCT or ``min(length(p))``, which the
5.26 planner turns into ``VarLengthExpand(Pruning,BFS,All)`` (tests/lineage checks EXPLAIN).

Walks come in three files per direction (``walk_text``): the answer as ONE record holding a
list of per-node lists (decoding one record of lists costs a fraction of a record per node),
a ``_now`` twin of it without the ``$as_of`` tests for the common ``as_of=None``, and a
``_stream`` form (a row per node) for a time budget, where the rows already received are the
partial answer. The one-row forms also bring each node's open incidents (``$incidents``) and,
upstream, compute "as of the start's creation" themselves (``$created``), so a service walk
(``lineage.upstream``) is one round trip; an as-of walk with nothing in the store newer than its
time walks without the per-hop time tests. Rows become answer models in
``store/neo4j_lineage_rows.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, LiteralString, cast

import neo4j

from ..answers import (
    DEPLOY_TYPE,
    EVENT_EXECUTION_TYPES,
    SUCCESS_STATES,
    Deployment,
    DeploymentRow,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    LineageEdge,
    LineageNode,
    LineagePath,
    MetricSource,
    ModelCandidate,
    ModelCandidates,
    NodeRef,
    RoleQuery,
    TaintedNode,
    WalkOptions,
    edge_order,
    incident_order,
    tainted_order,
)
from ..errors import NotFoundError, QueryTimeoutError
from ..models import Kind
from ..queries import query
from . import neo4j_lineage_rows as decode
from .lineage_base import LineageQueries, latest_deployment
from .lineage_checks import check_depth
from .lineage_rules import Reached, taint_answer
from .neo4j_errors import translate

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


_RELATION: dict[str, Literal["evaluator", "evaluation", "producer"]] = {
    "evaluators": "evaluator", "evaluations": "evaluation", "producers": "producer",
}


def _merged(pairs: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """User properties of a node as one map (declared over custom, as walks return them)."""
    declared, custom = decode.user_props(pairs)
    return {**custom, **declared}


def _taint_rows(reached: Sequence[TaintedNode], kind: Kind) -> list[dict[str, Any]]:
    """``taint_mark_bad``'s rows for the reached nodes of one kind."""
    return [
        {"id": t.node.id, "hops": t.hops, "via": t.via.id, "via_kind": t.via.kind.value}
        for t in reached
        if t.node.kind is kind
    ]


def _walk_params(starts: Sequence[NodeRef], options: WalkOptions) -> dict[str, Any]:
    """The parameters every walk statement takes."""
    limit = options.limit
    return {
        "artifact_ids": sorted({s.id for s in starts if s.kind is Kind.ARTIFACT}),
        "execution_ids": sorted({s.id for s in starts if s.kind is Kind.EXECUTION}),
        "as_of": options.as_of,
        "types": None if options.types is None else list(options.types),
        "kinds": None if options.kinds is None else [Kind(k).value for k in options.kinds],
        "roots_only": options.roots_only,
        "include_starts": options.include_starts,
        "with_properties": options.with_properties,
        # cap + 1 rows tell "more than the cap" without fetching the rest.
        "cap": _NO_LIMIT if limit is None else limit + 1,
    }


class Neo4jLineageMixin(LineageQueries):
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
        rows: list[dict[str, Any]] = []
        complete = False
        try:
            with translate(), self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                result = session.run(neo4j.Query(text, timeout=timeout), params)
                keys = result.keys()
                # dict(zip(...)) over values(): ~3x cheaper than record.data() (no graph types).
                for record in result:
                    rows.append(dict(zip(keys, record.values(), strict=False)))
                complete = True
        except QueryTimeoutError:
            # Expiring after the last row (while the transaction closes) cut nothing short.
            return rows, not complete
        return rows, False

    # ---- walks -----------------------------------------------------------------------------

    def _walk(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions, *,
        created: bool, marked: bool,
    ) -> tuple[list[LineageNode], bool]:
        if options.timeout is not None:
            # A time budget streams a row per node; the creation time and the incidents then
            # come in statements of their own (the base class's way).
            return super()._walk(starts, direction, options, created=created, marked=marked)
        return self._walk_rows(starts, direction, options, created=created, marked=marked), False

    def _walk_nodes(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions
    ) -> tuple[list[LineageNode], bool]:
        if options.timeout is None:
            return self._walk_rows(starts, direction, options, created=False, marked=False), False
        # A row per node, so the rows that arrived before the budget ran out are kept.
        text = walk_text(direction, options.max_depth, "_stream")
        params = _walk_params(starts, options)
        rows, timed_out = self._stream(text, params, options.timeout)
        nodes = [
            decode.walk_node(
                [r["id"], r["kind"] == "artifact", r["type"], r["name"], r["uri"],
                 r["state"], r["create_time"], r["props"]],
                options.with_properties,
            )
            for r in rows
        ]
        return nodes, timed_out

    def _walk_rows(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions, *,
        created: bool, marked: bool,
    ) -> list[LineageNode]:
        """The nodes of a one-row walk statement (``rows``: a list of per-node lists), as of
        the one artifact start's creation when ``created`` (computed in the statement), with
        their open incidents when ``marked``: one round trip either way."""
        params = _walk_params(starts, options)
        params["incidents"] = marked
        if options.as_of is None and not created:
            # The statement without the time tests.
            del params["as_of"]
            text = walk_text(direction, options.max_depth, "_now")
        else:
            if direction == "upstream":
                params["created"] = created
            text = walk_text(direction, options.max_depth, "")
        with_properties = options.with_properties

        def work(runner: Any) -> list[Any]:
            record = runner.tx.run(text, params).single(strict=True)
            return cast(list[Any], record[0])

        return [decode.walk_node(row, with_properties) for row in self.read(work)]

    def _creation_rows(self, artifact_ids: list[int]) -> list[tuple[int, int | None, list[int]]]:
        rows = self._named_values("lineage_created_at", ids=artifact_ids)
        return [(r["id"], r["create_time"], r["output_ts"]) for r in rows]

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
        return sorted(edges, key=edge_order)

    def lineage_path(self, source: NodeRef, target: NodeRef) -> LineagePath | None:
        rows = self._named_values(
            "lineage_path", source_kind=source.kind.value, source_id=source.id,
            target_kind=target.kind.value, target_id=target.id,
        )
        if not rows:
            return None
        nodes = [decode.node(n) for n in rows[0]["nodes"]]
        return LineagePath(nodes=nodes, edge_types=rows[0]["rels"])

    # ---- snapshots and questions -----------------------------------------------------------

    def _snapshots(
        self, execution_ids: list[int], context_ids: list[int], produced_ids: list[int]
    ) -> list[ExecutionSnapshot]:
        rows = self._named_values(
            "question_execution_snapshots", execution_ids=execution_ids,
            context_ids=context_ids, produced_ids=produced_ids,
        )
        return [decode.snapshot(r["snap"]) for r in rows]

    # Why-failed reads at most this many earlier executions of the failed one's type (newest
    # first) looking for the last success in its pipeline, then lists the pipeline instead: a
    # pipeline that never succeeded at a step costs its own size, not the type's whole history.
    _failed_scan_window = 256

    def _failed_steps(self, start: NodeRef) -> list[FailedStep]:
        rows = self._named_values(
            "question_failed_upstream", kind=start.kind.value, id=start.id,
            success_states=list(SUCCESS_STATES), window=self._failed_scan_window,
        )
        out = []
        for r in rows:
            snaps = [decode.snapshot(s) for s in r["snaps"]]
            out.append(
                FailedStep(failed=snaps[0], last_success=snaps[1] if len(snaps) > 1 else None)
            )
        return out

    def _training_datasets(
        self, model_id: int, roles: RoleQuery, all_types: bool, roots_only: bool
    ) -> list[LineageNode]:
        rows = self._named_values(
            "question_training_datasets", id=model_id, all_types=all_types,
            roots_only=roots_only, **roles.params(),
        )
        return [decode.node(r["node"], Kind.ARTIFACT, hops=r["node"]["hops"]) for r in rows]

    def _deployment_rows(self, start: NodeRef, roles: RoleQuery) -> list[DeploymentRow]:
        rows = self._named_values(
            "question_deployments", kind=start.kind.value, id=start.id,
            event_types=list(EVENT_EXECUTION_TYPES), **roles.params(),
        )
        return [
            DeploymentRow(
                action=r["action"], at=r["at"],
                execution=decode.node(r["execution"], Kind.EXECUTION),
                model=None if r["model"] is None else decode.node(r["model"], Kind.ARTIFACT),
                pushed=None if r["pushed"] is None else decode.node(r["pushed"], Kind.ARTIFACT),
                targets=sorted((decode.context(t) for t in r["targets"]), key=lambda c: c.id),
                own=r["own"],
            )
            for r in rows
        ]

    def last_deployment(self, start: NodeRef, roles: RoleQuery) -> Deployment | None:
        # One statement that looks only at the start's own events and the chosen one's target
        # (question_last_deployed), instead of every event, model walk and target history.
        rows = self._named_values(
            "question_last_deployed", kind=start.kind.value, id=start.id,
            event_types=list(EVENT_EXECUTION_TYPES), **roles.params(),
        )
        if not rows:
            return None
        r = rows[0]
        model = None if r["model"] is None else decode.node(r["model"], Kind.ARTIFACT)
        pushed = None if r["pushed"] is None else decode.node(r["pushed"], Kind.ARTIFACT)
        deployed = pushed if pushed is not None else model
        if deployed is None:  # a recorded deploy whose model was deleted since
            return None
        if r["target"] is None:
            # A push to no target: what is live at "no target" depends on every such event
            # the full answer gathers, so take that (exact, and rare).
            return latest_deployment(self.deployments(start, roles))
        return Deployment(
            deployed=deployed, model=model, contexts=[decode.context(r["target"])],
            action=r["action"], at=r["at"], live=r["live"],
        )

    def _model_candidates(self, dataset_id: int, roles: RoleQuery) -> ModelCandidates:
        rows = self._named_values(
            "question_model_candidates", id=dataset_id, event_types=list(EVENT_EXECUTION_TYPES),
            deploy_type=DEPLOY_TYPE, **roles.params(),
        )
        out = []
        for r in rows:
            model = decode.node(r["model"], Kind.ARTIFACT)
            sources = [MetricSource(relation="model", node=model, hops=0,
                                    properties=_merged(r["props"]))]
            for relation, kind, hops in (("evaluators", Kind.EXECUTION, 1),
                                         ("evaluations", Kind.ARTIFACT, 2),
                                         ("producers", Kind.ARTIFACT, 2)):
                sources += [
                    MetricSource(relation=_RELATION[relation], node=decode.node(n, kind),
                                 hops=hops, properties=_merged(n["props"]))
                    for n in r[relation]
                ]
            stamps = [t for t in r["output_ts"] if t is not None]
            out.append(ModelCandidate(
                model=model,
                pipeline=None if r["pipeline"] is None else decode.context(r["pipeline"]),
                trained_at=min(stamps) if stamps else (model.create_time or 0),
                trained_on=r["trained_on"],
                deployed_at=r["deployed_at"],
                sources=sources,
            ))
        return ModelCandidates(candidates=out)

    # ---- taint -----------------------------------------------------------------------------

    def _taint_reach(self, source: NodeRef, barrier_types: Sequence[str]) -> list[Reached]:
        rows = self._named_values(
            "taint_preview", kind=source.kind.value, id=source.id, barriers=list(barrier_types)
        )
        if not rows and not self._exists(source):
            raise NotFoundError(f"no {source.kind.value} with id {source.id}")
        return decode.reached(rows)

    def _exists(self, r: NodeRef) -> bool:
        return bool(self.get_nodes_by_id(r.kind, [r.id]))  # type: ignore[attr-defined]

    def _long_lived(
        self, context_ids: Sequence[int], long_lived_types: Sequence[str]
    ) -> dict[int, int | None]:
        if not context_ids:
            return {}
        rows = self._named(
            "taint_long_lived_contexts", ids=list(context_ids),
            long_lived_types=list(long_lived_types),
        )
        return {r["id"]: r["newest"] for r in rows}

    def incident_create(
        self,
        source: NodeRef,
        reason: str,
        barrier_types: Sequence[str],
        now: int,
        long_lived_types: Sequence[str] = (),
    ) -> Incident:
        where = {"kind": source.kind.value, "id": source.id, "barriers": list(barrier_types)}

        def work(w: Any) -> list[dict[str, Any]]:
            # A retry of an open incident is that incident (writers serialise, so two
            # identical calls cannot both create one).
            known = w.run("taint_incident_find_open", **where, reason=reason)
            if known:
                return cast(list[dict[str, Any]], known)
            # What taint reaches and each node's via (the shared rule), then recorded: one
            # transaction, so the incident and what it reached are written together.
            found = decode.reached(w.run("taint_preview", **where))
            ids = sorted({c.id for r in found for c in r.contexts})
            rows = w.run(
                "taint_long_lived_contexts", ids=ids, long_lived_types=list(long_lived_types)
            ) if ids else []
            reached = taint_answer(source, found, {r["id"]: r["newest"] for r in rows})
            return cast(
                list[dict[str, Any]],
                w.run(
                    "taint_mark_bad", **where, reason=reason, now=now,
                    artifacts=_taint_rows(reached, Kind.ARTIFACT),
                    executions=_taint_rows(reached, Kind.EXECUTION),
                    contexts=_taint_rows(reached, Kind.CONTEXT),
                ),
            )

        rows = self.write(work)
        if not rows:
            raise NotFoundError(f"no {source.kind.value} with id {source.id}")
        return decode.incident(rows[0])

    def incident_get(self, incident_id: int, *, with_reached: bool = True) -> Incident:
        rows = self._named("taint_incident_get", id=incident_id, with_reached=with_reached)
        if not rows:
            raise NotFoundError(f"no incident with id {incident_id}")
        reached = None
        if with_reached:
            reached = sorted(
                (
                    TaintedNode(
                        node=decode.node(t), hops=t["hops"],
                        via=NodeRef(kind=Kind(t["via_kind"]), id=t["via"]),
                    )
                    for t in rows[0]["reached"]
                ),
                key=tainted_order,
            )
        return decode.incident(rows[0], reached)

    def incident_list(self, status: str | None = None) -> list[Incident]:
        found = [decode.incident(r) for r in self._named("taint_incident_list", status=status)]
        return sorted(found, key=incident_order, reverse=True)

    def open_incidents(self, refs: Sequence[NodeRef]) -> dict[NodeRef, tuple[int, ...]]:
        if not refs:
            return {}
        ids = {k: sorted({r.id for r in refs if r.kind is k}) for k in Kind}
        rows = self._named(
            "taint_open_incidents_of",
            artifact_ids=ids[Kind.ARTIFACT],
            execution_ids=ids[Kind.EXECUTION],
            context_ids=ids[Kind.CONTEXT],
        )
        return {
            NodeRef(kind=Kind(r["kind"]), id=r["id"]): tuple(sorted(set(r["incidents"])))
            for r in rows
        }

    def incident_resolve(self, incident_id: int, resolution: str, now: int) -> Incident:
        rows = self.write(
            lambda w: w.run(
                "taint_incident_resolve", id=incident_id, resolution=resolution, now=now
            )
        )
        if not rows:
            raise NotFoundError(f"no incident with id {incident_id}")
        return decode.incident(rows[0])
