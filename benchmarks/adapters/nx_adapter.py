"""networkx in memory: the floor for one process (plain BFS over a DiGraph, dict indexes)."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import networkx as nx

from ..workloads import ArtifactRec, ContextRec, ExecRec, Workload, count_elements
from .base import IngestStats, Method, System, peak_rss_mb


class NetworkxSystem(System):
    """Nodes ``("a", name)`` / ``("e", name)``; edges follow the data (a -> e -> a)."""

    name = "networkx"

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.g: nx.DiGraph = nx.DiGraph()
        self.members: dict[str, list[tuple[str, str]]] = {}  # context name -> nodes in it
        self.parent: dict[str, str] = {}

    def ingest(self, wl: Workload) -> IngestStats:
        g, members = self.g, self.members
        base = peak_rss_mb()
        n = 0
        t0 = time.perf_counter()
        for rec in wl.records():
            n += count_elements(rec)
            if isinstance(rec, ContextRec):
                members[rec.name] = []
                if rec.parent:
                    self.parent[rec.name] = rec.parent
            elif isinstance(rec, ArtifactRec):
                g.add_node(("a", rec.key), type=rec.type, t=rec.create_time)
            elif isinstance(rec, ExecRec):
                e = ("e", rec.key)
                g.add_node(e, type=rec.type, t=rec.create_time, state=rec.state, props=rec.props)
                for key, _ in rec.inputs:
                    g.add_edge(("a", key), e)
                for art, _ in rec.outputs:
                    g.add_node(("a", art.key), type=art.type, t=art.create_time)
                    g.add_edge(e, ("a", art.key))
                for c in rec.contexts:
                    members[c].append(e)
                for akey, c in rec.attributions:
                    members[c].append(("a", akey))
        secs = time.perf_counter() - t0
        return IngestStats(n, secs, peak_rss_mb(), base, None)

    # ---- questions ------------------------------------------------------------------------

    def _bfs(self, start: tuple[str, str], forward: bool) -> set[tuple[str, str]]:
        nbrs = self.g.succ if forward else self.g.pred
        seen = {start}
        todo = deque([start])
        while todo:
            for nxt in nbrs[todo.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        seen.discard(start)
        return seen

    def upstream(self, name: str) -> list[str]:
        return sorted(k for kind, k in self._bfs(("a", name), False) if kind == "a")

    def roots(self, name: str, root_type: str) -> list[str]:
        g = self.g
        return sorted(
            k
            for node in self._bfs(("a", name), False)
            if node[0] == "a" and not g.pred[node] and g.nodes[node]["type"] == root_type
            for k in (node[1],)
        )

    def downstream_models(self, name: str) -> list[str]:
        g = self.g
        return sorted(
            node[1]
            for node in self._bfs(("a", name), True)
            if node[0] == "a" and g.nodes[node]["type"] == "Model"
        )

    def last_deployed(self, pipeline: str) -> str | None:
        g = self.g
        pushed = [
            (g.nodes[n]["t"], n[1])
            for n in self.members[pipeline]
            if n[0] == "a" and g.nodes[n]["type"] == "PushedModel"
        ]
        return max(pushed)[1] if pushed else None

    def why_failed(self, run: str) -> list[tuple[str, str, str | None]]:
        g = self.g
        pipeline = self.parent[run]
        out = []
        for n in self.members[run]:
            attrs = g.nodes[n]
            if n[0] != "e" or attrs["state"] != "FAILED":
                continue
            # The last successful execution of the same type before it in the same pipeline
            # (every execution here is associated with its pipeline context directly).
            before = [
                (g.nodes[m]["t"], m[1])
                for m in self.members[pipeline]
                if m[0] == "e"
                and g.nodes[m]["type"] == attrs["type"]
                and g.nodes[m]["state"] == "COMPLETE"
                and g.nodes[m]["t"] < attrs["t"]
            ]
            out.append((n[1], attrs["props"].get("error", ""), max(before)[1] if before else None))
        return sorted(out, key=lambda x: x[0])

    def show(self, name: str) -> tuple[str, str]:
        return (name, self.g.nodes[("a", name)]["type"])

    def methods(self, wl: Workload, question: str) -> dict[str, Method]:
        q = wl.questions
        m: dict[str, Any] = {}
        if question in ("show", "by_name") and q.model:
            m["dict"] = lambda: self.show(q.model)
        if question == "roots" and q.model:
            m["bfs"] = lambda: self.roots(q.model, q.root_type)
        elif question == "upstream" and q.model:
            m["bfs"] = lambda: self.upstream(q.model)
        elif question == "downstream_models" and q.dataset:
            m["bfs"] = lambda: self.downstream_models(q.dataset)
        elif question == "last_deployed" and q.pipeline:
            m["index-scan"] = lambda: self.last_deployed(q.pipeline)
        elif question == "why_failed" and q.failed_run:
            m["index-scan"] = lambda: self.why_failed(q.failed_run)
        return m
