"""Concurrent writers on one Neo4j: every node gets its own id and its own ``seq``.

``seq`` is the subscribers' cursor, so two nodes sharing one (or a counter left below the
highest stored value) means deliveries are skipped. Writers collide on purpose: they share a
pipeline context and re-put the same names.
"""

from __future__ import annotations

import threading
from collections import Counter

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
