"""Concurrent writers on one Neo4j: every node gets its own id and its own ``seq``.

``seq`` is the subscribers' cursor, so two nodes sharing one (or a counter left below the
highest stored value) means deliveries are skipped. Writers collide on purpose: they share a
pipeline context and re-put the same names. Threads of one process, and writer processes
(each its own driver and connection pool) with a ``watch`` subscriber polling beside them:
every model is delivered (at least once; here exactly once, in ``seq`` order).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactType,
    Context,
    ContextType,
    EventType,
    Execution,
    ExecutionType,
)
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.target import Neo4jTarget
from lineage_graph.tracking.subscriptions import Delivery, FileCursors, Watcher, new_artifacts

ROOT = Path(__file__).resolve().parents[2]

WRITERS = 4
EXECUTIONS = 60


def _writer(target: Neo4jTarget, n: int, errors: list[BaseException]) -> None:
    try:
        with Neo4jStore.from_target(target) as store:
            for i in range(EXECUTIONS):
                store.put_execution(
                    Execution(type="Trainer", name=f"w{n}-{i}"),
                    [
                        ArtifactAndEvent(
                            artifact=Artifact(type="Dataset", name="shared", uri="/shared"),
                            event_type=EventType.INPUT,
                        ),
                        ArtifactAndEvent(
                            artifact=Artifact(type="Model", name=f"m{n}-{i}"),
                            event_type=EventType.OUTPUT,
                        ),
                    ],
                    [Context(type="Pipeline", name="shared-pipeline")],
                )
    except BaseException as exc:
        errors.append(exc)


def test_concurrent_writers_get_distinct_ids_and_seq(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget
) -> None:
    store = neo4j_store
    store.put_types(
        [
            ArtifactType(name="Dataset"),
            ArtifactType(name="Model"),
            ExecutionType(name="Trainer"),
            ContextType(name="Pipeline"),
        ]
    )
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(neo4j_target, n, errors)) for n in range(WRITERS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    executions = store.get_executions()
    artifacts = store.get_artifacts()
    contexts = store.get_contexts()
    assert len(executions) == WRITERS * EXECUTIONS
    assert len(artifacts) == WRITERS * EXECUTIONS + 1  # one shared dataset
    assert len(contexts) == 1
    nodes = [*executions, *artifacts, *contexts]
    seqs = Counter(n.seq for n in nodes)
    assert [s for s, k in seqs.items() if k > 1] == []
    for group in (executions, artifacts):
        assert len({n.id for n in group}) == len(group)
    counters = store.stats()["counters"]
    assert counters["seq"] >= max(s for s in seqs if s is not None)
    assert counters["execution"] == max(e.id for e in executions if e.id is not None)
    assert len(store.get_events(execution_ids=[e.id for e in executions if e.id])) == (
        2 * WRITERS * EXECUTIONS
    )


# ---- writer PROCESSES and a subscriber beside them --------------------------------------------

_WRITER = """
import os, sys
from lineage_graph.models import Artifact, ArtifactAndEvent, Context, EventType, Execution
from lineage_graph.store.neo4j import Neo4jStore
n, count = int(sys.argv[1]), int(sys.argv[2])
store = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                           os.environ["NEO4J_PASSWORD"])
for i in range(count):
    store.put_execution(
        Execution(type="Trainer", name=f"w{n}-{i}"),
        [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="shared", uri="/shared"),
                          event_type=EventType.INPUT),
         ArtifactAndEvent(artifact=Artifact(type="Model", name=f"m{n}-{i}"),
                          event_type=EventType.OUTPUT)],
        [Context(type="Pipeline", name="shared-pipeline"),
         Context(type="Pipeline", name=f"shared-{i % 3}")],
    )
store.close()
"""


def _writer_processes(
    target: Neo4jTarget, writers: int, executions: int
) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user,
           "NEO4J_PASSWORD": target.password, "PYTHONPATH": str(ROOT)}  # fmt: skip
    return [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(n), str(executions)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(writers)
    ]


def writer_processes_and_a_subscriber(
    store: Neo4jStore, target: Neo4jTarget, tmp_path: Path, writers: int, executions: int
) -> dict[str, int]:
    """``writers`` processes x ``executions`` put_execution, each with a shared input, its
    own model and shared contexts; a ``watch`` subscriber on models polls all along. Asserts
    the exact counts, distinct ids and ``seq``, every model delivered; returns the figures."""
    store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="Model"),
                     ExecutionType(name="Trainer"), ContextType(name="Pipeline")])  # fmt: skip
    watcher = Watcher(
        store,
        new_artifacts("torture-models", "Model", states=None),
        cursors=FileCursors(tmp_path / "cursors"),
        batch=50,
    )
    delivered: list[tuple[int, int]] = []  # (artifact id, seq) of each delivery made

    def handle(d: Delivery) -> None:
        assert d.node is not None and d.node.id is not None
        delivered.append((d.node.id, d.position))

    procs = _writer_processes(target, writers, executions)
    while any(p.poll() is None for p in procs):
        watcher.poll(handle)  # concurrently with the writers
        time.sleep(0.05)
    failures = [p.communicate()[1][-2000:] for p in procs if p.returncode != 0]
    assert failures == []
    watcher.poll(handle)  # what the last writes made

    total = writers * executions
    executions_ = store.get_executions()
    artifacts = store.get_artifacts()
    contexts = store.get_contexts()
    assert len(executions_) == total
    assert len(artifacts) == total + 1  # one shared dataset
    assert sorted(c.name or "" for c in contexts) == sorted(
        ["shared-pipeline", *(f"shared-{k}" for k in range(min(3, executions)))]
    )
    nodes = [*executions_, *artifacts, *contexts]
    seqs = Counter(n.seq for n in nodes)
    assert None not in seqs and [s for s, k in seqs.items() if k > 1] == []
    for group in (executions_, artifacts, contexts):
        assert len({n.id for n in group}) == len(group)
    counters = store.stats()["counters"]
    assert counters["seq"] >= max(s for s in seqs if s is not None)
    ids = [e.id for e in executions_ if e.id is not None]
    assert len(store.get_events(execution_ids=ids)) == 2 * total
    models = {a.id for a in artifacts if a.type == "Model"}
    assert len(models) == total
    got = {i for i, _ in delivered}
    assert got == models  # every delivery made at least once, nothing else delivered
    # The cursor only moves forward: deliveries come in seq order, none twice.
    positions = [s for _, s in delivered]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    return {"writers": writers, "executions": total, "delivered": len(got),
            "expected": len(models)}  # fmt: skip


def test_writer_processes_with_a_subscriber_quick(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    figures = writer_processes_and_a_subscriber(neo4j_store, neo4j_target, tmp_path, 4, 50)
    assert figures["delivered"] == figures["expected"] == 200


@pytest.mark.heavy
@pytest.mark.timeout(3600)
def test_eight_writer_processes_by_500_executions_with_a_subscriber(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    figures = writer_processes_and_a_subscriber(neo4j_store, neo4j_target, tmp_path, 8, 500)
    print(f"\nwriters x executions held: {figures}")
    assert figures["delivered"] == figures["expected"] == 4000
