"""Lineage queries every store answers (walks, paths, snapshots, taint, deployments).

Abstract methods here, one implementation per backend: ``store/neo4j_lineage.py`` (each
method ONE parameterised Cypher statement from ``cypher/queries``) and
``store/memory_lineage.py`` (networkx, the reference semantics). The services in
``lineage_graph.lineage`` and ``lineage_graph.questions`` build on these.

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
  artifacts/executions belong to are reached too (one hop further). ``via`` is the
  predecessor on a shortest path: the lowest-id one (for contexts: lowest hops, then
  artifacts before executions, then lowest id).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ..answers import (
    Deployment,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    LineageEdge,
    LineagePath,
    LineageResult,
    NodeRef,
    TaintedNode,
)
from ..models import Kind


class LineageQueries(ABC):
    """Abstract lineage surface shared by both backends (one round trip per method)."""

    @abstractmethod
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
        """Artifacts and executions reachable from ``starts`` (the starts only if asked).

        Args:
            starts: artifacts and/or executions to start from (contexts are refused).
            direction: ``upstream`` (what produced it) or ``downstream`` (what it fed).
            max_depth: at most this many hops (edges); None is unbounded.
            types: keep only nodes of these type names.
            kinds: keep only these kinds (artifact, execution).
            roots_only: keep only nodes without further predecessors/successors.
            as_of: the graph as it was at this time (ms).
            limit: at most this many nodes; more makes the result ``partial``.
            with_properties: include user properties of each node.
            include_starts: also return the start nodes (hops 0) that pass the filters.
            timeout: seconds; past it the result is ``partial`` (what arrived so far).
        """

    @abstractmethod
    def lineage_edges(self, nodes: Sequence[NodeRef]) -> list[LineageEdge]:
        """Event edges between the given artifacts and executions (both ends in ``nodes``)."""

    @abstractmethod
    def lineage_path(self, source: NodeRef, target: NodeRef) -> LineagePath | None:
        """One shortest path along the data flow from ``source`` to ``target``, or None."""

    @abstractmethod
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

    @abstractmethod
    def failed_upstream(self, start: NodeRef) -> list[FailedStep]:
        """FAILED executions at or upstream of ``start`` (for a context: of its executions),
        each with the last successful execution of the same type before it (``diff`` unset).
        Sorted by failed execution id."""

    @abstractmethod
    def last_deployed(
        self, start: NodeRef, deploy_types: Sequence[str], model_types: Sequence[str]
    ) -> Deployment | None:
        """The latest artifact of ``deploy_types`` downstream of an artifact, or attributed
        to a context or its descendants; with the nearest upstream model and its contexts."""

    @abstractmethod
    def taint_preview(
        self, source: NodeRef, barrier_types: Sequence[str] = ()
    ) -> list[TaintedNode]:
        """What taint from ``source`` would reach (nothing written), sorted by kind, id."""

    @abstractmethod
    def incident_create(
        self, source: NodeRef, reason: str, barrier_types: Sequence[str], now: int
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
    def incident_list(self, status: str | None = None) -> list[Incident]:
        """Incidents (``reached`` unloaded), newest first."""

    @abstractmethod
    def incident_resolve(self, incident_id: int, resolution: str, now: int) -> Incident:
        """Mark an incident RESOLVED (idempotent: a second call keeps the first resolution).

        Raises:
            NotFoundError: no incident with this id.
        """
