"""MLMD 1.17.1 on SQLite through the ml-metadata library, with its best method per question.

Ingest is MLMD's own unit of work: one ``put_execution`` per execution (with its input and
output artifacts, events and contexts); standalone artifacts and contexts go through
``put_artifacts`` / ``put_contexts`` / ``put_parent_contexts``.

Traversals are offered two ways and the runner reports the faster (``methods``):

* ``subgraph``: ``get_lineage_subgraph`` (server-side BFS in C++), capped at 100 hops per call;
  the client continues from the nodes exactly 100 hops out (at most 100 starting nodes per
  call, MLMD's limit) until nothing is left.
* ``events-bfs``: a client-side BFS, one ``get_events_by_*_ids`` call per level.

Roots and type filters happen on the client: MLMD cannot compute them in the database.
"Last deployed" and "why failed" use MLMD's filter queries (context joins, order, limit 1).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict, deque
from typing import Any

from ml_metadata.metadata_store import metadata_store as mds
from ml_metadata.proto import metadata_store_pb2 as _pb

from ..workloads import ArtifactRec, ContextRec, ExecRec, Workload, count_elements, split_batch
from .base import IngestStats, KeyMap, Method, System, durable_key, peak_rss_mb

pb: Any = _pb  # generated protobuf module: no type stubs

MAX_HOPS = 100  # MLMD's kQueryLineageSubgraphMaxNumHops
MAX_STARTING_NODES = 100
_UP = pb.LineageSubgraphQueryOptions.UPSTREAM
_DOWN = pb.LineageSubgraphQueryOptions.DOWNSTREAM
_INPUTS = {pb.Event.INPUT, pb.Event.DECLARED_INPUT, pb.Event.INTERNAL_INPUT}
_STATE = {"COMPLETE": pb.Execution.COMPLETE, "FAILED": pb.Execution.FAILED}


def _value(v: Any) -> Any:
    if isinstance(v, (bool, int)):
        return pb.Value(int_value=int(v))
    if isinstance(v, float):
        return pb.Value(double_value=v)
    return pb.Value(string_value=str(v))


class MlmdSystem(System):
    """``batch=True`` ingests with MLMD's batch calls (``put_artifacts``, ``put_executions``,
    ``put_events``, ``put_attributions_and_associations``, one call each per batch of runs):
    MLMD's fastest load, used to build stores too big for the ``put_execution`` loop here."""

    name = "mlmd"

    def __init__(self, workdir: str, *, batch: bool = False) -> None:
        self.path = os.path.join(workdir, "mlmd.sqlite")
        self.store: mds.MetadataStore | None = None
        self.batch = batch

    def reset(self) -> None:
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        self._open()

    def _open(self) -> mds.MetadataStore:
        if self.store is None:
            cfg = pb.ConnectionConfig()
            cfg.sqlite.filename_uri = self.path
            cfg.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
            self.store = mds.MetadataStore(cfg)
        return self.store

    def close(self) -> None:
        self.store = None  # the pybind object closes its connection when collected

    def store_bytes(self) -> int | None:
        return sum(
            os.path.getsize(self.path + s) for s in ("", "-wal") if os.path.exists(self.path + s)
        )

    # ---- ingest ---------------------------------------------------------------------------

    def ingest(self, wl: Workload) -> IngestStats:
        if self.batch:
            return self._ingest_batch(wl)
        s = self._open()
        base = peak_rss_mb()
        t0 = time.perf_counter()
        atype, etype, ctype = self._types(wl)
        ids = KeyMap()
        ctx_ids: dict[str, Any] = {}
        n = 0
        for rec in wl.records():
            n += count_elements(rec)
            if isinstance(rec, ContextRec):
                if rec.type == "PipelineRun":
                    ids.end_run()
                    ctx_ids = {k: v for k, v in ctx_ids.items() if "/" not in k}
                ctx = pb.Context(type_id=ctype[rec.type], name=rec.name)
                [cid] = s.put_contexts([ctx])
                ctx.id = cid
                ctx_ids[rec.key] = ctx
                if rec.parent:
                    s.put_parent_contexts(
                        [pb.ParentContext(child_id=cid, parent_id=ctx_ids[rec.parent].id)]
                    )
            elif isinstance(rec, ArtifactRec):
                [aid] = s.put_artifacts([self._artifact(rec, atype)])
                ids.put(rec.key, aid, durable=durable_key(rec.key, rec.type))
            elif isinstance(rec, ExecRec):
                ex = pb.Execution(
                    type_id=etype[rec.type], name=rec.name, last_known_state=_STATE[rec.state]
                )
                for k, v in rec.props.items():
                    ex.custom_properties[k].CopyFrom(_value(v))
                pairs: list[tuple[Any, Any]] = []
                for key, path in rec.inputs:
                    ev = pb.Event(type=pb.Event.INPUT)
                    ev.path.steps.add().key = path
                    pairs.append((pb.Artifact(id=ids[key]), ev))
                for art, path in rec.outputs:
                    ev = pb.Event(type=pb.Event.OUTPUT)
                    ev.path.steps.add().key = path
                    pairs.append((self._artifact(art, atype), ev))
                contexts = [ctx_ids[c] for c in rec.contexts]
                _, aids, _ = s.put_execution(ex, pairs, contexts)
                for (art, _), aid in zip(rec.outputs, aids[len(rec.inputs) :], strict=False):
                    ids.put(art.key, aid, durable=durable_key(art.key, art.type))
        secs = time.perf_counter() - t0
        return IngestStats(n, secs, peak_rss_mb(), base, self.store_bytes())

    def _types(self, wl: Workload) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        s = self._open()
        return (
            {n: s.put_artifact_type(pb.ArtifactType(name=n)) for n in wl.artifact_types},
            {n: s.put_execution_type(pb.ExecutionType(name=n)) for n in wl.execution_types},
            {n: s.put_context_type(pb.ContextType(name=n)) for n in wl.context_types},
        )

    def _ingest_batch(self, wl: Workload, batch_elements: int = 20_000) -> IngestStats:
        s = self._open()
        base = peak_rss_mb()
        t0 = time.perf_counter()
        atype, etype, ctype = self._types(wl)
        durable: dict[str, int] = {}
        buf: list[Any] = []
        size = n = 0

        def flush() -> None:
            ids: dict[str, int] = {}
            cids: dict[str, int] = {}

            def aid(k: str) -> int:
                return ids[k] if k in ids else durable[k]

            def cid(k: str) -> int:
                return cids[k] if k in cids else durable["ctx:" + k]

            ctxs = [r for r in buf if isinstance(r, ContextRec)]
            if ctxs:
                got = s.put_contexts([pb.Context(type_id=ctype[r.type], name=r.name) for r in ctxs])
                for r, i in zip(ctxs, got, strict=False):
                    cids[r.key] = i
                    if r.parent is None:
                        durable["ctx:" + r.key] = i
                links = [
                    pb.ParentContext(child_id=cid(r.key), parent_id=cid(r.parent))
                    for r in ctxs
                    if r.parent
                ]
                if links:
                    s.put_parent_contexts(links)
            arts, execs = split_batch(buf)
            if arts:
                for a, i in zip(
                    arts, s.put_artifacts([self._artifact(a, atype) for a in arts]), strict=False
                ):
                    ids[a.key] = i
                    if durable_key(a.key, a.type):
                        durable[a.key] = i
            if not execs:
                return
            exs = []
            for e in execs:
                ex = pb.Execution(
                    type_id=etype[e.type], name=e.name, last_known_state=_STATE[e.state]
                )
                for k, v in e.props.items():
                    ex.custom_properties[k].CopyFrom(_value(v))
                exs.append(ex)
            eids = s.put_executions(exs)
            events: list[Any] = []
            attrs: list[Any] = []
            assocs: list[Any] = []
            for e, x in zip(execs, eids, strict=False):
                for key, path in e.inputs:
                    ev = pb.Event(artifact_id=aid(key), execution_id=x, type=pb.Event.INPUT)
                    ev.path.steps.add().key = path
                    events.append(ev)
                for a, path in e.outputs:
                    ev = pb.Event(artifact_id=ids[a.key], execution_id=x, type=pb.Event.OUTPUT)
                    ev.path.steps.add().key = path
                    events.append(ev)
                assocs.extend(pb.Association(execution_id=x, context_id=cid(c)) for c in e.contexts)
                attrs.extend(
                    pb.Attribution(artifact_id=aid(a), context_id=cid(c)) for a, c in e.attributions
                )
            s.put_events(events)
            if attrs or assocs:
                s.put_attributions_and_associations(attrs, assocs)

        for rec in wl.records():
            if size >= batch_elements and not isinstance(rec, ExecRec):
                flush()
                buf, size = [], 0
            c = count_elements(rec)
            n += c
            size += c
            buf.append(rec)
        if buf:
            flush()
        secs = time.perf_counter() - t0
        return IngestStats(n, secs, peak_rss_mb(), base, self.store_bytes())

    @staticmethod
    def _artifact(rec: ArtifactRec, atype: dict[str, int]) -> Any:
        a = pb.Artifact(type_id=atype[rec.type], name=rec.name, uri=rec.uri, state=pb.Artifact.LIVE)
        for k, v in rec.props.items():
            a.custom_properties[k].CopyFrom(_value(v))
        return a

    # ---- traversals -----------------------------------------------------------------------

    def _subgraph_walk(self, start: int, direction: int) -> tuple[dict[int, Any], list[Any]]:
        """Every artifact reachable from ``start`` (itself included) and the events walked."""
        s = self._open()
        arts: dict[int, Any] = {}
        events: list[Any] = []
        expanded: set[int] = set()
        frontier = [start]
        while frontier:
            nxt: list[int] = []
            for i in range(0, len(frontier), MAX_STARTING_NODES):
                chunk = frontier[i : i + MAX_STARTING_NODES]
                expanded.update(chunk)
                opts = pb.LineageSubgraphQueryOptions(
                    starting_artifacts=pb.LineageSubgraphQueryOptions.StartingNodes(
                        filter_query=f"id IN ({','.join(map(str, chunk))})"
                    ),
                    max_num_hops=MAX_HOPS,
                    direction=direction,
                )
                g = s.get_lineage_subgraph(opts, ["artifacts", "events"])
                for a in g.artifacts:
                    arts[a.id] = a
                events.extend(g.events)
                nxt.extend(self._edge_of_reach(chunk, g.events, direction))
            frontier = [a for a in dict.fromkeys(nxt) if a not in expanded]
        return arts, events

    @staticmethod
    def _edge_of_reach(starts: list[int], events: Any, direction: int) -> list[int]:
        """Artifacts exactly MAX_HOPS from ``starts`` in the returned subgraph (not expanded)."""
        a2e: dict[int, list[int]] = defaultdict(list)
        e2a: dict[int, list[int]] = defaultdict(list)
        for ev in events:
            is_in = ev.type in _INPUTS
            # upstream: artifact -(OUTPUT event)-> its producer; execution -(INPUT)-> its input
            if (direction == _UP) != is_in:
                a2e[ev.artifact_id].append(ev.execution_id)
            else:
                e2a[ev.execution_id].append(ev.artifact_id)
        dist = {("a", a): 0 for a in starts}
        todo = deque(dist)
        edge: list[int] = []
        while todo:
            node = todo.popleft()
            d = dist[node]
            if d == MAX_HOPS:
                edge.append(node[1])
                continue
            nbrs = (
                [("e", x) for x in a2e[node[1]]]
                if node[0] == "a"
                else [("a", x) for x in e2a[node[1]]]
            )
            for nb in nbrs:
                if nb not in dist:
                    dist[nb] = d + 1
                    todo.append(nb)
        return edge

    def _events_walk(self, start: int, upstream: bool) -> set[int]:
        """Client-side BFS, one MLMD call per level; returns reachable artifact ids (+start)."""
        s = self._open()
        seen_a, seen_e = {start}, set()
        frontier_a = [start]
        while frontier_a:
            evs = s.get_events_by_artifact_ids(frontier_a)
            execs = [
                e.execution_id
                for e in evs
                if (e.type in _INPUTS) != upstream and e.execution_id not in seen_e
            ]
            execs = list(dict.fromkeys(execs))
            seen_e.update(execs)
            if not execs:
                break
            evs = s.get_events_by_execution_ids(execs)
            frontier_a = list(
                dict.fromkeys(
                    e.artifact_id
                    for e in evs
                    if (e.type in _INPUTS) == upstream and e.artifact_id not in seen_a
                )
            )
            seen_a.update(frontier_a)
        return seen_a

    # ---- questions ------------------------------------------------------------------------

    def _artifact_id(self, type_name: str, name: str) -> int:
        a = self._open().get_artifact_by_type_and_name(type_name, name)
        if a is None:
            raise LookupError(f"MLMD has no {type_name} named {name!r}")
        return int(a.id)

    def _up_subgraph(self, start: int) -> list[str]:
        arts, _ = self._subgraph_walk(start, _UP)
        return sorted(a.name for i, a in arts.items() if i != start)

    def _up_events(self, start: int) -> list[str]:
        ids = self._events_walk(start, upstream=True) - {start}
        return sorted(a.name for a in self._open().get_artifacts_by_id(list(ids)))

    def _roots_subgraph(self, start: int, root_type: str) -> list[str]:
        arts, events = self._subgraph_walk(start, _UP)
        produced = {e.artifact_id for e in events if e.type not in _INPUTS}
        return sorted(
            a.name
            for i, a in arts.items()
            if i not in produced and a.type == root_type and i != start
        )

    def _roots_events(self, start: int, root_type: str) -> list[str]:
        s = self._open()
        ids = list(self._events_walk(start, upstream=True) - {start})
        produced = {
            e.artifact_id for e in s.get_events_by_artifact_ids(ids) if e.type not in _INPUTS
        }
        cand = [i for i in ids if i not in produced]
        return sorted(a.name for a in s.get_artifacts_by_id(cand) if a.type == root_type)

    def _down_models_subgraph(self, start: int) -> list[str]:
        arts, _ = self._subgraph_walk(start, _DOWN)
        return sorted(a.name for i, a in arts.items() if a.type == "Model" and i != start)

    def _down_models_events(self, start: int) -> list[str]:
        ids = list(self._events_walk(start, upstream=False) - {start})
        return sorted(a.name for a in self._open().get_artifacts_by_id(ids) if a.type == "Model")

    def _last_deployed(self, pipeline: str) -> str | None:
        found = self._open().get_artifacts(
            list_options=mds.ListOptions(
                limit=1,
                order_by=mds.OrderByField.CREATE_TIME,
                is_asc=False,
                filter_query=(
                    f"type = 'PushedModel' AND contexts_a.type = 'Pipeline' "
                    f"AND contexts_a.name = '{pipeline}'"
                ),
            )
        )
        return found[0].name if found else None

    def _why_failed(self, run: str, pipeline: str) -> list[tuple[str, str, str | None]]:
        """Failed executions of the run, each with the last successful execution of the same
        type before it in the same pipeline (ids grow with creation time here)."""
        s = self._open()
        ctx = s.get_context_by_type_and_name("PipelineRun", run)
        if ctx is None:
            raise LookupError(f"MLMD has no PipelineRun named {run!r}")
        out = []
        for ex in s.get_executions_by_context(ctx.id):
            if ex.last_known_state != pb.Execution.FAILED:
                continue
            prev = s.get_executions(
                list_options=mds.ListOptions(
                    limit=1,
                    order_by=mds.OrderByField.ID,
                    is_asc=False,
                    filter_query=(
                        f"type = '{ex.type}' AND last_known_state = COMPLETE "
                        f"AND id < {ex.id} AND contexts_a.type = 'Pipeline' "
                        f"AND contexts_a.name = '{pipeline}'"
                    ),
                )
            )
            error = ex.custom_properties["error"].string_value
            out.append((ex.name, error, prev[0].name if prev else None))
        return sorted(out, key=lambda x: x[0])

    def methods(self, wl: Workload, question: str) -> dict[str, Method]:
        q = wl.questions
        m: dict[str, Method] = {}
        if question == "show" and q.model:
            start = self._artifact_id(q.model_type, q.model)

            def show() -> tuple[str, str]:
                a = self._open().get_artifacts_by_id([start])[0]
                return (a.name, a.type)

            m["get_artifacts_by_id"] = show
        elif question == "by_name" and q.model:
            type_name, name = q.model_type, q.model

            def by_name() -> tuple[str, str]:
                a = self._open().get_artifact_by_type_and_name(type_name, name)
                return (a.name, a.type)

            m["get_artifact_by_type_and_name"] = by_name
        elif question in ("roots", "upstream") and q.model:
            start = self._artifact_id(q.model_type, q.model)
            if question == "roots":
                m["subgraph"] = lambda: self._roots_subgraph(start, q.root_type)
                m["events-bfs"] = lambda: self._roots_events(start, q.root_type)
            else:
                m["subgraph"] = lambda: self._up_subgraph(start)
                m["events-bfs"] = lambda: self._up_events(start)
        elif question == "downstream_models" and q.dataset:
            start = self._artifact_id("RawDataset", q.dataset)
            m["subgraph"] = lambda: self._down_models_subgraph(start)
            m["events-bfs"] = lambda: self._down_models_events(start)
        elif question == "last_deployed" and q.pipeline:
            pipeline = q.pipeline
            m["filter-query"] = lambda: self._last_deployed(pipeline)
        elif question == "why_failed" and q.failed_run:
            run = q.failed_run
            pipeline = run.split("/")[0]
            m["filter-query"] = lambda: self._why_failed(run, pipeline)
        return m
