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
    Deployment,
    Direction,
    ExecutionSnapshot,
    FailedStep,
    Incident,
    LineageEdge,
    LineageNode,
    LineagePath,
    LineageResult,
    NodeRef,
    TaintedNode,
    WalkKeywords,
    WalkOptions,
)
from .lineage_checks import check_walk
from .lineage_rules import Reached, taint_answer, walk_result


class LineageQueries(ABC):
    """Abstract lineage surface shared by both backends (one round trip per method)."""

    def lineage_walk(
        self,
        starts: Sequence[NodeRef],
        direction: Direction,
        options: WalkOptions | None = None,
        **keywords: Unpack[WalkKeywords],
    ) -> LineageResult:
        """Artifacts and executions reachable from ``starts`` (the starts only if asked).

        Args:
            starts: artifacts and/or executions to start from (contexts are refused).
            direction: ``upstream`` (what produced it) or ``downstream`` (what it fed).
            options: filters and guardrails (``answers.WalkOptions``); keywords given as
                well replace its fields (``lineage_walk(starts, "upstream", max_depth=2)``).

        Returns:
            Nodes in answer order; ``edges`` only with ``with_edges``; ``partial`` with a
            ``reason`` when ``limit`` or ``timeout`` cut the walk short.

        Raises:
            InvalidInputError: a bad argument, named in ``field``.
        """
        given = options if options is not None else WalkOptions()
        checked = check_walk(starts, direction, replace(given, **keywords) if keywords else given)
        nodes, timed_out = self._walk_nodes(starts, direction, checked)
        result = walk_result(nodes, checked, timed_out)
        if checked.with_edges:
            edges = self.lineage_edges([*starts, *(n.ref for n in result.nodes)])
            result = result.model_copy(update={"edges": edges})
        return result

    @abstractmethod
    def _walk_nodes(
        self, starts: Sequence[NodeRef], direction: Direction, options: WalkOptions
    ) -> tuple[list[LineageNode], bool]:
        """The nodes a walk finds, in any order, and whether its time budget ran out.

        ``options`` is checked (``types``/``kinds`` tuples, kinds as ``Kind``). With a
        ``limit``, returning ``limit + 1`` nodes is enough to tell that there are more.
        """

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

    @abstractmethod
    def last_deployed(
        self, start: NodeRef, deploy_types: Sequence[str], model_types: Sequence[str]
    ) -> Deployment | None:
        """The latest artifact of ``deploy_types`` downstream of an artifact, or attributed
        to a context or its descendants; with the nearest upstream model and its contexts."""

    def taint_preview(
        self, source: NodeRef, barrier_types: Sequence[str] = ()
    ) -> list[TaintedNode]:
        """What taint from ``source`` would reach (nothing written), sorted by kind, id.

        Raises:
            NotFoundError: ``source`` does not exist.
        """
        return taint_answer(source, self._taint_reach(source, barrier_types))

    @abstractmethod
    def _taint_reach(self, source: NodeRef, barrier_types: Sequence[str]) -> list[Reached]:
        """Every artifact and execution downstream of ``source`` (not itself), with hops,
        predecessors and contexts; barrier executions are neither reached nor passed.

        Raises:
            NotFoundError: ``source`` does not exist.
        """

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
