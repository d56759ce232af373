"""Lineage answer rules, once, for both backends: a walk's answer and what taint reached.

The backends only traverse (Cypher on Neo4j, breadth-first search on networkx: two
independent implementations the property tests compare); what they found becomes an answer
here:

* ``walk_result``: a walk's nodes in answer order (``answers.node_order``), cut at
  ``limit`` (then ``partial``, with the reason), or ``partial`` when the time budget ran out.
* ``taint_answer``: for every node taint reached, ``via`` is its lowest-id predecessor one
  hop closer to the source (so following ``via`` back is a shortest explaining path); a
  context is reached one hop after its first member: fewest hops, then artifacts before
  executions, then lowest id, and that member is its ``via``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from ..answers import (
    LineageNode,
    LineageResult,
    NodeRef,
    TaintedNode,
    WalkOptions,
    node_order,
    tainted_order,
)
from ..models import Kind


class Reached(NamedTuple):
    """An artifact or execution taint reached, as a backend's traversal found it."""

    node: LineageNode
    hops: int
    # Its event predecessors, whatever their distance (the rule picks one hop closer).
    preds: Sequence[NodeRef]
    # The contexts it is attributed (artifact) or associated (execution) to.
    contexts: Sequence[LineageNode]


def walk_result(
    nodes: Iterable[LineageNode], options: WalkOptions, timed_out: bool
) -> LineageResult:
    """The answer of a walk from the nodes it found (any order; past ``limit`` is fine).

    Built with ``model_construct``: the nodes are answer models already.
    """
    found = sorted(nodes, key=node_order)
    partial, reason = False, None
    limit = options.limit
    if limit is not None and len(found) > limit:
        found, partial, reason = found[:limit], True, f"node limit {limit} reached"
    if timed_out:
        partial, reason = True, f"time budget of {options.timeout} s ran out"
    return LineageResult.model_construct(
        artifacts=[n for n in found if n.kind is Kind.ARTIFACT],
        executions=[n for n in found if n.kind is Kind.EXECUTION],
        partial=partial,
        reason=reason,
    )


def _via(r: Reached, hops: Mapping[tuple[Kind, int], int]) -> NodeRef:
    closer = [p for p in r.preds if hops.get((p.kind, p.id)) == r.hops - 1]
    return min(closer, key=node_order)


def taint_answer(
    source: NodeRef,
    reached: Iterable[Reached],
    long_lived: Mapping[int, int | None] | None = None,
) -> list[TaintedNode]:
    """Every node taint from ``source`` reached, with ``hops`` and ``via``, in node order.

    Taint stops at runs: the contexts of reached nodes are flagged, except a long-lived one
    (``long_lived``: context id -> the artifact it holds now, its newest), which is flagged
    only when what it holds now is tainted -- a pipeline whose latest run is clean, or a
    deployment whose current model is clean, is not.
    """
    found = list(reached)
    long_lived = long_lived or {}
    tainted_artifacts = {r.node.id for r in found if r.node.kind is Kind.ARTIFACT}
    if source.kind is Kind.ARTIFACT:
        tainted_artifacts.add(source.id)
    hops = {(r.node.kind, r.node.id): r.hops for r in found}
    hops[(source.kind, source.id)] = 0
    out: list[TaintedNode] = []
    # context id -> (rank of its first member, the context, that member)
    first: dict[int, tuple[tuple[int, int, int], LineageNode, NodeRef]] = {}
    for r in found:
        ref = NodeRef(kind=r.node.kind, id=r.node.id)
        out.append(TaintedNode(node=r.node, hops=r.hops, via=_via(r, hops)))
        rank = (r.hops, *node_order(r.node))
        for c in r.contexts:
            if c.id not in first or rank < first[c.id][0]:
                first[c.id] = (rank, c, ref)
    for (member_hops, _, _), context, member in first.values():
        if context.id in long_lived and long_lived[context.id] not in tainted_artifacts:
            continue
        out.append(TaintedNode(node=context, hops=member_hops + 1, via=member))
    return sorted(out, key=tainted_order)
