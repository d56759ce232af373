"""Lineage services: upstream, downstream, subgraph, explaining paths, as-of, run diffs, taint.

Every function takes a ``Store`` (Neo4j or in-memory; same answers) and returns the pydantic
answers of ``lineage_graph.answers``. Each is ONE query on the store (``lineage_subgraph``
with ``direction="both"`` and ``with_edges`` add one per extra part).

Public API::

    ref(kind, id) -> NodeRef                       # also artifact(id), execution(id), context(id)
    upstream(store, start, options=None, *, current=False, types=None, kinds=None,
             max_depth=None, limit=None, roots_only=False, as_of=None, with_edges=False,
             with_properties=False, include_starts=False, timeout=None) -> LineageResult
        # of an artifact: as of its creation unless current=True or as_of is given
    downstream(store, start, ...same, without current...) -> LineageResult
    lineage_subgraph(store, starts, *, direction="both", hops=None, limit=None,
                     timeout=None) -> LineageResult              # nodes + edges, no caps
    explain(store, source, target) -> LineagePath | None         # why target is downstream
    upstream_as_of(store, artifact_id, *, as_of=None, types=None, roots_only=False)
        -> LineageResult            # as it was when the artifact was created (or at as_of)
    pipeline_runs(store, pipeline_id) -> list[Context]           # child contexts, oldest first
    diff_runs(store, run_a, run_b) -> RunDiff                    # per step: inputs/params/code/env
    diff_run_n(store, pipeline_id, n) -> RunDiff                 # run n vs n+1 (1-based)
    diff_executions(before, after) -> StepDiff                   # pure: two ExecutionSnapshots
    taint_preview(store, source, *, barrier_types=()) -> list[TaintedNode]   # nothing written
    mark_bad(store, source, reason, *, barrier_types=()) -> Incident         # record+propagate
    incidents(store, status=None) -> list[Incident]
    incident(store, incident_id) -> Incident                     # with reached + via (paths)
    resolve_incident(store, incident_id, resolution="") -> Incident

``start``/``source``/``target`` are ``NodeRef`` (artifact or execution). Every node in an
answer carries its open incidents (``LineageNode.incidents``): walks get them from the walk
itself (``Store.lineage_walk(marked=True)``), other answers with one more query.
The walk keywords are ``answers.WalkOptions``'s fields; ``options=WalkOptions(...)`` passes
them as one value (keywords given as well replace its fields). Guardrails: ``limit`` and
``timeout`` give ``partial=True`` with a ``reason`` instead of an error; ``max_depth`` bounds
the walk. Deep walks never enumerate paths (a breadth-first pruning expand on Neo4j).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Unpack

from .answers import (
    ROLE_DEPLOYMENT,
    Change,
    Direction,
    ExecutionSnapshot,
    Incident,
    LineagePath,
    LineageResult,
    NodeRef,
    RunDiff,
    StepDiff,
    TaintedNode,
    WalkKeywords,
    WalkOptions,
    node_order,
)
from .errors import InvalidInputError, NotFoundError
from .incident_marks import with_incidents
from .models import Context, Kind
from .store.base import Store

__all__ = [
    "artifact",
    "context",
    "diff_executions",
    "diff_run_n",
    "diff_runs",
    "downstream",
    "execution",
    "explain",
    "incident",
    "incidents",
    "lineage_subgraph",
    "mark_bad",
    "pipeline_runs",
    "ref",
    "resolve_incident",
    "taint_preview",
    "upstream",
    "upstream_as_of",
]


def ref(kind: Kind | str, node_id: int) -> NodeRef:
    """A node reference: ``ref("artifact", 7)``."""
    return NodeRef(kind=Kind(kind), id=node_id)


def artifact(node_id: int) -> NodeRef:
    return NodeRef(kind=Kind.ARTIFACT, id=node_id)


def execution(node_id: int) -> NodeRef:
    return NodeRef(kind=Kind.EXECUTION, id=node_id)


def context(node_id: int) -> NodeRef:
    return NodeRef(kind=Kind.CONTEXT, id=node_id)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _walkable(start: NodeRef, field: str) -> NodeRef:
    if start.kind is Kind.CONTEXT:
        raise InvalidInputError(
            f"{field} must be an artifact or an execution, not a context ({start.id})",
            field=field,
            value=start,
        )
    return start


def upstream(
    store: Store,
    start: NodeRef,
    options: WalkOptions | None = None,
    *,
    current: bool = False,
    **keywords: Unpack[WalkKeywords],
) -> LineageResult:
    """Everything ``start`` was derived from (artifacts and executions, any depth).

    Upstream of an artifact is, by default, as of its creation: the graph as it was when the
    artifact came to be (the later of its ``create_time`` and the event that wrote it;
    ``Store.creation_times``). What was recorded later is left out: an input event added
    after the fact, a later run's producer of the same artifact. ``current=True`` walks
    everything recorded up to now; an explicit ``as_of`` walks at that time. An execution's
    upstream is everything recorded (its inputs may be recorded while it runs).

    Args:
        store: the store.
        start: an artifact or execution.
        options: filters and guardrails as one value; or give ``WalkOptions``'s fields as
            keywords: ``types`` (e.g. ``["Dataset"]``), ``kinds`` (``"artifact"``,
            ``"execution"``), ``max_depth`` (hops), ``limit`` (node cap), ``roots_only``
            (only the origins: nodes nothing produced), ``as_of`` (ms since epoch),
            ``with_edges`` (one more query), ``with_properties``, ``include_starts``,
            ``timeout`` (seconds).
        current: walk the graph as it is now, not as of the artifact's creation.

    Returns:
        A ``LineageResult``; ``partial``/``reason`` say whether a guardrail cut it. Every
        node carries its open incidents.

    Raises:
        InvalidInputError: a bad argument (negative depth, context start, bad type name).

    Example::

        upstream(store, artifact(42), types=["Dataset"], roots_only=True)
        upstream(store, artifact(42), current=True)     # including what came later
    """
    # One store call: on Neo4j the creation time and the incidents come with the walk.
    return store.lineage_walk(
        [_walkable(start, "start")], "upstream", options, as_of_creation=not current,
        marked=True, **keywords,
    )


def downstream(
    store: Store,
    start: NodeRef,
    options: WalkOptions | None = None,
    **keywords: Unpack[WalkKeywords],
) -> LineageResult:
    """Everything derived from ``start``; arguments as for ``upstream`` (``roots_only`` keeps
    the leaves: nodes nothing consumed)."""
    return store.lineage_walk(
        [_walkable(start, "start")], "downstream", options, marked=True, **keywords
    )


def lineage_subgraph(
    store: Store,
    starts: Sequence[NodeRef],
    *,
    direction: Literal["upstream", "downstream", "both"] = "both",
    hops: int | None = None,
    limit: int | None = None,
    timeout: float | None = None,
) -> LineageResult:
    """MLMD's ``get_lineage_subgraph`` without its caps: nodes within ``hops`` of ``starts``
    (the starts included) and the event edges among them.

    Returns:
        A ``LineageResult`` with ``edges`` set; ``partial`` if ``limit``/``timeout`` cut it.
    """
    if not starts:
        raise InvalidInputError("starts must name at least one node", field="starts", value=[])
    directions: list[Direction] = (
        ["upstream", "downstream"] if direction == "both" else [direction]
    )
    options = WalkOptions(max_depth=hops, limit=limit, include_starts=True, timeout=timeout)
    walkable = [_walkable(s, "starts") for s in starts]
    parts = [store.lineage_walk(walkable, d, options) for d in directions]
    merged: dict[NodeRef, Any] = {}
    for part in parts:
        for n in part.nodes:
            merged.setdefault(n.ref, n.model_copy(update={"hops": None}))
    nodes = sorted(merged.values(), key=node_order)
    edges = store.lineage_edges([n.ref for n in nodes])
    reasons = [p.reason for p in parts if p.partial and p.reason]
    return with_incidents(store, LineageResult(
        artifacts=[n for n in nodes if n.kind is Kind.ARTIFACT],
        executions=[n for n in nodes if n.kind is Kind.EXECUTION],
        edges=edges,
        partial=any(p.partial for p in parts),
        reason="; ".join(reasons) or None,
    ))


def explain(store: Store, source: NodeRef, target: NodeRef) -> LineagePath | None:
    """Why ``target`` is downstream of ``source``: one shortest path along the data flow.

    Returns:
        The path (source first), or None when ``target`` is not downstream of ``source``.
    """
    return with_incidents(
        store, store.lineage_path(_walkable(source, "source"), _walkable(target, "target"))
    )


def upstream_as_of(
    store: Store,
    artifact_id: int,
    *,
    as_of: int | None = None,
    types: Sequence[str] | None = None,
    roots_only: bool = False,
) -> LineageResult:
    """The upstream of an artifact as it was when that artifact came to be (or at ``as_of``):
    events and nodes recorded later are left out. ``upstream`` does the same by default.

    Raises:
        NotFoundError: no artifact with this id.
    """
    created = store.creation_times([artifact_id])
    if artifact_id not in created:
        raise NotFoundError(f"no artifact with id {artifact_id}")
    when = as_of if as_of is not None else (created[artifact_id] or 0)
    options = WalkOptions(as_of=when, types=types, roots_only=roots_only)
    return store.lineage_walk([artifact(artifact_id)], "upstream", options, marked=True)


def pipeline_runs(store: Store, pipeline_id: int) -> list[Context]:
    """The runs of a pipeline: its child contexts, oldest first (create_time, then id)."""
    children = store.get_child_contexts(pipeline_id)
    return sorted(children, key=lambda c: (c.create_time or 0, c.id or 0))


def _input_key(i: Any) -> str:
    return f"{i.event} {list(i.path)}"


def _dict_changes(
    section: Literal["parameters", "code", "environment"],
    before: dict[str, Any],
    after: dict[str, Any],
) -> list[Change]:
    return [
        Change(section=section, field=k, before=before.get(k), after=after.get(k))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k) or (k in before) != (k in after)
    ]


def diff_executions(before: ExecutionSnapshot | None, after: ExecutionSnapshot | None) -> StepDiff:
    """What differs between two executions of one step: inputs (by event slot; an input is
    compared by type, name and uri, so a new version of a dataset shows), parameters, code,
    environment and state. Pure: no store access."""
    step = (after or before).execution.type if (after or before) else ""  # type: ignore[union-attr]
    changes: list[Change] = []
    if before is not None and after is not None:
        bi: dict[str, list[str]] = {}
        for i in before.inputs:
            bi.setdefault(_input_key(i), []).append(f"{i.type}:{i.name}:{i.uri}")
        ai: dict[str, list[str]] = {}
        for i in after.inputs:
            ai.setdefault(_input_key(i), []).append(f"{i.type}:{i.name}:{i.uri}")
        for k in sorted(set(bi) | set(ai)):
            b, a = sorted(bi.get(k, [])), sorted(ai.get(k, []))
            if b != a:
                changes.append(Change(section="inputs", field=k, before=b or None, after=a or None))
        changes += _dict_changes("parameters", before.parameters, after.parameters)
        changes += _dict_changes("code", before.code, after.code)
        changes += _dict_changes("environment", before.environment, after.environment)
        if before.execution.state != after.execution.state:
            changes.append(
                Change(
                    section="state", field="last_known_state",
                    before=before.execution.state, after=after.execution.state,
                )
            )
    return StepDiff(
        step=step,
        before=before.execution if before else None,
        after=after.execution if after else None,
        changes=changes,
    )


def _by_step(snaps: Iterable[ExecutionSnapshot]) -> dict[str, ExecutionSnapshot]:
    # The latest execution of each type stands for that step in the run.
    out: dict[str, ExecutionSnapshot] = {}
    for s in sorted(snaps, key=lambda s: (s.execution.create_time or 0, s.execution.id)):
        out[s.execution.type] = s
    return out


def diff_runs(store: Store, run_a: int, run_b: int) -> RunDiff:
    """What changed from run ``run_a`` to run ``run_b`` (context ids), step by step.

    Steps are execution types; a step only in one run appears with the other side None.
    One query fetches both runs.
    """
    snaps = store.execution_snapshots(context_ids=[run_a, run_b])
    a = _by_step(s for s in snaps if any(c.id == run_a for c in s.contexts))
    b = _by_step(s for s in snaps if any(c.id == run_b for c in s.contexts))
    steps = [diff_executions(a.get(t), b.get(t)) for t in sorted(set(a) | set(b))]
    return with_incidents(store, RunDiff(run_a=run_a, run_b=run_b, steps=steps))


def diff_run_n(store: Store, pipeline_id: int, n: int) -> RunDiff:
    """Run ``n`` versus run ``n + 1`` of a pipeline (1-based, oldest first).

    Raises:
        InvalidInputError: the pipeline has fewer than ``n + 1`` runs.
    """
    runs = pipeline_runs(store, pipeline_id)
    if n < 1 or n + 1 > len(runs):
        raise InvalidInputError(
            f"pipeline {pipeline_id} has {len(runs)} runs; run {n} and {n + 1} do not both exist",
            field="n",
            value=n,
        )
    return diff_runs(store, runs[n - 1].id or 0, runs[n].id or 0)


def _barriers(barrier_types: Sequence[str]) -> list[str]:
    return sorted(set(barrier_types))


def taint_preview(
    store: Store, source: NodeRef, *, barrier_types: Sequence[str] = ()
) -> list[TaintedNode]:
    """What marking ``source`` bad would reach, nothing written (sorted by kind, id)."""
    return with_incidents(store, store.taint_preview(
        _walkable(source, "source"), _barriers(barrier_types), _long_lived_types(store)
    ))


def _long_lived_types(store: Store) -> list[str]:
    """Deployment-role types: such a context (a deployment target), like one with child
    contexts (a pipeline), is tainted only when what it holds now is."""
    from . import roles

    return sorted(roles.types_for(store, ROLE_DEPLOYMENT))


def mark_bad(
    store: Store, source: NodeRef, reason: str, *, barrier_types: Sequence[str] = ()
) -> Incident:
    """Record an Incident on a bad artifact (or execution) and propagate it downstream.

    Args:
        source: the bad node.
        reason: why it is bad (shown in incident lists).
        barrier_types: execution types that stop the taint (e.g. a validator that drops
            bad rows): they and what lies only behind them are not reached.

    Returns:
        The incident with ``reached_count``; ``incident(store, id)`` gives the details.

    Raises:
        NotFoundError: ``source`` does not exist.
        InvalidInputError: empty reason or a context source.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError("reason must be a non-empty string", field="reason", value=reason)
    return store.incident_create(
        _walkable(source, "source"),
        reason,
        _barriers(barrier_types),
        _now_ms(),
        _long_lived_types(store),
    )


def incidents(store: Store, status: str | None = None) -> list[Incident]:
    """Incidents, newest first; ``status`` is ``OPEN`` or ``RESOLVED`` to filter."""
    if status is not None and status not in ("OPEN", "RESOLVED"):
        raise InvalidInputError(
            f"status must be OPEN or RESOLVED, not {status!r}", field="status", value=status
        )
    return store.incident_list(status)


def incident(store: Store, incident_id: int) -> Incident:
    """One incident with everything it reached; ``Incident.path_to(ref)`` explains each."""
    return with_incidents(store, store.incident_get(incident_id, with_reached=True))


def resolve_incident(store: Store, incident_id: int, resolution: str = "") -> Incident:
    """Close an incident (idempotent)."""
    return store.incident_resolve(incident_id, resolution, _now_ms())
