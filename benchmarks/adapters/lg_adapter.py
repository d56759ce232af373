"""lineage-graph on Neo4j: batch ingest through the store's put_* API, questions through
``lineage_graph.lineage`` and the store's lineage methods (one Cypher query each).

Ingest buffers records until ``BATCH_ELEMENTS`` nodes+edges, then writes them with one call
per kind: ``put_contexts`` + ``put_parent_contexts``, ``put_artifacts``, ``put_executions``,
``put_events``, ``put_attributions_and_associations`` (each UNWIND-batched by the store), all
in one ``Store.atomic`` transaction per batch as the importers write (the same rules; events
and links at nodes the batch created are then CREATEd, not MERGEd). ``LG_BENCH_PER_CALL=1``
runs each call in its own transaction instead.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from lineage_graph import lineage
from lineage_graph.interop.bulk import Item
from lineage_graph.models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ParentContext,
)
from lineage_graph.server import resolve
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.rules import WriteRules

from ..cypher import bench_query
from ..workloads import (
    ArtifactRec,
    ContextRec,
    ExecRec,
    Record,
    Workload,
    count_elements,
    split_batch,
)
from .base import IngestStats, Method, System, durable_key, peak_rss_mb

BATCH_ELEMENTS = 20_000
#: Write each batch in one transaction (``Store.atomic``, as the importers do) instead of one
#: transaction per ``put_*`` call: the same rules, one lock, type read and commit per batch.
ONE_TRANSACTION = os.environ.get("LG_BENCH_PER_CALL") != "1"


def du_bytes(path: str) -> int | None:
    """Bytes on disk under ``path`` (du), or None if it cannot be read from here."""
    if not os.path.isdir(path):
        return None
    out = subprocess.run(["du", "-sb", path], capture_output=True, text=True, check=False)
    return int(out.stdout.split()[0]) if out.returncode == 0 and out.stdout else None


class LineageGraphSystem(System):
    name = "lineage-graph"

    def __init__(self) -> None:
        target = resolve(start=True)
        self.target = target
        self.store = Neo4jStore.from_target(target)
        self.store.init_schema()
        self._data_dir: str | None = os.environ.get("NEO4J_DATA_DIR")

    def close(self) -> None:
        self.store.close()

    def reset(self) -> None:
        self.store.clear()

    def data_dir(self) -> str | None:
        if self._data_dir is None:
            try:
                rows = self.store.run_read(bench_query("data_directory"))
                self._data_dir = rows[0]["value"] if rows else None
            except Exception:
                self._data_dir = None
        return self._data_dir

    def store_bytes(self) -> int | None:
        """The store files of the default database (transaction logs not counted).

        Community has no Cypher checkpoint, so pages not yet checkpointed live only in the
        transaction log (a lower bound for small loads); files keep their high-water size
        after ``clear()`` (space is reused, not returned).
        """
        data = self.data_dir()
        if not data:
            return None
        db = self.store._database or "neo4j"
        return du_bytes(os.path.join(data, "databases", db))

    # ---- ingest ---------------------------------------------------------------------------

    def ingest(self, wl: Workload) -> IngestStats:
        base = peak_rss_mb()
        t0 = time.perf_counter()
        s = self.store
        s.put_types(
            [ArtifactType(name=n) for n in wl.artifact_types]
            + [ExecutionType(name=n) for n in wl.execution_types]
            + [ContextType(name=n) for n in wl.context_types]
        )
        durable: dict[str, int] = {}  # keys later batches may reference (see base.KeyMap)
        buf: list[Record] = []
        size = 0
        n = 0
        for rec in wl.records():
            # Flush only where a run starts (or between standalone artifacts), so a run's
            # executions never refer to a previous batch's run-local artifacts.
            if size >= BATCH_ELEMENTS and not isinstance(rec, ExecRec):
                self._flush(buf, durable)
                buf, size = [], 0
            c = count_elements(rec)
            n += c
            size += c
            buf.append(rec)
        if buf:
            self._flush(buf, durable)
        secs = time.perf_counter() - t0
        return IngestStats(n, secs, peak_rss_mb(), base, self.store_bytes())

    def _flush(self, buf: list[Record], durable: dict[str, int]) -> None:
        if ONE_TRANSACTION:
            # The work may run again after a transient error: it writes only to fresh dicts,
            # merged into ``durable`` once the transaction committed.
            new = self.store.atomic(lambda w: _write_batch(_RulesCalls(w), buf, durable))
        else:
            new = _write_batch(self.store, buf, durable)
        durable.update(new)

    # ---- bulk first load -----------------------------------------------------------------

    def ingest_bulk(self, wl: Workload) -> IngestStats:
        """The same records through ``interop.bulk`` (``neo4j-admin database import``) into
        the emptied local server: CSV writing, the import with the server's stop and start,
        and the schema build are all inside the time. The store holds the workload after."""
        from lineage_graph.interop.bulk import bulk_load

        self.store.clear()  # the bulk load refuses anything but an empty store
        base = peak_rss_mb()
        t0 = time.perf_counter()
        counted = [0]
        report = bulk_load(self.target, _bulk_items(wl, counted))
        secs = time.perf_counter() - t0
        # The server restarted: a new driver instead of a pool of dead connections.
        self.store.close()
        self.store = Neo4jStore.from_target(self.target)
        if report.elements != counted[0]:
            raise RuntimeError(f"bulk load wrote {report.elements} of {counted[0]} elements")
        return IngestStats(counted[0], secs, peak_rss_mb(), base, self.store_bytes())

    # ---- questions ------------------------------------------------------------------------

    def floor(self) -> None:
        """A bare round trip through the store's own read path (driver, session settings)."""
        self.store.run_read("RETURN 1 AS one")

    def _artifact_id(self, type_name: str, name: str) -> int:
        a = self.store.get_artifact_by_type_and_name(type_name, name)
        if a is None or a.id is None:
            raise LookupError(f"lineage-graph has no {type_name} named {name!r}")
        return a.id

    def _context_id(self, type_name: str, name: str) -> int:
        c = self.store.get_context_by_type_and_name(type_name, name)
        if c is None or c.id is None:
            raise LookupError(f"lineage-graph has no {type_name} context named {name!r}")
        return c.id

    def methods(self, wl: Workload, question: str) -> dict[str, Method]:
        q = wl.questions
        s = self.store
        m: dict[str, Any] = {}
        if question == "show" and q.model:
            model_id = self._artifact_id(q.model_type, q.model)

            def show() -> tuple[str | None, str]:
                a = s.get_artifacts_by_id([model_id])[0]
                return (a.name, a.type)

            m["store.get_artifacts_by_id"] = show
        elif question == "by_name" and q.model:
            type_name, name = q.model_type, q.model

            def by_name() -> tuple[str | None, str]:
                a = s.get_artifact_by_type_and_name(type_name, name)
                assert a is not None
                return (a.name, a.type)

            m["store.get_artifact_by_type_and_name"] = by_name
        elif question in ("roots", "upstream") and q.model:
            start = lineage.artifact(self._artifact_id(q.model_type, q.model))
            if question == "roots":
                m["lineage.upstream(roots_only)"] = lambda: sorted(
                    a.name or ""
                    for a in lineage.upstream(
                        s, start, types=[q.root_type], kinds=["artifact"], roots_only=True
                    ).artifacts
                )
            else:
                m["lineage.upstream"] = lambda: sorted(
                    a.name or "" for a in lineage.upstream(s, start, kinds=["artifact"]).artifacts
                )
        elif question == "downstream_models" and q.dataset:
            start = lineage.artifact(self._artifact_id("RawDataset", q.dataset))
            m["lineage.downstream(types)"] = lambda: sorted(
                a.name or "" for a in lineage.downstream(s, start, types=["Model"]).artifacts
            )
        elif question == "last_deployed" and q.pipeline:
            pipe = lineage.context(self._context_id("Pipeline", q.pipeline))

            def last() -> str | None:
                d = s.last_deployed(pipe, ["PushedModel"], ["Model"])
                return d.deployed.name if d else None

            m["store.last_deployed"] = last
        elif question == "why_failed" and q.failed_run:
            run = lineage.context(self._context_id("PipelineRun", q.failed_run))

            def why() -> list[tuple[str, str, str | None]]:
                out = []
                for f in s.failed_upstream(run):
                    err = f.failed.custom_properties.get("error", "")
                    prev = f.last_success.execution.name if f.last_success else None
                    out.append((f.failed.execution.name or "", str(err), prev))
                return sorted(out, key=lambda x: x[0])

            m["store.failed_upstream"] = why
        return m


class _Puts(Protocol):
    """The batch calls ``_write_batch`` makes: the store's, or the same rules inside one
    ``atomic`` transaction (``_RulesCalls``)."""

    def put_contexts(self, contexts: Sequence[Context]) -> list[int]: ...
    def put_parent_contexts(self, links: Sequence[ParentContext]) -> None: ...
    def put_artifacts(self, artifacts: Sequence[Artifact]) -> list[int]: ...
    def put_executions(self, executions: Sequence[Execution]) -> list[int]: ...
    def put_events(self, events: Sequence[Event]) -> None: ...
    def put_attributions_and_associations(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> None: ...


class _RulesCalls:
    """The store's batch ``put_*`` calls on one transaction's rules (what ``Store`` runs,
    each in its own transaction)."""

    def __init__(self, w: WriteRules) -> None:
        self.w = w

    def put_contexts(self, contexts: Sequence[Context]) -> list[int]:
        return self.w.put_nodes(Kind.CONTEXT, contexts)

    def put_parent_contexts(self, links: Sequence[ParentContext]) -> None:
        self.w.put_parents(links)

    def put_artifacts(self, artifacts: Sequence[Artifact]) -> list[int]:
        return self.w.put_nodes(Kind.ARTIFACT, artifacts)

    def put_executions(self, executions: Sequence[Execution]) -> list[int]:
        return self.w.put_nodes(Kind.EXECUTION, executions)

    def put_events(self, events: Sequence[Event]) -> None:
        self.w.put_events(events)

    def put_attributions_and_associations(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> None:
        self.w.put_links(attributions, associations)


def _write_batch(s: _Puts, buf: list[Record], durable: Mapping[str, int]) -> dict[str, int]:
    """Write one batch with one call per kind; the keys later batches may reference."""
    new: dict[str, int] = {}
    ids: dict[str, int] = {}  # this batch's artifact keys
    cids: dict[str, int] = {}

    def aid(key: str) -> int:
        return ids[key] if key in ids else durable[key]

    def cid(key: str) -> int:
        return cids[key] if key in cids else durable["ctx:" + key]

    ctxs = [r for r in buf if isinstance(r, ContextRec)]
    if ctxs:
        for r, i in zip(
            ctxs,
            s.put_contexts([Context(type=r.type, name=r.name) for r in ctxs]),
            strict=False,
        ):
            cids[r.key] = i
            if r.parent is None:
                new["ctx:" + r.key] = i
        links = [
            ParentContext(child_id=cid(r.key), parent_id=cid(r.parent))
            for r in ctxs
            if r.parent
        ]
        if links:
            s.put_parent_contexts(links)
    arts, execs = split_batch(buf)
    if arts:
        created = s.put_artifacts(
            [
                Artifact(
                    type=a.type,
                    name=a.name,
                    uri=a.uri,
                    state=ArtifactState.LIVE,
                    create_time=a.create_time,
                    custom_properties=a.props,
                )
                for a in arts
            ]
        )
        for a, i in zip(arts, created, strict=False):
            ids[a.key] = i
            if durable_key(a.key, a.type):
                new[a.key] = i
    if not execs:
        return new
    eids = s.put_executions(
        [
            Execution(
                type=e.type,
                name=e.name,
                last_known_state=ExecutionState(e.state),
                create_time=e.create_time,
                custom_properties=e.props,
            )
            for e in execs
        ]
    )
    events: list[Event] = []
    attributions: list[Attribution] = []
    associations: list[Association] = []
    for e, x in zip(execs, eids, strict=False):
        for key, path in e.inputs:
            events.append(
                Event(
                    artifact_id=aid(key),
                    execution_id=x,
                    type=EventType.INPUT,
                    path=(path,),
                    timestamp=e.create_time,
                )
            )
        for a, path in e.outputs:
            events.append(
                Event(
                    artifact_id=ids[a.key],
                    execution_id=x,
                    type=EventType.OUTPUT,
                    path=(path,),
                    timestamp=e.create_time,
                )
            )
        associations.extend(Association(execution_id=x, context_id=cid(c)) for c in e.contexts)
        attributions.extend(
            Attribution(artifact_id=aid(a), context_id=cid(c)) for a, c in e.attributions
        )
    s.put_events(events)
    if attributions or associations:
        s.put_attributions_and_associations(attributions, associations)
    return new


def _bulk_items(wl: Workload, counted: list[int]) -> Iterator[Item]:
    """The workload as the store's models with ids given here (1, 2, ... per kind), in
    record order; ``counted[0]`` ends as its nodes+edges (``count_elements``)."""
    yield from [ArtifactType(name=n) for n in wl.artifact_types]
    yield from [ExecutionType(name=n) for n in wl.execution_types]
    yield from [ContextType(name=n) for n in wl.context_types]
    aids: dict[str, int] = {}
    cids: dict[str, int] = {}
    n_exec = 0

    def artifact(a: ArtifactRec) -> Artifact:
        aids[a.key] = len(aids) + 1
        return Artifact(id=aids[a.key], type=a.type, name=a.name, uri=a.uri,
                        state=ArtifactState.LIVE, create_time=a.create_time,
                        custom_properties=a.props)  # fmt: skip

    for rec in wl.records():
        counted[0] += count_elements(rec)
        if isinstance(rec, ContextRec):
            cids[rec.key] = len(cids) + 1
            yield Context(id=cids[rec.key], type=rec.type, name=rec.name)
            if rec.parent:
                yield ParentContext(child_id=cids[rec.key], parent_id=cids[rec.parent])
        elif isinstance(rec, ArtifactRec):
            yield artifact(rec)
        else:
            n_exec += 1
            yield Execution(id=n_exec, type=rec.type, name=rec.name,
                            last_known_state=ExecutionState(rec.state),
                            create_time=rec.create_time, custom_properties=rec.props)  # fmt: skip
            for a, _ in rec.outputs:
                yield artifact(a)
            for key, path in rec.inputs:
                yield Event(artifact_id=aids[key], execution_id=n_exec, type=EventType.INPUT,
                            path=(path,), timestamp=rec.create_time)  # fmt: skip
            for a, path in rec.outputs:
                yield Event(artifact_id=aids[a.key], execution_id=n_exec,
                            type=EventType.OUTPUT, path=(path,), timestamp=rec.create_time)
            for c in rec.contexts:
                yield Association(execution_id=n_exec, context_id=cids[c])
            for key, c in rec.attributions:
                yield Attribution(artifact_id=aids[key], context_id=cids[c])
