"""Lineage queries every store answers (walks, paths, snapshots, taint, deployments).

Abstract methods here, one implementation per backend: ``store/neo4j_lineage.py`` (each
question ONE parameterised Cypher statement from ``cypher/queries``; ``incident_create``
records what the ``taint_preview`` statement found, in the same transaction) and
``store/memory_lineage.py`` (networkx, the reference semantics). The services in
``lineage_graph.lineage`` and ``lineage_graph.questions`` build on these. Walks, snapshots,
failed steps and taint previews are template methods: the checks (``store/lineage_checks.py``),
the answer order (``answers``) and the answer rules (``store/lineage_rules.py``) are applied
here, once; a backend supplies only what its traversal found (``_walk_nodes``, ``_snapshots``,
``_failed_steps``, ``_taint_reach``).

Shared semantics (the property tests compare both backends on them):

* Lineage edges are events, followed the way data flows: upstream walks against the arrows,
  downstream with them. All seven event types count. Contexts are never walked through.
* ``hops`` counts edges (artifact -> execution -> artifact is 2).
* ``as_of`` (ms): only events with ``timestamp <= as_of`` and nodes with
  ``create_time <= as_of`` exist (missing times count as 0).
* ``roots_only``: keep nodes with no further predecessor (upstream) / successor (downstream)
  in that same as-of graph, whatever ``max_depth`` says.
* Taint from a source reaches every node downstream of it, except through executions whose
  type is a barrier (they are neither reached nor passed through); contexts that reached
  artifacts/executions belong to are reached too (one hop further). ``via`` is chosen by
  ``lineage_rules.taint_answer`` for both backends.
* Answers are in the order ``answers.node_order`` / ``edge_order`` / ``input_order`` define.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from typing import Unpack

from ..answers import (
    ALIAS_CONTEXT_TYPE,
    DEPLOYMENT_CONTEXT_TYPE,
    ROLE_DEPLOYMENT,
    ROLE_MODEL,
    ContextNode,
    Deployment,
    DeploymentEvent,
    DeploymentRow,
    Deployments,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    LineageEdge,
    LineageNode,
    LineagePath,
    LineageResult,
    ModelCandidates,
    NodeRef,
    RoleQuery,
    TaintedNode,
    TargetState,
    WalkKeywords,
    WalkOptions,
    node_order,
)
from ..models import Kind
from .lineage_checks import check_walk
from .lineage_rules import Reached, taint_answer, walk_result


class LineageQueries(ABC):
    """Abstract lineage surface shared by both backends (one round trip per method)."""

    def lineage_walk(
        self,
        starts: Sequence[NodeRef],
        direction: Direction,
        options: WalkOptions | None = None,
        *,
        as_of_creation: bool = False,
        marked: bool = False,
        **keywords: Unpack[WalkKeywords],
    ) -> LineageResult:
        """Artifacts and executions reachable from ``starts`` (the starts only if asked).

        Args:
            starts: artifacts and/or executions to start from (contexts are refused).
            direction: ``upstream`` (what produced it) or ``downstream`` (what it fed).
            options: filters and guardrails (``answers.WalkOptions``); keywords given as
                well replace its fields (``lineage_walk(starts, "upstream", max_depth=2)``).
            as_of_creation: upstream of one artifact start without ``as_of``, walk the graph
                as of that artifact's creation (``creation_times``; the current graph if it
                has no time), what ``lineage.upstream`` asks by default.
            marked: every node carries its open incidents (``open_incidents``), what every
                service answer shows.

        Returns:
            Nodes in answer order; ``edges`` only with ``with_edges``; ``partial`` with a
            ``reason`` when ``limit`` or ``timeout`` cut the walk short.

        Raises:
            InvalidInputError: a bad argument, named in ``field``.
        """
        given = options if options is not None else WalkOptions()
        checked = check_walk(starts, direction, replace(given, **keywords) if keywords else given)
        created = (
            as_of_creation and direction == "upstream" and checked.as_of is None
            and len(starts) == 1 and starts[0].kind is Kind.ARTIFACT
        )
        nodes, timed_out = self._walk(starts, direction, checked, created=created, marked=marked)
        result = walk_result(nodes, checked, timed_out)
        if checked.with_edges:
            edges = self.lineage_edges([*starts, *(n.ref for n in result.nodes)])
            result = result.model_copy(update={"edges": edges})
        return result

    def _walk(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions, *,
        created: bool, marked: bool,
    ) -> tuple[list[LineageNode], bool]:
        """``_walk_nodes``, as of the one artifact start's creation when ``created``, with
        each node's open incidents when ``marked``. Here as separate store calls (free in
        memory); Neo4j folds them into the walk statement (one round trip)."""
        if created:
            when = self.creation_times([starts[0].id]).get(starts[0].id)
            if when is not None:
                options = replace(options, as_of=when)
        nodes, timed_out = self._walk_nodes(starts, direction, options)
        if marked and nodes:
            found = self.open_incidents(sorted({n.ref for n in nodes}, key=node_order))
            if found:
                nodes = [
                    n.model_copy(update={"incidents": found[n.ref]}) if n.ref in found else n
                    for n in nodes
                ]
        return nodes, timed_out

    @abstractmethod
    def _walk_nodes(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions
    ) -> tuple[list[LineageNode], bool]:
        """The nodes a walk finds, in any order, and whether its time budget ran out.

        ``options`` is checked (``types``/``kinds`` tuples, kinds as ``Kind``). With a
        ``limit``, returning ``limit + 1`` nodes is enough to tell that there are more.
        """

    def creation_times(self, artifact_ids: Sequence[int]) -> dict[int, int | None]:
        """When each artifact came to be (``creation_time``); unknown ids are left out."""
        return {
            i: creation_time(created, stamps)
            for i, created, stamps in self._creation_rows(sorted(set(artifact_ids)))
        }

    @abstractmethod
    def _creation_rows(self, artifact_ids: list[int]) -> list[tuple[int, int | None, list[int]]]:
        """Per existing artifact: its id, ``create_time`` and, per output event (OUTPUT,
        DECLARED_OUTPUT, INTERNAL_OUTPUT, PENDING_OUTPUT) that wrote it, the later of the
        event's timestamp and its execution's ``create_time`` (None-less)."""

    @abstractmethod
    def lineage_edges(self, nodes: Sequence[NodeRef]) -> list[LineageEdge]:
        """Event edges between the given artifacts and executions (both ends in ``nodes``)."""

    @abstractmethod
    def lineage_path(self, source: NodeRef, target: NodeRef) -> LineagePath | None:
        """One shortest path along the data flow from ``source`` to ``target``, or None."""

    def execution_snapshots(
        self,
        *,
        execution_ids: Sequence[int] = (),
        context_ids: Sequence[int] = (),
        produced_ids: Sequence[int] = (),
    ) -> list[ExecutionSnapshot]:
        """Snapshots (properties, inputs, contexts with ancestors) of executions: the given
        ones, those associated with the given contexts, and the producers of the given
        artifacts. Sorted by execution id, each once."""
        found = self._snapshots(list(execution_ids), list(context_ids), list(produced_ids))
        return sorted(found, key=lambda s: s.execution.id)

    @abstractmethod
    def _snapshots(
        self, execution_ids: list[int], context_ids: list[int], produced_ids: list[int]
    ) -> list[ExecutionSnapshot]:
        """``execution_snapshots``'s executions, each once, in any order."""

    def failed_upstream(self, start: NodeRef) -> list[FailedStep]:
        """FAILED executions at or upstream of ``start`` (for a context: of its executions),
        each with the last successful execution of the same type before it (``diff`` unset).
        Sorted by failed execution id."""
        return sorted(self._failed_steps(start), key=lambda f: f.failed.execution.id)

    @abstractmethod
    def _failed_steps(self, start: NodeRef) -> list[FailedStep]:
        """``failed_upstream``'s steps, each failed execution once, in any order."""

    def training_datasets(
        self, model_id: int, roles: RoleQuery, *, all_types: bool = False,
        roots_only: bool = False,
    ) -> list[LineageNode]:
        """Question 1: artifacts upstream of a model, at any depth, of a dataset-role type
        (any type with ``all_types``), only the origins with ``roots_only``; with ``hops``,
        sorted by id. An unknown model has none."""
        found = self._training_datasets(model_id, roles, all_types, roots_only)
        return sorted(found, key=lambda n: n.id)

    @abstractmethod
    def _training_datasets(
        self, model_id: int, roles: RoleQuery, all_types: bool, roots_only: bool
    ) -> list[LineageNode]:
        """``training_datasets``' nodes in any order."""

    def deployment_rows(self, start: NodeRef, roles: RoleQuery) -> list[DeploymentRow]:
        """Deployment events the start reaches (``own``) and those of every target they
        may have gone to, each once with all its targets; in ``deployment_row_order``.

        A push is an execution that wrote an artifact of a deployment-role type (or a CACHED
        one REUSED-linked to such an execution), at its OUTPUT event's time (a cached one:
        its own creation time); it goes to the deployment-role contexts of the artifact or
        the execution, else to the root contexts of the execution (the pipeline-role ones
        among them, if any). Its model is the nearest model upstream of the pushed artifact
        (``answers.PUSHED_MODEL_HOPS`` at most). A
        recorded event (``answers.EVENT_EXECUTION_TYPES``) has ``action``/``at`` custom
        properties, its INPUT as model, its associated contexts as targets. The start's own
        executions: for an artifact or execution, everything downstream of it (itself
        included) and the producers of deployment artifacts among that; for a context, the
        executions of it and its descendants, the producers of deployment artifacts
        attributed to it, the recorded events of artifacts attributed to it; plus the
        executions REUSED-linked to any of those.
        """
        return sorted(self._deployment_rows(start, roles), key=deployment_row_order)

    @abstractmethod
    def _deployment_rows(self, start: NodeRef, roles: RoleQuery) -> list[DeploymentRow]:
        """``deployment_rows``'s rows, each (execution, pushed artifact) once, in any order;
        targets may be a superset of the own events' targets (``deployments`` keeps theirs),
        in any order."""

    def deployments(self, start: NodeRef, roles: RoleQuery) -> Deployments:
        """Question 6 in full: the start's own events, and every target and alias they went
        to with what is live there now and its history (``deployments_answer``)."""
        return deployments_answer(start, self.deployment_rows(start, roles))

    def last_deployed(
        self, start: NodeRef, deploy_types: Sequence[str], model_types: Sequence[str]
    ) -> Deployment | None:
        """The start's newest deployment (``last_deployment``) with these type lists only
        (deployment-role types plus the ``Deployment`` context type; model types)."""
        roles = RoleQuery(explicit={
            ROLE_DEPLOYMENT: (*deploy_types, DEPLOYMENT_CONTEXT_TYPE),
            ROLE_MODEL: tuple(model_types),
        })
        return self.last_deployment(start, roles)

    def last_deployment(self, start: NodeRef, roles: RoleQuery) -> Deployment | None:
        """The start's newest own push, deploy or rollback and whether its target still
        holds it: exactly ``latest_deployment(self.deployments(start, roles))``. A backend
        may answer it without building the whole ``deployments`` answer (Neo4j does)."""
        return latest_deployment(self.deployments(start, roles))

    def model_candidates(self, dataset_id: int, roles: RoleQuery) -> ModelCandidates:
        """Question 7's raw material (``answers.ModelCandidate``).

        Models are the artifacts of a model-role type, or outputs of a training-role step
        that wrote no model-typed artifact (and are not evaluation, statistics or deployment
        artifacts). Candidates: the models downstream of the artifact (``trained_on``), and
        the models attributed to their pipelines (or those pipelines' descendants) that were
        deployed (``trained_on`` False). A model's pipeline: among the root contexts (no
        parent) above the contexts it is attributed to and its producers are associated
        with, leaving deployment-role contexts out, a pipeline-role one first, then the
        lowest id. Deployed: a push (an execution reading the model and writing a
        deployment-role artifact, at that OUTPUT event's time; an execution REUSED-linked to
        it without such output, at its creation) or a recorded ``Deploy`` (deploy or
        rollback, at its ``at``). Metric sources: the model; executions reading it that are
        of an evaluation-role type or write an evaluation-role artifact (hops 1); what they
        write (evaluation-role artifacts, or anything an evaluation-role step writes; hops
        2); evaluation-role artifacts written beside the model by its producers (hops 2).
        Candidates sorted by model id, sources by relation (model, evaluator, evaluation,
        producer), hops, node id."""
        raw = self._model_candidates(dataset_id, roles)
        relation = {"model": 0, "evaluator": 1, "evaluation": 2, "producer": 3}
        return ModelCandidates(candidates=[
            c.model_copy(update={
                "sources": sorted(c.sources,
                                  key=lambda s: (relation[s.relation], s.hops, s.node.id)),
                "deployed_at": sorted(set(c.deployed_at)),
            })
            for c in sorted(raw.candidates, key=lambda c: c.model.id)
        ])

    @abstractmethod
    def _model_candidates(self, dataset_id: int, roles: RoleQuery) -> ModelCandidates:
        """``model_candidates``' content in any order (each model once)."""

    def taint_preview(
        self,
        source: NodeRef,
        barrier_types: Sequence[str] = (),
        long_lived_types: Sequence[str] = (),
    ) -> list[TaintedNode]:
        """What taint from ``source`` would reach (nothing written), sorted by kind, id.

        ``long_lived_types``: context types (deployment targets) that, like contexts with
        child contexts, are flagged only when what they hold now is tainted.

        Raises:
            NotFoundError: ``source`` does not exist.
        """
        reached = self._taint_reach(source, barrier_types)
        contexts = sorted({c.id for r in reached for c in r.contexts})
        return taint_answer(source, reached, self._long_lived(contexts, long_lived_types))

    @abstractmethod
    def _long_lived(
        self, context_ids: Sequence[int], long_lived_types: Sequence[str]
    ) -> dict[int, int | None]:
        """Of these contexts, the long-lived ones (with child contexts, or of these types),
        each with the artifact it holds now (newest by create_time, then id; None if none)."""

    @abstractmethod
    def _taint_reach(self, source: NodeRef, barrier_types: Sequence[str]) -> list[Reached]:
        """Every artifact and execution downstream of ``source`` (not itself), with hops,
        predecessors and contexts; barrier executions are neither reached nor passed.

        Raises:
            NotFoundError: ``source`` does not exist.
        """

    @abstractmethod
    def incident_create(
        self,
        source: NodeRef,
        reason: str,
        barrier_types: Sequence[str],
        now: int,
        long_lived_types: Sequence[str] = (),
    ) -> Incident:
        """Record an Incident on ``source`` and propagate it, atomically; returns it with
        ``reached_count`` (``reached`` unloaded).

        Raises:
            NotFoundError: ``source`` does not exist.
        """

    @abstractmethod
    def incident_get(self, incident_id: int, *, with_reached: bool = True) -> Incident:
        """One incident, with what it reached when asked.

        Raises:
            NotFoundError: no incident with this id.
        """

    @abstractmethod
    def open_incidents(self, refs: Sequence[NodeRef]) -> dict[NodeRef, tuple[int, ...]]:
        """The open incidents found in or reaching each of these nodes (only nodes that have
        some), incident ids ascending: what every answer that shows a node carries."""

    @abstractmethod
    def incident_list(self, status: str | None = None) -> list[Incident]:
        """Incidents (``reached`` unloaded), newest first."""

    @abstractmethod
    def incident_resolve(self, incident_id: int, resolution: str, now: int) -> Incident:
        """Mark an incident RESOLVED (idempotent: a second call keeps the first resolution).

        Raises:
            NotFoundError: no incident with this id.
        """


def creation_time(create_time: int | None, output_ts: Sequence[int | None]) -> int | None:
    """The time an artifact came to be, what "upstream as of its creation" walks at: the
    later of its ``create_time`` and its earliest production (an output event, at the later of
    its timestamp and its execution's creation). A store may stamp the event or the execution a
    moment after the node (MLMD writes the artifact, then its events; a batch client writes
    artifacts, then executions, then events): taking the later one keeps what made the
    artifact in its own as-of graph. None without either."""
    stamps = [t for t in output_ts if t is not None]
    times = [t for t in (create_time, min(stamps) if stamps else None) if t is not None]
    return max(times) if times else None


# ---- question 6: the answer from the rows (both backends) ---------------------------------


def deployment_row_order(r: DeploymentRow) -> tuple[int, int, int, str]:
    """Deployment events in time: ``at``, then execution id, pushed artifact id, action."""
    return (r.at, r.execution.id, r.pushed.id if r.pushed else -1, r.action)


def _target_key(t: ContextNode | None) -> int:
    return -1 if t is None else t.id


def _state(target: ContextNode | None, history: list[DeploymentEvent]) -> TargetState:
    last = history[-1] if history else None
    return TargetState(
        target=target, live=None if last is None or last.clears else last, history=history
    )


def deployments_answer(start: NodeRef, rows: Sequence[DeploymentRow]) -> Deployments:
    """``Deployments`` from ``deployment_rows``: the own rows' events (one per target; none
    at all: target None), and for each target they went to its whole history and what is
    live there (its latest event unless that cleared it). Alias targets (``ModelAlias``
    contexts) are listed apart."""
    own_targets: dict[int, ContextNode | None] = {}
    nowhere: list[ContextNode | None] = [None]
    for r in rows:
        if r.own:
            for t in r.targets or nowhere:
                own_targets[_target_key(t)] = t
    events: list[DeploymentEvent] = []
    histories: dict[int, list[DeploymentEvent]] = {k: [] for k in own_targets}
    for r in rows:
        targets: list[ContextNode | None] = [*sorted(r.targets, key=_target_key)] or nowhere
        for t in targets:
            key = _target_key(t)
            if key not in own_targets:
                continue
            event = DeploymentEvent(
                action=r.action, at=r.at, target=t, model=r.model, pushed=r.pushed,
                execution=r.execution,
            )
            histories[key].append(event)
            if r.own:
                events.append(event)
    states = [_state(own_targets[k], histories[k]) for k in sorted(own_targets)]
    return Deployments(
        start=start,
        events=events,
        targets=[s for s in states if s.target is None or s.target.type != ALIAS_CONTEXT_TYPE],
        aliases=[s for s in states if s.target is not None and s.target.type == ALIAS_CONTEXT_TYPE],
    )


def latest_deployment(answer: Deployments) -> Deployment | None:
    """The start's newest own deployment (a push, deploy or rollback; not an alias move),
    and whether it is still what its target holds."""
    chosen = [e for e in answer.events if e.action in ("push", "deploy", "rollback")]
    if not chosen:
        return None
    last = chosen[-1]
    live = {
        (_target_key(s.target), s.live.execution.id, s.live.pushed.id if s.live.pushed else -1)
        for s in answer.targets
        if s.live is not None
    }
    deployed = last.pushed if last.pushed is not None else last.model
    if deployed is None:  # a recorded deploy whose model was deleted since
        return None
    return Deployment(
        deployed=deployed,
        model=last.model,
        contexts=[last.target] if last.target is not None else [],
        action=last.action,
        at=last.at,
        live=(_target_key(last.target), last.execution.id,
              last.pushed.id if last.pushed else -1) in live,
    )
