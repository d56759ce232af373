"""A layered left-to-right layout (Sugiyama style) for lineage graphs, computed in Python.

Neo4j Browser only has a force-directed layout, which turns 30-40 lineage nodes into a
hairball; data flow reads best as columns. Steps:

1. cycles (never in event lineage, but possible in foreign histories) are broken by dropping
   the edges a depth-first search finds going back;
2. layering by longest path: a node sits one column right of its furthest predecessor, so
   every edge points right;
3. an edge spanning several columns gets one dummy point per column crossed, so the ordering
   step sees it and the drawn edge bends around other nodes instead of crossing them;
4. ordering inside each column by barycentres (mean position of the neighbours in the
   previous column), sweeping right then left a few times, which removes most crossings.

Pure and deterministic: the same graph gives the same picture (ties broken by node key).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

SWEEPS = 4


@dataclass(frozen=True)
class Placement:
    """Where each node sits (``column``, ``row``) and the waypoints of each edge.

    ``routes[(source, target)]`` lists the (column, row) of the dummy points between them,
    left to right (empty for an edge between adjacent columns)."""

    positions: dict[Hashable, tuple[int, float]]
    routes: dict[tuple[Hashable, Hashable], list[tuple[int, float]]] = field(default_factory=dict)
    columns: int = 0


def _acyclic(graph: nx.DiGraph) -> nx.DiGraph:
    dag = graph.copy()
    while True:
        try:
            cycle = nx.find_cycle(dag)
        except nx.NetworkXNoCycle:
            return dag
        u, v = cycle[-1][0], cycle[-1][1]  # drop the edge that closes the cycle
        dag.remove_edge(u, v)


def _layers(dag: nx.DiGraph, key: dict[Hashable, str]) -> dict[Hashable, int]:
    layer: dict[Hashable, int] = {}
    for node in nx.lexicographical_topological_sort(dag, key=lambda n: key[n]):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    return layer


def layered(
    nodes: Sequence[Hashable], edges: Iterable[tuple[Hashable, Hashable]]
) -> Placement:
    """Columns and rows for ``nodes`` so that ``edges`` point left to right.

    Args:
        nodes: the nodes (any hashable; sorted by ``str`` to break ties).
        edges: (source, target) pairs between nodes; others are ignored.
    """
    key = {n: str(n) for n in nodes}
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((u, v) for u, v in edges if u in key and v in key and u != v)
    dag = _acyclic(graph)
    layer = _layers(dag, key)

    # Dummy chains for long edges: ("~", u, v, i) sits in column layer[u] + i.
    flow = nx.DiGraph()
    flow.add_nodes_from(nodes)
    chains: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    for u, v in graph.edges:
        a, b = (u, v) if layer[u] < layer[v] else (v, u)
        chain: list[Hashable] = []
        prev = a
        for i in range(1, layer[b] - layer[a]):
            dummy = ("~", key[u], key[v], i)
            layer[dummy] = layer[a] + i
            key[dummy] = f"~{key[u]}>{key[v]}#{i:04d}"
            chain.append(dummy)
            flow.add_edge(prev, dummy)
            prev = dummy
        flow.add_edge(prev, b)
        chains[(u, v)] = chain

    columns = max(layer.values(), default=-1) + 1
    order: list[list[Hashable]] = [[] for _ in range(columns)]
    for n in sorted(flow.nodes, key=lambda n: key[n]):
        order[layer[n]].append(n)

    def bary(n: Hashable, current: int, pos: dict[Hashable, int], pred: bool) -> float:
        near = flow.predecessors(n) if pred else flow.successors(n)
        seen = [pos[m] for m in near if m in pos]
        # A node with no neighbour there keeps its place.
        return sum(seen) / len(seen) if seen else float(current)

    def sweep(cols: range, pred: bool) -> None:
        for c in cols:
            pos = {n: i for i, n in enumerate(order[c - 1 if pred else c + 1])}
            ranked = sorted(((bary(n, i, pos, pred), key[n]), n) for i, n in enumerate(order[c]))
            order[c] = [n for _, n in ranked]

    for _ in range(SWEEPS):
        sweep(range(1, columns), pred=True)
        sweep(range(columns - 2, -1, -1), pred=False)

    # Centre each column vertically against the tallest one.
    tallest = max((len(col) for col in order), default=0)
    row: dict[Hashable, float] = {}
    for col in order:
        offset = (tallest - len(col)) / 2
        for i, n in enumerate(col):
            row[n] = i + offset
    positions = {n: (layer[n], row[n]) for n in nodes}
    routes = {e: [(layer[d], row[d]) for d in chain] for e, chain in chains.items()}
    # An edge that had to point left (a broken cycle) keeps its waypoints left to right.
    return Placement(positions=positions, routes=routes, columns=columns)
